#!/usr/bin/env bash
# The main job, end to end on one machine (as root on Debian 12): bring up a local OpenStack,
# build a sample workload in tenant `src`, select part of it, export it into a bundle, pack
# it, import it into tenant `dst`, and show the result next to what the openstack CLI sees.
# Run it again at will: it first removes what its previous run made.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WORK=${DEMO_DIR:-$ROOT/.downpour-demo}
PREFIX=demo
[ -f dist/cli/main.js ] || npx tsc -p tsconfig.build.json
bash scripts/local-cloud/up.sh
export OS_CLIENT_CONFIG_FILE=${DPCLOUD_STATE:-/var/lib/downpour-cloud}/clouds.yaml
unset OS_CLOUD
downpour() { echo; echo "\$ downpour $*"; node "$ROOT/bin/downpour.js" "$@"; }

mkdir -p "$WORK" && cd "$WORK"
if [ -d shop.bundle ]; then
  echo "== removing the previous demo run"
  [ -f shop.tar ] && node "$ROOT/bin/downpour.js" destroy shop.tar --cloud dst >/dev/null || true
  rm -rf shop.bundle shop.tar shop.tar.state shop.yaml plan.json report.json
fi
"$ROOT/node_modules/.bin/tsx" "$ROOT/scripts/sample-workload.ts" delete --prefix "$PREFIX" >/dev/null 2>&1 || true

echo "== building the sample workload in tenant src"
"$ROOT/node_modules/.bin/tsx" "$ROOT/scripts/sample-workload.ts" create --prefix "$PREFIX" --image-mib 16

downpour clouds
downpour select --cloud src --tag app=shop -o shop.yaml
downpour export shop.yaml --cloud src -o shop.bundle
downpour pack shop.bundle -o shop.tar
downpour inspect shop.tar
downpour verify shop.tar
downpour plan shop.tar --cloud dst -o plan.json
downpour import shop.tar --cloud dst --plan plan.json --report report.json

echo
echo "== what the openstack CLI sees in tenant dst"
openstack --os-cloud dst server list -c Name -c Status -c Networks
openstack --os-cloud dst volume list -c Name -c Status -c Size -c "Attached to"
echo
echo "The old -> new id map and floating IPs are in $WORK/report.json."
echo "Remove the copy with: node bin/downpour.js destroy $WORK/shop.tar --cloud dst"
