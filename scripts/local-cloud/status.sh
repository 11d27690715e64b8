#!/bin/bash
# Exit 0 if and only if every API of the local test cloud answers (quick; no credentials used).
#   status.sh       print one line per API
#   status.sh -q    print nothing
# up.sh does the thorough check (processes, bind mount, bootstrap) and returns in seconds when
# all is well, so callers that need a working cloud may simply run up.sh.
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
if [ "${1:-}" = -q ]; then check_apis quiet; else check_apis; fi
