#!/usr/bin/env bash
# What the integration tests use beside the local cloud: Debian's `ansible` package
# (ansible-core, with the openstack.cloud 1.10 collection) for the rendered playbook's
# syntax-check and real run. Installs it only when `ansible-playbook` or the collection is
# missing (ansible-core alone has the command and no collections); needs root.
set -euo pipefail
COLLECTION=/usr/lib/python3/dist-packages/ansible_collections/openstack/cloud
if command -v ansible-playbook >/dev/null 2>&1 && [ -d "$COLLECTION" ]; then
  echo "ansible-playbook found: $(command -v ansible-playbook), with $COLLECTION"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "ansible-playbook or the openstack.cloud collection is missing and this is not root: run 'apt-get install -y ansible' as root." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# shellcheck source=lib/procs.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/procs.sh"
host_apt update
host_apt install -y ansible
command -v ansible-playbook
[ -d "$COLLECTION" ]
