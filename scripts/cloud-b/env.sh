#!/bin/bash
# Print the environment for the openstack CLI and SDK to use the second local cloud:
#   eval "$(scripts/cloud-b/env.sh)"
#   ip netns exec downpour-b openstack --os-cloud b-src server list   (clouds: b-admin, b-src, b-dst)
# Its APIs answer only inside its network namespace; run every client there.
_dpcloudb_state=${DPCLOUDB_STATE:-/var/lib/downpour-cloud-b}
echo "export OS_CLIENT_CONFIG_FILE=$_dpcloudb_state/clouds.yaml"
if [ "${BASH_SOURCE[0]}" != "$0" ]; then export OS_CLIENT_CONFIG_FILE=$_dpcloudb_state/clouds.yaml; fi
unset _dpcloudb_state
