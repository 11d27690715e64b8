# shellcheck shell=bash
# Process bookkeeping shared by both local clouds' scripts. Sourced, never run.
# Needs RUN: the folder of NAME.pid files ("PID STARTTIME") and NAME.cfg files.

# proc_start PID -> the process's start time in clock ticks (empty if gone or a zombie).
# Stored next to the PID so a reused PID is never mistaken for one of ours.
proc_start() {
  local s
  read -r s 2>/dev/null <"/proc/$1/stat" || return 1
  s=${s##*) }
  # shellcheck disable=SC2086
  set -- $s
  [ "$1" != Z ] || return 1
  echo "${20}"
}

pid_of() { local pid st; read -r pid st 2>/dev/null <"$RUN/$1.pid" || return 1; echo "$pid"; }

pid_alive() { # pid_alive NAME: is the recorded process still the one that was started?
  local pid st now
  read -r pid st 2>/dev/null <"$RUN/$1.pid" || return 1
  [ -n "${pid:-}" ] && [ -n "${st:-}" ] || return 1
  now=$(proc_start "$pid") || return 1
  [ "$now" = "$st" ]
}

descendants() { # descendants PID -> every descendant PID (reads /proc, needs no ps)
  local -A kids=()
  local f s p pp queue=("$1") out=()
  for f in /proc/[0-9]*/stat; do
    read -r s 2>/dev/null <"$f" || continue
    p=${f#/proc/}; p=${p%/stat}
    s=${s##*) }; pp=${s#* }; pp=${pp%% *}
    kids[$pp]+=" $p"
  done
  while [ ${#queue[@]} -gt 0 ]; do
    p=${queue[0]}; queue=("${queue[@]:1}")
    for s in ${kids[$p]:-}; do out+=("$s"); queue+=("$s"); done
  done
  echo "${out[@]}"
}

stop_services() { # stop_services NAME...: TERM every recorded process tree at once, KILL what is left after 15 s
  local name pid p i alive all=""
  for name in "$@"; do
    if pid_alive "$name"; then
      pid=$(pid_of "$name")
      all="$all $pid $(descendants "$pid")"
      echo "    stopping $name (pid $pid)"
      kill -TERM "$pid" 2>/dev/null || true
    fi
    rm -f "$RUN/$name.pid" "$RUN/$name.cfg"
  done
  [ -n "${all// /}" ] || return 0
  for ((i = 0; i < 75; i++)); do
    alive=0
    for p in $all; do [ -e "/proc/$p" ] && proc_start "$p" >/dev/null && alive=1 && break; done
    [ $alive = 0 ] && return 0
    sleep 0.2
  done
  for p in $all; do
    if proc_start "$p" >/dev/null; then
      echo "    killing leftover pid $p ($(cat "/proc/$p/comm" 2>/dev/null))"
      kill -KILL "$p" 2>/dev/null || true
    fi
  done
  return 0
}

# host_apt ARGS...: apt-get on the host, one at a time: both clouds' scripts and the test tools'
# may install host packages at the same moment, and dpkg takes one client at a time.
host_apt() {
  flock -w 1800 /var/lock/downpour-apt.lock apt-get -o DPkg::Lock::Timeout=600 "$@"
}

# check_apis [quiet]: 0 iff every API of API_CHECKS ("NAME URL" lines) answers with a status
# below 500; one line per API unless quiet. CHECK_IN (an array, may be empty) prefixes the curl
# command, to look from inside a network namespace.
check_apis() {
  local line name url res code t ok=0
  command -v curl >/dev/null || return 1
  for line in "${API_CHECKS[@]}"; do
    read -r name url <<<"$line"
    res=$(${CHECK_IN[@]+"${CHECK_IN[@]}"} curl -s -o /dev/null -m 5 -w '%{http_code} %{time_total}' "$url" 2>/dev/null) || true
    code=${res%% *}; t=${res#* }
    if [ -n "$code" ] && [ "$code" != 000 ] && [ "$code" -lt 500 ]; then
      [ "${1:-}" = quiet ] || printf '    %-9s %-28s HTTP %s  %.3fs\n' "$name" "$url" "$code" "$t"
    else
      [ "${1:-}" = quiet ] || printf '    %-9s %-28s NOT ANSWERING (%s)\n' "$name" "$url" "${code:-none}"
      ok=1
    fi
  done
  return $ok
}
