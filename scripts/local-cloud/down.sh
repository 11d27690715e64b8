#!/bin/bash
# Stop the local test cloud: every process tree whose PID up.sh recorded, and nothing else.
#   down.sh          stop the services; state (databases, images, volumes) stays for the next up.sh
#   down.sh --wipe   also unmount the Cinder bind mount and delete the whole state folder
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# shellcheck source=lib.sh
. "$HERE/lib.sh"

case "${1:-}" in
  "" | --wipe) ;;
  *) echo "usage: $0 [--wipe]" >&2; exit 2 ;;
esac
[ "$(id -u)" = 0 ] || { echo "must run as root" >&2; exit 1; }
[ -d "$STATE" ] || { echo "nothing to do: $STATE does not exist"; exit 0; }

# wait for a running up.sh to finish, and keep others out meanwhile
exec 9>"$STATE/.up.lock"
flock -n 9 || { echo "waiting for a running up.sh to finish"; flock -w 1800 9 || exit 1; }

rm -f "$STATE/bootstrap.done"
# API and worker services all at once, then the message queue and database, epmd last
stop_services heat-engine heat-api nova-compute cinder-volume cinder-scheduler cinder-api \
              nova-scheduler nova-conductor nova-api neutron-server placement glance-api keystone
if pid_alive rabbitmq; then  # a clean stop keeps its database tidy
  env HOME="$STATE/rabbitmq" RABBITMQ_NODENAME=rabbit@localhost ERL_EPMD_ADDRESS=$IP \
    timeout 30 /usr/lib/rabbitmq/bin/rabbitmqctl stop >/dev/null 2>&1 || true
fi
stop_services rabbitmq mariadb
stop_services epmd
# anything else that was recorded
for f in "$RUN"/*.pid; do [ -f "$f" ] && stop_services "$(basename "$f" .pid)"; done

if [ "${1:-}" = --wipe ]; then
  awk -v b="$STATE/" 'index($2, b) == 1 {print $2}' /proc/mounts | sort -r | while read -r m; do
    umount "$m" && echo "    unmounted $m"
  done
  if awk -v b="$STATE/" 'index($2, b) == 1 {found = 1} END {exit !found}' /proc/mounts; then
    echo "a mount below $STATE is still in use; not deleting it" >&2; exit 1
  fi
  case "$STATE" in
    / | /var | /var/lib | /usr | /etc | /root | /home | /tmp) echo "refusing to delete $STATE" >&2; exit 1 ;;
  esac
  rm -rf "$STATE"
  echo "    deleted $STATE"
fi
echo "local cloud stopped"
