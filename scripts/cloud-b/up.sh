#!/bin/bash
# The second local cloud: OpenStack 2025.1 "Epoxy" from Debian 13 (trixie) packages, in a chroot,
# with every service inside its own network namespace, beside the first local cloud (Zed, in the
# root namespace, scripts/local-cloud/). The two never see each other.
#
#   up.sh        create the chroot (debootstrap) and the netns if missing, install packages,
#                configure, start every service in netns+chroot, bootstrap, write clouds.yaml
#   down.sh      stop only what up.sh started (PID files), unmount, delete the netns
#   status.sh    exit 0 iff every API answers inside the netns
#
# Environment (all optional): DPCLOUDB_STATE (/var/lib/downpour-cloud-b), DPCLOUDB_NETNS
# (downpour-b), DPCLOUDB_MIRROR (from the host's apt sources), DPCLOUDB_PASSWORD (first run only).
#
# Running it again is safe: what exists, is installed, synced or running is left alone; a
# service is restarted only when its command or configuration changed.
set -euo pipefail
umask 022
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TEMPLATES=$HERE/../local-cloud/templates
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
unset PYTHONPATH PYTHONHOME VIRTUAL_ENV
export DEBIAN_FRONTEND=noninteractive
# shellcheck source=lib.sh
. "$HERE/lib.sh"

mkdir -p "$STATE"; chmod 0700 "$STATE"
# the password is made once and kept in the state folder, never in the repository
if [ ! -s "$STATE/password" ]; then
  (umask 077; printf '%s' "${DPCLOUDB_PASSWORD:-$(head -c 18 /dev/urandom | base64 | tr -d '/+=')}" >"$STATE/password")
fi
PW=$(cat "$STATE/password")
DBURL="mysql+pymysql://cloudb:${PW}@${IP}:3306"
RABBIT="rabbit://guest:guest@${IP}:5672/"
KS=http://${IP}:5000
SOCK=$S/mysql/mysqld.sock
PYDIR=$S/python
NOVA_HOST=cloudb
NOVA_DRIVER=cloudb_fake.StableDataFakeDriver
COMPUTE_AZ=zone-b1   # unlike the first cloud's "nova"
VOLUME_AZ=vol-b1     # unlike the first cloud's "nova"
NFS_SHARE="$IP:$S/cinder/nfs-export"
MNT="$S/cinder/mnt/$(printf '%s' "$NFS_SHARE" | md5sum | cut -d' ' -f1)"
# what makes this cloud itself, for the configuration files both clouds share (REGION: lib.sh)
CONF_STATE=$S
DEFAULT_VOLUME_TYPE=standard
FLAT_NETWORK=extnet
SWIFT_POLICIES="0:standard:default 1:cold"   # unlike the first cloud's Policy-0 and gold
# shellcheck source=../lib/service-conf.sh
. "$HERE/../lib/service-conf.sh"
# shellcheck source=../lib/swift.sh
. "$HERE/../lib/swift.sh"

now_ms() { local t=${EPOCHREALTIME//[.,]/}; echo $((t / 1000)); }
T0=$(now_ms); TIMES=()
tmark() {
  local d=$(($(now_ms) - $2))
  TIMES+=("$(printf '  %-34s %5d.%01ds' "$1" $((d / 1000)) $((d % 1000 / 100)))")
  printf '>>> %s: %d.%01ds\n' "$1" $((d / 1000)) $((d % 1000 / 100))
}
die() { echo "ERROR: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root"

# ---------------------------------------------------------------- 0. chroot, mounts, netns
t=$(now_ms)
if [ ! -x "$R/usr/bin/apt-get" ]; then
  if [ -z "$MIRROR" ]; then
    MIRROR=$(awk '/^URIs:/ {print $2; exit} /^deb / {print $2; exit}' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null | head -1)
  fi
  [ -n "$MIRROR" ] || die "no mirror found; set DPCLOUDB_MIRROR"
  if ! command -v debootstrap >/dev/null; then
    host_apt install -y --no-install-recommends debootstrap >>"$STATE/apt-host.log" 2>&1 ||
      { host_apt update >>"$STATE/apt-host.log" 2>&1 && host_apt install -y --no-install-recommends debootstrap >>"$STATE/apt-host.log" 2>&1; } ||
      { tail -20 "$STATE/apt-host.log"; die "could not install debootstrap (see $STATE/apt-host.log)"; }
  fi
  [ -f "/usr/share/debootstrap/scripts/$SUITE" ] || die "this debootstrap does not know $SUITE"
  echo ">>> debootstrap --variant=minbase $SUITE $R $MIRROR"
  mkdir -p "$R"
  debootstrap --variant=minbase "$SUITE" "$R" "$MIRROR" >"$STATE/debootstrap.log" 2>&1 \
    || { tail -20 "$STATE/debootstrap.log"; die "debootstrap failed (see $STATE/debootstrap.log)"; }
  tmark "0a debootstrap" "$t"; t=$(now_ms)
fi
mkdir -p "$R$S" "$LOG" "$RUN" "$R$S/done" "$R$PYDIR" "$R$S/bin" "$R/etc/openstack"
exec 9>"$R$S/.up.lock"
flock -n 9 || { echo ">>> another up.sh is running; waiting"; flock -w 1800 9 || die "lock wait timed out"; }
ismnt() { awk -v m="$1" '$2 == m {f = 1} END {exit !f}' /proc/mounts; }
ismnt "$R/proc"    || mount -t proc proc "$R/proc"
ismnt "$R/sys"     || mount -t sysfs sysfs "$R/sys"
ismnt "$R/dev"     || mount --bind /dev "$R/dev"
ismnt "$R/dev/pts" || mount --bind /dev/pts "$R/dev/pts"
ismnt "$R/dev/shm" || mount -t tmpfs -o size=64m tmpfs "$R/dev/shm"
if [ ! -e "$NSPATH" ]; then ip netns add "$NETNS"; fi
ip netns exec "$NETNS" ip link set lo up
# a chroot has no systemd and its packages must never start daemons by themselves
printf '#!/bin/sh\nexit 101\n' >"$R/usr/sbin/policy-rc.d"; chmod 0755 "$R/usr/sbin/policy-rc.d"
grep -q '^127\.0\.0\.1.*\blocalhost\b' "$R/etc/hosts" 2>/dev/null || printf '127.0.0.1 localhost\n::1 localhost ip6-localhost\n' >>"$R/etc/hosts"
cp -f /etc/resolv.conf "$R/etc/resolv.conf" 2>/dev/null || true
if [ -z "$MIRROR" ]; then MIRROR=$(awk '$1 == "deb" {print $2; exit}' "$R/etc/apt/sources.list"); fi
SEC=${MIRROR%/debian}/debian-security
cat >"$R/etc/apt/sources.list" <<EOF
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb $SEC $SUITE-security main
EOF
tmark "0 chroot, mounts, netns" "$t"

# ---------------------------------------------------------------- 1. packages (in the chroot, root netns: needs the mirror)
PKGS=(mariadb-server python3-pymysql rabbitmq-server crudini sudo curl procps nfs-common qemu-utils iproute2
      uwsgi-plugin-python3 keystone glance-api placement-api python3-osc-placement
      nova-api nova-conductor nova-scheduler nova-common
      neutron-api neutron-rpc-server cinder-api cinder-scheduler cinder-volume
      heat-api heat-engine
      python3-openstackclient python3-openstacksdk python3-heatclient
      "${SWIFT_PACKAGES[@]}")
t=$(now_ms)
installed=" $( { inchroot dpkg-query -W -f='${db:Status-Abbrev}|${Package}\n' "${PKGS[@]}" 2>/dev/null || true; } | awk -F'|' '$1 ~ /^ii/ {printf "%s ", $2}')"
missing=()
for p in "${PKGS[@]}"; do [[ $installed == *" $p "* ]] || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo ">>> installing ${#missing[@]} packages in the chroot: ${missing[*]}"
  for q in keystone/configure_db keystone/create-admin-tenant keystone/register-endpoint \
           glance/configure_db glance/register-endpoint placement/configure_db placement/register-endpoint placement/configure_ksat \
           nova/configure_db nova/configure_api-endpoint nova/configure_ksat nova/configure_rabbit nova/configure_neutron \
           neutron/configure_db neutron/register-endpoint neutron/configure_ksat neutron/configure_rabbit \
           cinder/configure_db cinder/register-endpoint cinder/configure_ksat cinder/configure_rabbit \
           heat/configure_db heat/register-endpoint heat/configure_ksat heat/configure_rabbit; do
    echo "${q%%/*} $q boolean false"
  done | inchroot debconf-set-selections
  inchroot apt-get update -o Acquire::Retries=3 >>"$LOG/apt.log" 2>&1 || die "apt-get update failed (see $LOG/apt.log)"
  inchroot apt-get install -y --no-install-recommends -o Acquire::Retries=3 -o Dpkg::Options::=--force-confold \
    "${missing[@]}" >>"$LOG/apt.log" 2>&1 || { tail -30 "$LOG/apt.log"; die "apt-get install failed (see $LOG/apt.log)"; }
fi
PKGVER=$( { inchroot dpkg-query -W -f='${Package} ${Version}\n' "${PKGS[@]}"; echo "$DBURL"; } | sha256sum | cut -c1-16)
tmark "1 packages" "$t"

# ---------------------------------------------------------------- helpers
port_open() { inns bash -c "exec 3<>/dev/tcp/$IP/$1" 2>/dev/null; }
start_svc() { # start_svc NAME PORT|- "CONFIG FILES (chroot paths)" CMD... (CMD runs via inb)
  local name=$1 port=$2 deps=$3 h pid f; shift 3
  h=$( { printf '%s\n' "$*"; for f in $deps; do cat "$R$f" 2>/dev/null || true; done; } | sha256sum | cut -c1-16)
  if pid_alive "$name"; then
    if [ "$(cat "$RUN/$name.cfg" 2>/dev/null)" = "$h" ]; then echo "    $name already running (pid $(pid_of "$name"))"; return 0; fi
    echo "    $name: command or configuration changed, restarting"; stop_services "$name"
  fi
  if [ "$port" != - ] && port_open "$port"; then die "port $port in netns $NETNS is held by a process this script did not start ($name)"; fi
  echo "    starting $name"
  setsid "${INB[@]}" "$@" >>"$LOG/$name.log" 2>&1 </dev/null 9>&- &
  pid=$!
  echo "$pid $(proc_start "$pid")" >"$RUN/$name.pid"
  echo "$h" >"$RUN/$name.cfg"
}
wait_port() { local i; for ((i = 0; i < $2 * 5; i++)); do port_open "$1" && return 0; sleep 0.2; done; die "port $1 did not open within $2 s"; }
wait_http() {
  local i code=000
  for ((i = 0; i < $3 * 4; i++)); do
    code=$(inns curl -s -o /dev/null -m 5 -w '%{http_code}' "$2" || true)
    if [ "${code:-000}" != 000 ] && [ "$code" -lt 500 ]; then return 0; fi
    pid_alive "$1" || die "$1 exited; last lines of $LOG/$1.log:$(echo; tail -20 "$LOG/$1.log")"
    sleep 0.25
  done
  die "$2 did not answer within $3 s (last code $code, see $LOG/$1.log)"
}
sql() { inb mariadb --socket="$SOCK" -uroot -N -B -e "$1"; }
write_if_changed() { # write_if_changed CHROOT_PATH < content
  local f=$R$1 tmp; tmp=$(mktemp)
  cat >"$tmp"
  if [ -f "$f" ] && [ ! -f "$f.dist" ]; then cp -p "$f" "$f.dist"; fi
  mkdir -p "$(dirname "$f")"
  if ! cmp -s "$tmp" "$f" 2>/dev/null; then install -m 0644 "$tmp" "$f"; fi
  rm -f "$tmp"
}
once() { # once KEY CMD... (CMD runs via inb)
  local key=$1 logf=$LOG/$1.log; shift
  if [ "$(cat "$R$S/done/$key" 2>/dev/null)" = "$PKGVER" ]; then return 0; fi
  if inb "$@" >>"$logf" 2>&1; then echo "$PKGVER" >"$R$S/done/$key"
  else tail -20 "$logf"; die "$key failed (see $logf)"; fi
}
uwsgi_ini() { # uwsgi_ini NAME WSGI_SCRIPT PROCESSES THREADS [EXTRA LINES] -> $S/NAME-uwsgi.ini
  write_if_changed "$S/$1-uwsgi.ini" <<EOF
[uwsgi]
plugins = python3
wsgi-file = $2
processes = $3
threads = $4
master = true
enable-threads = true
lazy-apps = true
die-on-term = true
no-orphans = true
buffer-size = 65535
listen = 100
chunked-input-limit = 10485760
http-auto-chunked = true
http-raw-body = true
add-header = Connection: close
name = $1
chdir = $S
${5:-}
EOF
}

# ---------------------------------------------------------------- 2. MariaDB, RabbitMQ
t=$(now_ms)
mkdir -p "$R$S/mysql"; inb chown mysql:mysql "$S/mysql"
write_if_changed "$S/my.cnf" <<EOF
[mysqld]
datadir = $S/mysql/data
socket = $SOCK
pid-file = $S/mysql/mysqld.pid
bind-address = $IP
port = 3306
skip-name-resolve
max_connections = 500
innodb_buffer_pool_size = 64M
innodb_log_file_size = 32M
innodb_flush_log_at_trx_commit = 2
performance_schema = off
character-set-server = utf8mb4
collation-server = utf8mb4_general_ci
log-error = $S/log/mariadb.err
[client]
socket = $SOCK
EOF
chmod 0644 "$R$S/my.cnf"; chmod 0777 "$LOG"
if [ ! -d "$R$S/mysql/data/mysql" ]; then
  inb mariadb-install-db --defaults-file="$S/my.cnf" --user=mysql --auth-root-authentication-method=socket \
    >"$LOG/mariadb-install.log" 2>&1 || die "mariadb-install-db failed (see $LOG/mariadb-install.log)"
fi
start_svc mariadb 3306 "$S/my.cnf" /usr/sbin/mariadbd --defaults-file="$S/my.cnf" --user=mysql

RMQ=$S/rabbitmq
mkdir -p "$R$RMQ/mnesia" "$LOG/rabbitmq"
write_if_changed "$RMQ/rabbitmq.conf" <<EOF
listeners.tcp.default = $IP:5672
loopback_users.guest = true
EOF
echo '[].' >"$R$RMQ/enabled_plugins"
RMQ_ENV=(env HOME="$RMQ" RABBITMQ_NODENAME=rabbit@localhost RABBITMQ_MNESIA_BASE="$RMQ/mnesia"
         RABBITMQ_LOG_BASE="$S/log/rabbitmq" RABBITMQ_CONFIG_FILE="$RMQ/rabbitmq.conf"
         RABBITMQ_ENABLED_PLUGINS_FILE="$RMQ/enabled_plugins" RABBITMQ_DIST_PORT=25672
         ERL_EPMD_ADDRESS=$IP ERL_EPMD_PORT=4369
         "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS=-kernel inet_dist_use_interface {127,0,0,1}"
         "RABBITMQ_CTL_ERL_ARGS=-kernel inet_dist_use_interface {127,0,0,1}")
start_svc epmd 4369 "" /usr/bin/epmd -address $IP -port 4369
wait_port 4369 20
start_svc rabbitmq 5672 "$RMQ/rabbitmq.conf" "${RMQ_ENV[@]}" /usr/lib/rabbitmq/bin/rabbitmq-server
wait_port 3306 60
for db in keystone glance placement nova_api nova nova_cell0 neutron cinder heat; do
  sql "CREATE DATABASE IF NOT EXISTS $db; CREATE USER IF NOT EXISTS 'cloudb'@'127.0.0.1' IDENTIFIED BY '$PW';
       GRANT ALL PRIVILEGES ON \`$db\`.* TO 'cloudb'@'127.0.0.1';"
done
wait_port 5672 120
tmark "2 mariadb + rabbitmq" "$t"

# ---------------------------------------------------------------- 3. Keystone
t=$(now_ms)
mkdir -p "$R$S/keystone/fernet-keys" "$R$S/keystone/credential-keys"
keystone_conf | write_if_changed /etc/keystone/keystone.conf
once keystone-db keystone-manage db_sync
[ -f "$R$S/keystone/fernet-keys/0" ] || inb keystone-manage fernet_setup --keystone-user root --keystone-group root >>"$LOG/keystone-manage.log" 2>&1
[ -f "$R$S/keystone/credential-keys/0" ] || inb keystone-manage credential_setup --keystone-user root --keystone-group root >>"$LOG/keystone-manage.log" 2>&1
once keystone-bootstrap keystone-manage bootstrap --bootstrap-password "$PW" \
  --bootstrap-username admin --bootstrap-project-name admin --bootstrap-role-name admin \
  --bootstrap-service-name keystone --bootstrap-region-id $REGION \
  --bootstrap-admin-url $KS/v3/ --bootstrap-internal-url $KS/v3/ --bootstrap-public-url $KS/v3/
uwsgi_ini keystone /usr/bin/keystone-wsgi-public 2 2
start_svc keystone 5000 "$S/keystone-uwsgi.ini /etc/keystone/keystone.conf" \
  /usr/bin/uwsgi_python3 --http-socket $IP:5000 --ini "$S/keystone-uwsgi.ini"
wait_http keystone $KS/v3 90

# clouds.yaml: b-admin and the member-only tenants b-src and b-dst
cy() { # cy AUTH_URL
  echo "clouds:"
  for c in b-admin:admin:admin b-src:src-user:src b-dst:dst-user:dst; do
    IFS=: read -r cname user proj <<<"$c"
    cat <<EOF
  $cname:
    auth:
      auth_url: $1
      username: $user
      password: $PW
      project_name: $proj
      user_domain_name: Default
      project_domain_name: Default
    region_name: $REGION
    identity_api_version: 3
    volume_api_version: 3
    interface: public
EOF
  done
}
cy "$KS/v3" | install -m 0600 /dev/stdin "$R/etc/openstack/clouds.yaml"
cy "$KS/v3" | install -m 0600 /dev/stdin "$CLOUDS_OUT"
install -m 0644 "$HERE/../local-cloud/bootstrap.py" "$R$S/bootstrap.py"
inb env DPCLOUD_PROFILE=b python3 "$S/bootstrap.py" identity "$PW" >>"$LOG/bootstrap.log" 2>&1 || { tail -20 "$LOG/bootstrap.log"; die "identity bootstrap failed"; }
tmark "3 keystone + identity" "$t"

# ---------------------------------------------------------------- 4. Glance (its own eventlet server, as Debian 13 still runs it; file store)
t=$(now_ms)
mkdir -p "$R$S/glance/images" "$R$S/glance/staging" "$R$S/glance/tasks" "$R$S/glance/tmp"
glance_conf | write_if_changed /etc/glance/glance-api.conf
once glance-db glance-manage db_sync
start_svc glance-api 9292 /etc/glance/glance-api.conf /usr/bin/glance-api --config-file /etc/glance/glance-api.conf
tmark "4 glance" "$t"

# ---------------------------------------------------------------- 5. Placement
t=$(now_ms)
placement_conf | write_if_changed /etc/placement/placement.conf
once placement-db placement-manage db sync
uwsgi_ini placement /usr/bin/placement-api 1 2
start_svc placement 8778 "$S/placement-uwsgi.ini /etc/placement/placement.conf" \
  /usr/bin/uwsgi_python3 --http-socket $IP:8778 --ini "$S/placement-uwsgi.ini"
tmark "5 placement" "$t"

# ---------------------------------------------------------------- 6. Neutron: API under uwsgi + neutron-rpc-server (Debian 13's split)
t=$(now_ms)
mkdir -p "$R$S/neutron/tmp" "$R/etc/neutron/plugins/ml2"
install -m 0644 "$TEMPLATES/dpcloud_noop_mech.py" "$R$PYDIR/dpcloud_noop_mech.py"
mkdir -p "$R$PYDIR/dpcloud_noop_mech-1.0.dist-info"
printf 'Metadata-Version: 2.1\nName: dpcloud-noop-mech\nVersion: 1.0\n' >"$R$PYDIR/dpcloud_noop_mech-1.0.dist-info/METADATA"
printf '[neutron.ml2.mechanism_drivers]\ndpcloud_noop = dpcloud_noop_mech:NoopBindMechanismDriver\n' \
  >"$R$PYDIR/dpcloud_noop_mech-1.0.dist-info/entry_points.txt"
neutron_conf | write_if_changed /etc/neutron/neutron.conf
ml2_conf | write_if_changed /etc/neutron/plugins/ml2/ml2_conf.ini
NEUTRON_CONF=(--config-file /etc/neutron/neutron.conf --config-file /etc/neutron/plugins/ml2/ml2_conf.ini)
once neutron-db neutron-db-manage "${NEUTRON_CONF[@]}" upgrade heads
uwsgi_ini neutron-api /usr/bin/neutron-api 1 1 "pyargv = ${NEUTRON_CONF[*]}
env = PYTHONPATH=$PYDIR
paste-logger = true"
N_DEPS="/etc/neutron/neutron.conf /etc/neutron/plugins/ml2/ml2_conf.ini $PYDIR/dpcloud_noop_mech.py"
start_svc neutron-api 9696 "$N_DEPS $S/neutron-api-uwsgi.ini" \
  env PYTHONPATH="$PYDIR" /usr/bin/uwsgi_python3 --http-socket $IP:9696 --ini "$S/neutron-api-uwsgi.ini"
start_svc neutron-rpc - "$N_DEPS" env PYTHONPATH="$PYDIR" /usr/bin/neutron-rpc-server "${NEUTRON_CONF[@]}"
tmark "6 neutron" "$t"

# ---------------------------------------------------------------- 7. Nova
t=$(now_ms)
mkdir -p "$R$S/nova/instances" "$R$S/nova/tmp"
nova_conf | write_if_changed /etc/nova/nova.conf
cat >"$R$S/bin/nova-cells.sh" <<EOF
#!/bin/bash
set -e
nova-manage api_db sync
cells=\$(nova-manage cell_v2 list_cells 2>/dev/null)
[[ \$cells == *" cell0 "* ]] || nova-manage cell_v2 map_cell0 --database_connection "$DBURL/nova_cell0"
[[ \$cells == *" cell1 "* ]] || nova-manage cell_v2 create_cell --name cell1 --verbose
nova-manage db sync
EOF
chmod 0755 "$R$S/bin/nova-cells.sh"
once nova-db "$S/bin/nova-cells.sh"
# nova-compute without the nova-compute package (it pulls libvirt and qemu): this launcher
# runs nova.cmd.compute and makes the project's data-carrying fake driver loadable.
install -m 0644 "$TEMPLATES/dpcloud_fake_driver.py" "$R$PYDIR/dpcloud_fake_driver.py"
install -m 0644 "$HERE/templates/cloudb_fake_driver.py" "$R$PYDIR/cloudb_fake_driver.py"
write_if_changed "$S/bin/nova-compute" <<EOF
#!/usr/bin/python3
import sys
sys.path.insert(0, "$PYDIR")
import nova.cmd  # noqa: F401  (eventlet monkey patching first, as in the packaged scripts)
import dpcloud_fake_driver
sys.modules['nova.virt.dpcloud_fake'] = dpcloud_fake_driver
import cloudb_fake_driver
sys.modules['nova.virt.cloudb_fake'] = cloudb_fake_driver
from nova.cmd.compute import main
sys.exit(main())
EOF
chmod 0755 "$R$S/bin/nova-compute"
uwsgi_ini nova-api /usr/bin/nova-api-wsgi 2 1
start_svc nova-api 8774 "$S/nova-api-uwsgi.ini /etc/nova/nova.conf" \
  /usr/bin/uwsgi_python3 --http-socket $IP:8774 --ini "$S/nova-api-uwsgi.ini"
start_svc nova-conductor - /etc/nova/nova.conf /usr/bin/nova-conductor --config-file /etc/nova/nova.conf
start_svc nova-scheduler - /etc/nova/nova.conf /usr/bin/nova-scheduler --config-file /etc/nova/nova.conf
tmark "7 nova (api, conductor, scheduler)" "$t"

# ---------------------------------------------------------------- 8. Cinder (NFS driver on a bind mount; API under uwsgi as Debian 13 runs it)
t=$(now_ms)
mkdir -p "$R$S/cinder/tmp" "$R$S/cinder/nfs-export" "$R$S/cinder/conversion" "$R$MNT"
echo "$NFS_SHARE" | write_if_changed /etc/cinder/nfs_shares
ismnt "$R$MNT" || mount --bind "$R$S/cinder/nfs-export" "$R$MNT" || die "mount --bind failed"
cinder_conf | write_if_changed /etc/cinder/cinder.conf
once cinder-db cinder-manage db sync
C_DEPS="/etc/cinder/cinder.conf /etc/cinder/nfs_shares"
uwsgi_ini cinder-api /usr/bin/cinder-wsgi 1 4 "wsgi-manage-chunked-input = true"
start_svc cinder-api 8776 "$C_DEPS $S/cinder-api-uwsgi.ini" \
  /usr/bin/uwsgi_python3 --http-socket $IP:8776 --ini "$S/cinder-api-uwsgi.ini"
start_svc cinder-scheduler - "$C_DEPS" /usr/bin/cinder-scheduler --config-file /etc/cinder/cinder.conf
start_svc cinder-volume - "$C_DEPS" /usr/bin/cinder-volume --config-file /etc/cinder/cinder.conf
tmark "8 cinder" "$t"

# ---------------------------------------------------------------- 8b. Heat
t=$(now_ms)
mkdir -p "$R$S/heat/tmp"
heat_conf | write_if_changed /etc/heat/heat.conf
once heat-db heat-manage db_sync
start_svc heat-api 8004 /etc/heat/heat.conf /usr/bin/heat-api --config-file /etc/heat/heat.conf
start_svc heat-engine - /etc/heat/heat.conf /usr/bin/heat-engine --config-file /etc/heat/heat.conf
tmark "8b heat" "$t"

# ---------------------------------------------------------------- 8c. Swift (one node, one replica, a plain folder)
t=$(now_ms)
mkdir -p "$R$S/swift/node/d1" "$R/etc/swift"
[ -s "$R$S/swift/hash-suffix" ] || head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$R$S/swift/hash-suffix"
SWIFT_SUFFIX=$(cat "$R$S/swift/hash-suffix")
swift_write_confs write_if_changed
swift_rings inb
SWIFT_DEPS="/etc/swift/swift.conf $(cd "$R" && ls etc/swift/*.ring.gz | sed 's|^|/|' | tr '\n' ' ')"
start_svc memcached 11211 "" /usr/bin/memcached -l $IP -p 11211 -m 64 -u root
for s in account container object; do
  start_svc swift-$s - "$SWIFT_DEPS /etc/swift/$s-server.conf" /usr/bin/swift-$s-server /etc/swift/$s-server.conf -v
done
start_svc swift-proxy 8080 "$SWIFT_DEPS /etc/swift/proxy-server.conf" /usr/bin/swift-proxy-server /etc/swift/proxy-server.conf -v
tmark "8c swift" "$t"

# ---------------------------------------------------------------- 9. wait for every API

t=$(now_ms)
wait_http glance-api http://$IP:9292/ 120
wait_http placement http://$IP:8778/ 120
wait_http neutron-api http://$IP:9696/ 120
wait_http nova-api http://$IP:8774/ 120
wait_http cinder-api http://$IP:8776/ 120
wait_http heat-api http://$IP:8004/ 120
wait_http swift-proxy http://$IP:8080/healthcheck 120
tmark "9 wait until all APIs answer" "$t"
T_APIS=$(($(now_ms) - T0))

# ---------------------------------------------------------------- 10. nova-compute
t=$(now_ms)
# nova >= 2023.2 needs STATE_PATH/compute_id once the compute node exists; recover it from the
# database if it is missing (e.g. the node was first registered by a driver with random UUIDs)
if [ ! -s "$R$S/nova/compute_id" ]; then
  u=$(sql "SELECT uuid FROM nova.compute_nodes WHERE host='$NOVA_HOST' AND deleted=0 LIMIT 1" 2>/dev/null || true)
  [ -z "$u" ] || { echo "$u" >"$R$S/nova/compute_id"; echo "    wrote nova/compute_id $u from the database"; }
fi
T_NC=$(date +%s)   # registered = heartbeat newer than this (the DB rows may be from an earlier run)
start_svc nova-compute - "/etc/nova/nova.conf $S/bin/nova-compute $PYDIR/dpcloud_fake_driver.py $PYDIR/cloudb_fake_driver.py" \
  "$S/bin/nova-compute" --config-file /etc/nova/nova.conf
have() { [ -n "$(sql "$1" 2>/dev/null)" ]; }
for ((i = 0; ; i++)); do
  pid_alive nova-compute || die "nova-compute exited; see $LOG/nova-compute.log"
  [ $i -lt 600 ] || die "nova-compute did not register within two minutes; see $LOG/nova-compute.log"
  if have "SELECT 1 FROM nova.compute_nodes WHERE host='$NOVA_HOST' AND deleted=0" &&
     have "SELECT 1 FROM placement.resource_providers WHERE name='$NOVA_HOST'"; then
    if have "SELECT 1 FROM nova_api.host_mappings WHERE host='$NOVA_HOST'" &&
       have "SET time_zone='+00:00'; SELECT 1 FROM nova.services WHERE host='$NOVA_HOST' AND \`binary\`='nova-compute' AND deleted=0 AND updated_at >= FROM_UNIXTIME($T_NC)"; then
      break
    fi
    inb nova-manage cell_v2 discover_hosts --verbose >>"$LOG/nova-manage.log" 2>&1 || true
    continue
  fi
  sleep 0.2
done
tmark "10 nova-compute registered" "$t"

# ---------------------------------------------------------------- 11. flavors, public network, quotas
t=$(now_ms)
inb env DPCLOUD_PROFILE=b python3 "$S/bootstrap.py" resources "$PW" "$S" >>"$LOG/bootstrap.log" 2>&1 || { tail -20 "$LOG/bootstrap.log"; die "resource bootstrap failed"; }
tmark "11 flavors, network, quotas" "$t"

# ---------------------------------------------------------------- report
rss=0; pss=0; np=0; per=""
for s in "${SERVICES[@]}"; do
  p=$(pid_of "$s") || continue; srss=0
  for q in $p $(descendants "$p"); do
    r=$(awk '/^VmRSS:/ {print $2}' "/proc/$q/status" 2>/dev/null || true); srss=$((srss + ${r:-0}))
    r=$(awk '/^Pss:/ {print $2}' "/proc/$q/smaps_rollup" 2>/dev/null || true); pss=$((pss + ${r:-0}))
    np=$((np + 1))
  done
  rss=$((rss + srss)); per="$per $s=$((srss / 1024))"
done
echo
echo "================ second cloud up ================"
printf '%s\n' "${TIMES[@]}"
printf '  %-34s %5d.%01ds\n' "start -> all APIs answer" $((T_APIS / 1000)) $((T_APIS % 1000 / 100))
d=$(($(now_ms) - T0)); printf '  %-34s %5d.%01ds\n' "total" $((d / 1000)) $((d % 1000 / 100))
echo "  memory: RSS sum $((rss / 1024)) MiB, PSS sum $((pss / 1024)) MiB ($np processes)"
echo "  RSS per service (MiB):$per" | fold -s -w 100 | sed '2,$s/^/   /'
check_apis
echo "  netns: $NETNS   chroot: $R   clouds.yaml: $CLOUDS_OUT (clouds b-admin, b-src, b-dst)"
echo "  use:   OS_CLIENT_CONFIG_FILE=$CLOUDS_OUT ip netns exec $NETNS openstack --os-cloud b-dst server list"
