#!/usr/bin/env bash
# The main job, end to end on one machine (as root on Debian 12): bring up two local OpenStack
# clouds that share nothing (Zed in the root network namespace, 2025.1 in its own), build a
# sample workload in the Zed cloud, export it there into a bundle, carry the bundle (a file) to
# the other side, import it into the 2025.1 cloud from inside that cloud's namespace, and show
# the result as that cloud's own openstack CLI sees it.
# Run it again at will: it first removes what its previous run made.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WORK=${DEMO_DIR:-$ROOT/.downpour-demo}
PREFIX=demo
ZED_CLOUDS=${DPCLOUD_STATE:-/var/lib/downpour-cloud}/clouds.yaml
B_CLOUDS=${DPCLOUDB_STATE:-/var/lib/downpour-cloud-b}/clouds.yaml
B_NETNS=${DPCLOUDB_NETNS:-downpour-b}
[ -f dist/cli/main.js ] || npx tsc -p tsconfig.build.json

echo "== bringing up both clouds, side by side (the first run installs them: about 7 minutes)"
( bash scripts/cloud-b/up.sh </dev/null 2>&1 | sed -u 's/^/[2025.1] /' ) &
b_pid=$!
( bash scripts/local-cloud/up.sh </dev/null 2>&1 | sed -u 's/^/[zed]    /' ) ||
  { echo "the Zed cloud did not start (see the lines above)" >&2; exit 1; }
wait "$b_pid" || { echo "the 2025.1 cloud did not start (see the lines above)" >&2; exit 1; }
unset OS_CLOUD

# One side each: the source in the root namespace with its own clouds.yaml; the destination
# in its namespace with its own. Neither process can reach the other cloud.
source_side() { OS_CLIENT_CONFIG_FILE=$ZED_CLOUDS "$@"; }
dest_side() { OS_CLIENT_CONFIG_FILE=$B_CLOUDS nsenter --net="/run/netns/$B_NETNS" -- "$@"; }
say() { echo; echo "[$1] \$ downpour ${*:2}"; }
zed() { say "Zed     " "$@"; source_side node "$ROOT/bin/downpour.js" "$@"; }
epoxy() { say "2025.1  " "$@"; dest_side node "$ROOT/bin/downpour.js" "$@"; }

mkdir -p "$WORK" && cd "$WORK"
if [ -e shop.tar ]; then
  echo "== removing the previous demo run"
  dest_side node "$ROOT/bin/downpour.js" destroy shop.tar --cloud b-dst >/dev/null 2>&1 || true
fi
rm -rf shop.bundle shop.tar shop.tar.state shop.yaml plan.json report.json
source_side "$ROOT/node_modules/.bin/tsx" "$ROOT/scripts/sample-workload.ts" delete --prefix "$PREFIX" >/dev/null 2>&1 || true

echo
echo "== building the sample workload in the Zed cloud, tenant src"
source_side "$ROOT/node_modules/.bin/tsx" "$ROOT/scripts/sample-workload.ts" create --prefix "$PREFIX" --image-mib 16

zed clouds --cloud src
# the demo's own servers by name: the tenant is shared with the test suites, whose workloads carry the same tag
zed select --cloud src --server "$PREFIX-web" --server "$PREFIX-db" -o shop.yaml
zed export shop.yaml --cloud src -o shop.bundle
zed pack shop.bundle -o shop.tar
echo
echo "== the bundle $WORK/shop.tar ($(du -h shop.tar | cut -f1)) is all that crosses over"
epoxy clouds --cloud b-dst
epoxy inspect shop.tar
epoxy verify shop.tar
epoxy plan shop.tar --cloud b-dst -o plan.json
epoxy import shop.tar --cloud b-dst --plan plan.json --report report.json

echo
echo "== what the 2025.1 cloud's openstack CLI sees in tenant dst"
dest_side openstack --os-cloud b-dst server list -c Name -c Status -c Flavor -c Networks
dest_side openstack --os-cloud b-dst volume list --long -c Name -c Status -c Size -c Type -c "Attached to"
dest_side openstack --os-cloud b-dst floating ip list -c "Floating IP Address" -c "Fixed IP Address"
echo
echo "The old -> new id map and floating IPs are in $WORK/report.json."
echo "Remove the copy with:"
echo "  OS_CLIENT_CONFIG_FILE=$B_CLOUDS nsenter --net=/run/netns/$B_NETNS -- node bin/downpour.js destroy $WORK/shop.tar --cloud b-dst"
