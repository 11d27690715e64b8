#!/usr/bin/env bash
# The main job on a fresh Debian 12 machine (as root): bring up the local OpenStack and show
# what Downpour sees in it.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f dist/cli/main.js ] || npx tsc -p tsconfig.build.json
bash scripts/local-cloud/up.sh
export OS_CLIENT_CONFIG_FILE=${DPCLOUD_STATE:-/var/lib/downpour-cloud}/clouds.yaml
unset OS_CLOUD
echo
echo '$ downpour clouds'
node bin/downpour.js clouds
echo
echo '$ downpour clouds --cloud src'
node bin/downpour.js clouds --cloud src
