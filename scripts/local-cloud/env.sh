#!/bin/bash
# Print the environment for the openstack CLI and SDK to use the local test cloud:
#   eval "$(scripts/local-cloud/env.sh)"
#   openstack --os-cloud src server list        (clouds: admin, src, dst)
# When sourced instead of run, it also exports the variable into the current shell.
_dpcloud_state=${DPCLOUD_STATE:-/var/lib/downpour-cloud}
echo "export OS_CLIENT_CONFIG_FILE=$_dpcloud_state/clouds.yaml"
if [ "${BASH_SOURCE[0]}" != "$0" ]; then export OS_CLIENT_CONFIG_FILE=$_dpcloud_state/clouds.yaml; fi
unset _dpcloud_state
