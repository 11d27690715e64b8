#!/bin/bash
# Exit 0 if and only if every API of the second local cloud answers inside its network
# namespace (quick; no credentials used).   status.sh [-q]
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
if [ "${1:-}" = -q ]; then check_netns_apis quiet; else check_netns_apis; fi
