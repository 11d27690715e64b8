#!/bin/bash
# Stop the second local cloud: only the process trees whose PIDs up.sh recorded, then unmount
# what up.sh mounted below the chroot and delete the network namespace.
#   down.sh          stop services, unmount, delete the netns (chroot and state stay)
#   down.sh --wipe   also delete the state folder: chroot, databases, clouds.yaml
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
if [ -d "$RUN" ]; then
  exec 9>"$R$S/.up.lock"
  flock -n 9 || { echo "waiting for a running up.sh to finish"; flock -w 1800 9 || exit 1; }
  stop_services heat-engine heat-api nova-compute cinder-volume cinder-scheduler cinder-api \
                nova-scheduler nova-conductor nova-api neutron-rpc neutron-api placement glance-api keystone
  if pid_alive rabbitmq; then  # a clean stop keeps its database tidy
    inb env HOME=$S/rabbitmq RABBITMQ_NODENAME=rabbit@localhost ERL_EPMD_ADDRESS=$IP \
      "RABBITMQ_CTL_ERL_ARGS=-kernel inet_dist_use_interface {127,0,0,1}" \
      timeout 30 /usr/lib/rabbitmq/bin/rabbitmqctl stop >/dev/null 2>&1 || true
  fi
  stop_services rabbitmq mariadb
  stop_services epmd
  for f in "$RUN"/*.pid; do [ -f "$f" ] && stop_services "$(basename "$f" .pid)"; done
  exec 9>&-
fi
# unmount everything below the chroot, deepest first
awk -v b="$R/" 'index($2, b) == 1 {print $2}' /proc/mounts | sort -r | while read -r m; do
  umount "$m" && echo "    unmounted $m"
done
if [ -e "$NSPATH" ]; then
  left=$(ip netns pids "$NETNS" 2>/dev/null | tr '\n' ' ')
  if [ -n "${left// /}" ]; then
    echo "    netns $NETNS still holds processes up.sh did not start ($left); not deleting it" >&2
  else
    ip netns delete "$NETNS" && echo "    deleted netns $NETNS"
  fi
fi
if [ "${1:-}" = --wipe ]; then
  if awk -v b="$STATE/" 'index($2, b) == 1 {found = 1} END {exit !found}' /proc/mounts; then
    echo "a mount below $STATE is still in use; not deleting it" >&2; exit 1
  fi
  case "$STATE" in
    / | /var | /var/lib | /usr | /etc | /root | /home | /tmp | /srv) echo "refusing to delete $STATE" >&2; exit 1 ;;
  esac
  rm -rf --one-file-system "$STATE"
  echo "    deleted $STATE"
fi
echo "second local cloud stopped"
