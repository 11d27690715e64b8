# shellcheck shell=bash
# Settings and helpers shared by the second cloud's up.sh, down.sh, status.sh and env.sh.
# Sourced, never run.
#
# The second cloud is OpenStack 2025.1 from Debian 13 packages in a chroot ROOT, and every one
# of its services runs inside the network namespace NETNS, which has nothing but loopback. A
# process of the root namespace reaches only the first local cloud on 127.0.0.1; a process in
# NETNS reaches only this one. Paths that start with $S are paths INSIDE the chroot; "$R$S" is
# the same place seen from outside.

STATE=${DPCLOUDB_STATE:-/var/lib/downpour-cloud-b}   # clouds.yaml, the chroot, logs
R=$STATE/root                                        # the chroot
NETNS=${DPCLOUDB_NETNS:-downpour-b}                  # the network namespace (ip netns name)
CLOUDS_OUT=$STATE/clouds.yaml                        # for callers outside the chroot
MIRROR=${DPCLOUDB_MIRROR:-}                          # default: the first URI of the host's apt sources
SUITE=trixie
S=/var/lib/cloudb                                    # state folder inside the chroot
RUN=$R$S/run                                         # NAME.pid ("PID STARTTIME") and NAME.cfg
LOG=$R$S/log
IP=127.0.0.1
NSPATH=/run/netns/$NETNS
REGION=RegionTwo

API_CHECKS=(
  "keystone  http://$IP:5000/v3"
  "glance    http://$IP:9292/"
  "placement http://$IP:8778/"
  "neutron   http://$IP:9696/"
  "nova      http://$IP:8774/"
  "cinder    http://$IP:8776/"
  "heat      http://$IP:8004/"
  "swift     http://$IP:8080/healthcheck"
)

SERVICES=(mariadb epmd rabbitmq keystone glance-api placement neutron-api neutron-rpc
          nova-api nova-conductor nova-scheduler cinder-api cinder-scheduler cinder-volume
          heat-api heat-engine memcached swift-account swift-container swift-object
          swift-proxy nova-compute)

# inb CMD...: run CMD in the second cloud: network namespace NETNS, chroot R, clean environment.
# nsenter, chroot and env all exec, so the PID of "inb CMD &" is CMD's own PID. nsenter rather
# than `ip netns exec`, which would also give each process a mount namespace of its own: all
# services share the root mount namespace, so the Cinder bind mount is seen by every one.
INB=(nsenter --net="$NSPATH" -- chroot "$R" /usr/bin/env -i
     PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8
     OS_CLIENT_CONFIG_FILE=/etc/openstack/clouds.yaml)
inb() { "${INB[@]}" "$@"; }
# inns CMD...: run a host command inside the network namespace only (host filesystem)
inns() { nsenter --net="$NSPATH" -- "$@"; }
# inchroot CMD...: chroot only, in the root network namespace (package installs need the mirror)
inchroot() {
  chroot "$R" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}

# shellcheck source=../lib/procs.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/procs.sh"

# every API is checked from inside the namespace; without it nothing answers
CHECK_IN=(nsenter --net="$NSPATH" --)
check_netns_apis() { # check_netns_apis [quiet]
  [ -e "$NSPATH" ] || { [ "${1:-}" = quiet ] || echo "    network namespace $NETNS does not exist"; return 1; }
  check_apis "$@"
}
