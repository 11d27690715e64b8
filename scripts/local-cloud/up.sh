#!/bin/bash
# Local OpenStack (Zed) test cloud for Downpour, built from Debian 12 packages.
#
# Everything listens on 127.0.0.1 only: MariaDB, RabbitMQ, Keystone, Glance (file store),
# Placement, Nova (fake compute driver whose snapshots carry data), Neutron (ML2 without
# agents), Cinder (NFS driver on a bind-mounted local folder, so volumes hold real bytes)
# and Heat. No systemd is needed: each daemon runs in the background with its own log,
# and its PID is recorded under the state folder.
#
# Usage (as root):
#   scripts/local-cloud/up.sh              install (if needed), configure, start, bootstrap
#   eval "$(scripts/local-cloud/env.sh)"   then: openstack --os-cloud src server list
#   scripts/local-cloud/status.sh          exit 0 iff every API answers
#   scripts/local-cloud/down.sh [--wipe]   stop what up.sh started; --wipe also deletes all state
#
# Environment: DPCLOUD_STATE (default /var/lib/downpour-cloud), DPCLOUD_PASSWORD (set it
# before the first run only; changing it later needs `down.sh --wipe`).
#
# Running it again is safe. When every recorded process is alive, every API answers and the
# last bootstrap was done by this version of the scripts, it only checks and exits. Otherwise
# it walks all steps, skipping what is already installed, synced, running or created; a
# running service is restarted only if its configuration changed.
set -euo pipefail
umask 022

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# system tools and the system python3 only (no pyenv/virtualenv shims)
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
unset PYTHONPATH PYTHONHOME VIRTUAL_ENV
export DEBIAN_FRONTEND=noninteractive
# shellcheck source=lib.sh
. "$HERE/lib.sh"

PW=${DPCLOUD_PASSWORD:-dpcloud-secret}
DBURL="mysql+pymysql://dpcloud:${PW}@${IP}:3306"
RABBIT="rabbit://guest:guest@${IP}:5672/"
KS=http://${IP}:5000
SOCK=$STATE/mysql/mysqld.sock
PY=/usr/bin/python3
PYDIR=$STATE/python          # our two small python modules (never installed system-wide)
NOVA_HOST=dpcloud
NFS_SHARE="$IP:$STATE/cinder/nfs-export"
MNT="$STATE/cinder/mnt/$(printf '%s' "$NFS_SHARE" | md5sum | cut -d' ' -f1)"
# what makes this cloud itself, for the configuration files both clouds share
CONF_STATE=$STATE
REGION=RegionOne
NOVA_DRIVER=dpcloud_fake.DataFakeDriver
DEFAULT_VOLUME_TYPE=__DEFAULT__
FLAT_NETWORK=public
LEGACY_POLICY=yes
SWIFT_POLICIES="0:Policy-0:default 1:gold"
# shellcheck source=../lib/service-conf.sh
. "$HERE/../lib/service-conf.sh"
# shellcheck source=../lib/swift.sh
. "$HERE/../lib/swift.sh"
export OS_CLIENT_CONFIG_FILE=$STATE/clouds.yaml

now_ms() { local t=${EPOCHREALTIME//[.,]/}; echo $((t / 1000)); }
T0=$(now_ms)
TIMES=()
tmark() { # tmark LABEL START_MS
  local d=$(($(now_ms) - $2))
  TIMES+=("$(printf '  %-34s %4d.%01ds' "$1" $((d / 1000)) $((d % 1000 / 100)))")
  printf '>>> %s: %d.%01ds\n' "$1" $((d / 1000)) $((d % 1000 / 100))
}
die() { echo "ERROR: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root"
mkdir -p "$STATE" "$LOG" "$RUN" "$STATE/bin" "$STATE/done" "$PYDIR"
chmod 0755 "$STATE"

# one up.sh at a time; a second caller waits, then usually takes the fast path
exec 9>"$STATE/.up.lock"
flock -n 9 || { echo ">>> another up.sh or down.sh is running; waiting for it"; flock -w 1800 9 || die "lock wait timed out"; }

# The scripts' own content is the version: a changed script never takes the fast path.
VERSION=$(cat "$HERE/up.sh" "$HERE/lib.sh" "$HERE"/../lib/*.sh "$HERE/bootstrap.py" "$HERE"/templates/*.py | sha256sum | cut -c1-16)

# ---------------------------------------------------------------- fast path
fast_path() {
  [ "$(cat "$STATE/bootstrap.done" 2>/dev/null)" = "$VERSION" ] || return 1
  local s
  for s in "${SERVICES[@]}"; do pid_alive "$s" || { echo "    $s is not running"; return 1; }; done
  grep -q " $MNT " /proc/mounts || { echo "    cinder bind mount missing"; return 1; }
  check_apis
}
if [ -f "$STATE/bootstrap.done" ]; then
  echo ">>> checking the running cloud"
  if fast_path; then
    echo "local cloud already up ($(( $(now_ms) - T0 )) ms); OS_CLIENT_CONFIG_FILE=$STATE/clouds.yaml"
    exit 0
  fi
  echo ">>> not everything is up (or the scripts changed): full run"
fi
rm -f "$STATE/bootstrap.done"

# ---------------------------------------------------------------- helpers
port_open() { (exec 3<>"/dev/tcp/$IP/$1") 2>/dev/null; }

# start_svc NAME PORT|- "CONFIG FILES" CMD...
# Starts CMD detached via setsid (log: $LOG/NAME.log) unless our recorded process is alive with
# the same command and config; restarts it if either changed. Refuses ports held by strangers.
start_svc() {
  local name=$1 port=$2 deps=$3 h pid; shift 3
  # shellcheck disable=SC2086
  h=$( { printf '%s\n' "$*"; [ -z "$deps" ] || cat $deps 2>/dev/null || true; } | sha256sum | cut -c1-16)
  if pid_alive "$name"; then
    if [ "$(cat "$RUN/$name.cfg" 2>/dev/null)" = "$h" ]; then
      echo "    $name already running (pid $(pid_of "$name"))"; return 0
    fi
    echo "    $name: command or configuration changed, restarting"
    stop_services "$name"
  fi
  if [ "$port" != - ] && port_open "$port"; then
    die "port $port is in use by a process this script did not start (wanted for $name)"
  fi
  echo "    starting $name"
  setsid "$@" >>"$LOG/$name.log" 2>&1 </dev/null 9>&- &   # 9>&-: daemons must not hold the lock
  pid=$!
  echo "$pid $(proc_start "$pid")" >"$RUN/$name.pid"
  echo "$h" >"$RUN/$name.cfg"
}

wait_port() { # wait_port PORT SECONDS
  local i; for ((i = 0; i < $2 * 5; i++)); do port_open "$1" && return 0; sleep 0.2; done
  die "port $1 did not open within $2 s"
}
wait_http() { # wait_http NAME URL SECONDS (any HTTP status below 500 counts)
  local i code=000
  for ((i = 0; i < $3 * 4; i++)); do
    code=$(curl -s -o /dev/null -m 5 -w '%{http_code}' "$2" || true)
    if [ "${code:-000}" != 000 ] && [ "$code" -lt 500 ]; then return 0; fi
    pid_alive "$1" || die "$1 exited; last lines of $LOG/$1.log:$(echo; tail -20 "$LOG/$1.log")"
    sleep 0.25
  done
  die "$2 did not answer within $3 s (last code $code, see $LOG/$1.log)"
}
sql() { mariadb --socket="$SOCK" -uroot -N -B -e "$1"; }

write_if_changed() { # write_if_changed FILE < content; keeps the packaged original as FILE.dist
  local f=$1 tmp; tmp=$(mktemp)
  cat >"$tmp"
  if [ -f "$f" ] && [ ! -f "$f.dist" ]; then cp -p "$f" "$f.dist"; fi
  if ! cmp -s "$tmp" "$f" 2>/dev/null; then install -m 0640 "$tmp" "$f"; fi
  rm -f "$tmp"
}

# once KEY LOGFILE CMD...: run CMD unless it already succeeded with these packages and database URL
once() {
  local key=$1 logf=$2; shift 2
  if [ "$(cat "$STATE/done/$key" 2>/dev/null)" = "$PKGVER" ]; then return 0; fi
  if "$@" >>"$logf" 2>&1; then echo "$PKGVER" >"$STATE/done/$key"
  else tail -20 "$logf"; die "$key failed (see $logf)"; fi
}

# ---------------------------------------------------------------- 1. packages
PKGS=(mariadb-server python3-pymysql rabbitmq-server crudini sudo curl bc procps nfs-common qemu-utils
      uwsgi-plugin-python3
      keystone glance-api placement-api python3-osc-placement
      nova-api nova-conductor nova-scheduler nova-common
      neutron-server cinder-api cinder-scheduler cinder-volume
      heat-api heat-engine
      python3-openstackclient python3-openstacksdk python3-heatclient
      "${SWIFT_PACKAGES[@]}")

t=$(now_ms)
# (dpkg-query fails when a package is unknown to dpkg; that only means "missing")
installed=" $( { dpkg-query -W -f='${db:Status-Abbrev}|${Package}\n' "${PKGS[@]}" 2>/dev/null || true; } | awk -F'|' '$1 ~ /^ii/ {printf "%s ", $2}')"
missing=()
for p in "${PKGS[@]}"; do [[ $installed == *" $p "* ]] || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo ">>> installing ${#missing[@]} packages: ${missing[*]}"
  # no systemd here, and no package may start a daemon on its own: this script starts them on 127.0.0.1
  if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod 0755 /usr/sbin/policy-rc.d; fi
  # answer "no" to every debconf question that would touch a database, RabbitMQ or Keystone
  for q in keystone/configure_db keystone/create-admin-tenant keystone/register-endpoint \
           glance/configure_db glance/register-endpoint placement/configure_db placement/register-endpoint placement/configure_ksat \
           nova/configure_db nova/configure_api-endpoint nova/configure_ksat nova/configure_rabbit nova/configure_neutron \
           neutron/configure_db neutron/register-endpoint neutron/configure_ksat neutron/configure_rabbit \
           cinder/configure_db cinder/register-endpoint cinder/configure_ksat cinder/configure_rabbit \
           heat/configure_db heat/register-endpoint heat/configure_ksat heat/configure_rabbit; do
    echo "${q%%/*} $q boolean false"
  done | debconf-set-selections
  apt_install() {
    host_apt install -y --no-install-recommends -o Acquire::Retries=3 -o Dpkg::Options::=--force-confold \
      "${missing[@]}" >>"$LOG/apt.log" 2>&1
  }
  apt_update() { echo "    apt-get update"; host_apt update -o Acquire::Retries=3 >>"$LOG/apt.log" 2>&1 || die "apt-get update failed (see $LOG/apt.log)"; }
  # refresh the package lists first only when there are none or they are older than a week
  if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -mtime -7 2>/dev/null | head -1)" ]; then apt_update; fi
  if ! apt_install; then
    echo "    install failed, refreshing package lists and retrying"
    apt_update
    apt_install || { tail -30 "$LOG/apt.log"; die "apt-get install failed (see $LOG/apt.log)"; }
  fi
fi
for b in mariadbd rabbitmq-server uwsgi_python3 keystone-manage glance-api neutron-server nova-api-wsgi cinder-volume heat-engine openstack curl; do
  [ -x "/usr/sbin/$b" ] || [ -x "/usr/bin/$b" ] || [ -x "/usr/lib/rabbitmq/bin/$b" ] || die "$b missing after install"
done
# db syncs and keystone bootstrap run again when a package version or the database URL changes
PKGVER=$( { dpkg-query -W -f='${Package} ${Version}\n' "${PKGS[@]}"; echo "$DBURL"; } | sha256sum | cut -c1-16)
tmark "1 packages" "$t"

# ---------------------------------------------------------------- 2. MariaDB, RabbitMQ
t=$(now_ms)
grep -q '^127\.0\.0\.1.*\blocalhost\b' /etc/hosts || die "/etc/hosts has no '127.0.0.1 localhost' line (RabbitMQ needs it)"
mkdir -p "$STATE/mysql"; chown mysql:mysql "$STATE/mysql"
write_if_changed "$STATE/my.cnf" <<EOF
[mysqld]
datadir = $STATE/mysql/data
socket = $SOCK
pid-file = $STATE/mysql/mysqld.pid
bind-address = $IP
port = 3306
skip-name-resolve
max_connections = 1000
innodb_buffer_pool_size = 128M
innodb_flush_log_at_trx_commit = 2
character-set-server = utf8mb4
collation-server = utf8mb4_general_ci
log-error = $LOG/mariadb.err
[client]
socket = $SOCK
EOF
chmod 0644 "$STATE/my.cnf"
if [ ! -d "$STATE/mysql/data/mysql" ]; then
  mariadb-install-db --defaults-file="$STATE/my.cnf" --user=mysql --auth-root-authentication-method=socket \
    >"$LOG/mariadb-install.log" 2>&1 || die "mariadb-install-db failed (see $LOG/mariadb-install.log)"
fi
start_svc mariadb 3306 "$STATE/my.cnf" /usr/sbin/mariadbd --defaults-file="$STATE/my.cnf" --user=mysql

# RabbitMQ: epmd and the node on loopback only; its cookie lives in the state folder
RMQ=$STATE/rabbitmq
mkdir -p "$RMQ/mnesia" "$LOG/rabbitmq"
write_if_changed "$RMQ/rabbitmq.conf" <<EOF
listeners.tcp.default = $IP:5672
loopback_users.guest = true
EOF
echo '[].' >"$RMQ/enabled_plugins"
RMQ_ENV=(env HOME="$RMQ" RABBITMQ_NODENAME=rabbit@localhost RABBITMQ_MNESIA_BASE="$RMQ/mnesia"
         RABBITMQ_LOG_BASE="$LOG/rabbitmq" RABBITMQ_CONFIG_FILE="$RMQ/rabbitmq.conf"
         RABBITMQ_ENABLED_PLUGINS_FILE="$RMQ/enabled_plugins" RABBITMQ_DIST_PORT=25672
         ERL_EPMD_ADDRESS=$IP ERL_EPMD_PORT=4369
         "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS=-kernel inet_dist_use_interface {127,0,0,1}"
         "RABBITMQ_CTL_ERL_ARGS=-kernel inet_dist_use_interface {127,0,0,1}")
# epmd first, or RabbitMQ would start its own on every interface
start_svc epmd 4369 "" /usr/bin/epmd -address $IP -port 4369
wait_port 4369 20
start_svc rabbitmq 5672 "$RMQ/rabbitmq.conf" "${RMQ_ENV[@]}" /usr/lib/rabbitmq/bin/rabbitmq-server
wait_port 3306 60
wait_port 5672 120
for db in keystone glance placement nova_api nova nova_cell0 neutron cinder heat; do
  sql "CREATE DATABASE IF NOT EXISTS $db; CREATE USER IF NOT EXISTS 'dpcloud'@'127.0.0.1' IDENTIFIED BY '$PW';
       GRANT ALL PRIVILEGES ON \`$db\`.* TO 'dpcloud'@'127.0.0.1';"
done
tmark "2 mariadb + rabbitmq" "$t"

# ---------------------------------------------------------------- 3. Keystone
t=$(now_ms)
mkdir -p "$STATE/keystone/fernet-keys" "$STATE/keystone/credential-keys"
keystone_conf | write_if_changed /etc/keystone/keystone.conf
once keystone-db "$LOG/keystone-manage.log" keystone-manage db_sync
[ -f "$STATE/keystone/fernet-keys/0" ] || keystone-manage fernet_setup --keystone-user root --keystone-group root >>"$LOG/keystone-manage.log" 2>&1
[ -f "$STATE/keystone/credential-keys/0" ] || keystone-manage credential_setup --keystone-user root --keystone-group root >>"$LOG/keystone-manage.log" 2>&1
once keystone-bootstrap "$LOG/keystone-manage.log" keystone-manage bootstrap --bootstrap-password "$PW" \
  --bootstrap-username admin --bootstrap-project-name admin --bootstrap-role-name admin \
  --bootstrap-service-name keystone --bootstrap-region-id RegionOne \
  --bootstrap-admin-url $KS/v3/ --bootstrap-internal-url $KS/v3/ --bootstrap-public-url $KS/v3/

uwsgi_ini() { # uwsgi_ini NAME WSGI_SCRIPT PROCESSES THREADS -> $STATE/NAME-uwsgi.ini
  # Debian's own ini files bind [::] and switch user, so we write ours. "Connection: close" is
  # required with --http-socket: keystoneauth reuses connections and the second request on one
  # would otherwise be reset by uwsgi.
  write_if_changed "$STATE/$1-uwsgi.ini" <<EOF
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
chdir = $STATE
EOF
}
uwsgi_ini keystone /usr/bin/keystone-wsgi-public 2 2
start_svc keystone 5000 "$STATE/keystone-uwsgi.ini /etc/keystone/keystone.conf" \
  /usr/bin/uwsgi_python3 --http-socket $IP:5000 --ini "$STATE/keystone-uwsgi.ini"
wait_http keystone $KS/v3 90

# clouds.yaml: the admin and two ordinary tenants; readable by root only (it holds passwords)
tmp=$(mktemp "$STATE/.clouds.XXXXXX")
{
  echo "clouds:"
  for c in admin:admin:admin src:src-user:src dst:dst-user:dst; do
    IFS=: read -r cname user proj <<<"$c"
    cat <<EOF
  $cname:
    auth:
      auth_url: $KS/v3
      username: $user
      password: $PW
      project_name: $proj
      user_domain_name: Default
      project_domain_name: Default
    region_name: RegionOne
    identity_api_version: 3
    volume_api_version: 3
    interface: public
EOF
  done
} >"$tmp"
chmod 0600 "$tmp"
mv -f "$tmp" "$STATE/clouds.yaml"
$PY "$HERE/bootstrap.py" identity "$PW" >>"$LOG/bootstrap.log" 2>&1 || { tail -20 "$LOG/bootstrap.log"; die "identity bootstrap failed"; }
tmark "3 keystone + identity" "$t"

# ---------------------------------------------------------------- 4. Glance (file store)
t=$(now_ms)
mkdir -p "$STATE/glance/images" "$STATE/glance/staging" "$STATE/glance/tasks" "$STATE/glance/tmp"
# Glance runs on its own eventlet server, which takes chunked uploads and ignores the
# x-openstack-image-size hint of newer clients; the file store writes straight to disk.
glance_conf | write_if_changed /etc/glance/glance-api.conf
once glance-db "$LOG/glance-manage.log" glance-manage db_sync
start_svc glance-api 9292 /etc/glance/glance-api.conf /usr/bin/glance-api --config-file /etc/glance/glance-api.conf
tmark "4 glance" "$t"

# ---------------------------------------------------------------- 5. Placement
t=$(now_ms)
placement_conf | write_if_changed /etc/placement/placement.conf
once placement-db "$LOG/placement-manage.log" placement-manage db sync
uwsgi_ini placement /usr/bin/placement-api 1 2
start_svc placement 8778 "$STATE/placement-uwsgi.ini /etc/placement/placement.conf" \
  /usr/bin/uwsgi_python3 --http-socket $IP:8778 --ini "$STATE/placement-uwsgi.ini"
tmark "5 placement" "$t"

# ---------------------------------------------------------------- 6. Neutron (before Nova, which needs it to boot)
t=$(now_ms)
mkdir -p "$STATE/neutron/tmp" /etc/neutron/plugins/ml2
# The agent-less mechanism driver, found by neutron through an entry point in PYDIR.
install -m 0644 "$HERE/templates/dpcloud_noop_mech.py" "$PYDIR/dpcloud_noop_mech.py"
mkdir -p "$PYDIR/dpcloud_noop_mech-1.0.dist-info"
printf 'Metadata-Version: 2.1\nName: dpcloud-noop-mech\nVersion: 1.0\n' >"$PYDIR/dpcloud_noop_mech-1.0.dist-info/METADATA"
printf '[neutron.ml2.mechanism_drivers]\ndpcloud_noop = dpcloud_noop_mech:NoopBindMechanismDriver\n' \
  >"$PYDIR/dpcloud_noop_mech-1.0.dist-info/entry_points.txt"
neutron_conf | write_if_changed /etc/neutron/neutron.conf
ml2_conf | write_if_changed /etc/neutron/plugins/ml2/ml2_conf.ini
NEUTRON_CONF=(--config-file /etc/neutron/neutron.conf --config-file /etc/neutron/plugins/ml2/ml2_conf.ini)
once neutron-db "$LOG/neutron-db-manage.log" neutron-db-manage "${NEUTRON_CONF[@]}" upgrade heads
start_svc neutron-server 9696 "/etc/neutron/neutron.conf /etc/neutron/plugins/ml2/ml2_conf.ini $PYDIR/dpcloud_noop_mech.py" \
  env PYTHONPATH="$PYDIR" /usr/bin/neutron-server "${NEUTRON_CONF[@]}"
tmark "6 neutron" "$t"

# ---------------------------------------------------------------- 7. Nova
t=$(now_ms)
mkdir -p "$STATE/nova/instances" "$STATE/nova/tmp"
nova_conf | write_if_changed /etc/nova/nova.conf
nova_cells() {
  local cells
  nova-manage api_db sync || return 1
  cells=$(nova-manage cell_v2 list_cells 2>/dev/null) || return 1
  if [[ $cells != *" cell0 "* ]]; then
    nova-manage cell_v2 map_cell0 --database_connection "$DBURL/nova_cell0" || return 1
  fi
  if [[ $cells != *" cell1 "* ]]; then nova-manage cell_v2 create_cell --name cell1 --verbose || return 1; fi
  nova-manage db sync
}
once nova-db "$LOG/nova-manage.log" nova_cells
# The packaged /usr/bin/nova-compute comes with the nova-compute package, which pulls in
# libvirt and qemu. This launcher does what that script does, and also makes our driver
# loadable as nova.virt.dpcloud_fake (nova only loads drivers from nova.virt.*).
install -m 0644 "$HERE/templates/dpcloud_fake_driver.py" "$PYDIR/dpcloud_fake_driver.py"
write_if_changed "$STATE/bin/nova-compute" <<EOF
#!/usr/bin/python3
# nova-compute with the data-carrying fake driver
import sys
sys.path.insert(0, "$PYDIR")
import nova.cmd  # noqa: F401  (eventlet monkey patching first, as in the packaged script)
import dpcloud_fake_driver
sys.modules['nova.virt.dpcloud_fake'] = dpcloud_fake_driver
from nova.cmd.compute import main
sys.exit(main())
EOF
chmod 0755 "$STATE/bin/nova-compute"
uwsgi_ini nova-api /usr/bin/nova-api-wsgi 2 1
start_svc nova-api 8774 "$STATE/nova-api-uwsgi.ini /etc/nova/nova.conf" \
  /usr/bin/uwsgi_python3 --http-socket $IP:8774 --ini "$STATE/nova-api-uwsgi.ini"
start_svc nova-conductor - /etc/nova/nova.conf /usr/bin/nova-conductor --config-file /etc/nova/nova.conf
start_svc nova-scheduler - /etc/nova/nova.conf /usr/bin/nova-scheduler --config-file /etc/nova/nova.conf
tmark "7 nova (api, conductor, scheduler)" "$t"

# ---------------------------------------------------------------- 8. Cinder (NFS driver on a bind-mounted local folder)
t=$(now_ms)
mkdir -p "$STATE/cinder/tmp" "$STATE/cinder/nfs-export" "$STATE/cinder/conversion" "$MNT"
echo "$NFS_SHARE" | write_if_changed /etc/cinder/nfs_shares
# The NFS driver decides that its share is mounted by looking for the mount point in
# /proc/mounts. A bind mount of a local folder satisfies it: volumes become sparse files
# with real bytes, and no NFS server or traffic is involved.
grep -q " $MNT " /proc/mounts || mount --bind "$STATE/cinder/nfs-export" "$MNT" \
  || die "mount --bind failed (root with CAP_SYS_ADMIN is needed)"
cinder_conf | write_if_changed /etc/cinder/cinder.conf
once cinder-db "$LOG/cinder-manage.log" cinder-manage db sync
CINDER_DEPS="/etc/cinder/cinder.conf /etc/cinder/nfs_shares"
start_svc cinder-api 8776 "$CINDER_DEPS" /usr/bin/cinder-api --config-file /etc/cinder/cinder.conf
start_svc cinder-scheduler - "$CINDER_DEPS" /usr/bin/cinder-scheduler --config-file /etc/cinder/cinder.conf
start_svc cinder-volume - "$CINDER_DEPS" /usr/bin/cinder-volume --config-file /etc/cinder/cinder.conf
tmark "8 cinder" "$t"

# ---------------------------------------------------------------- 9. Heat
t=$(now_ms)
mkdir -p "$STATE/heat/tmp"
heat_conf | write_if_changed /etc/heat/heat.conf
once heat-db "$LOG/heat-manage.log" heat-manage db_sync
start_svc heat-api 8004 /etc/heat/heat.conf /usr/bin/heat-api --config-file /etc/heat/heat.conf
start_svc heat-engine - /etc/heat/heat.conf /usr/bin/heat-engine --config-file /etc/heat/heat.conf
tmark "9 heat" "$t"

# ---------------------------------------------------------------- 9b. Swift (one node, one replica, a plain folder)
t=$(now_ms)
mkdir -p "$STATE/swift/node/d1" /etc/swift
[ -s "$STATE/swift/hash-suffix" ] || head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$STATE/swift/hash-suffix"
SWIFT_SUFFIX=$(cat "$STATE/swift/hash-suffix")
swift_write_confs write_if_changed
swift_rings ""
SWIFT_DEPS="/etc/swift/swift.conf $(ls /etc/swift/*.ring.gz | tr '\n' ' ')"
start_svc memcached 11211 "" /usr/bin/memcached -l $IP -p 11211 -m 64 -u root
for s in account container object; do
  start_svc swift-$s - "$SWIFT_DEPS /etc/swift/$s-server.conf" /usr/bin/swift-$s-server /etc/swift/$s-server.conf -v
done
start_svc swift-proxy 8080 "$SWIFT_DEPS /etc/swift/proxy-server.conf" /usr/bin/swift-proxy-server /etc/swift/proxy-server.conf -v
tmark "9b swift" "$t"

# ---------------------------------------------------------------- 10. wait for every API
t=$(now_ms)
wait_http glance-api http://$IP:9292/ 120
wait_http placement http://$IP:8778/ 120
wait_http neutron-server http://$IP:9696/ 120
wait_http nova-api http://$IP:8774/ 120
wait_http cinder-api http://$IP:8776/ 120
wait_http heat-api http://$IP:8004/ 120
wait_http swift-proxy http://$IP:8080/healthcheck 120
tmark "10 wait until all APIs answer" "$t"
T_APIS=$(($(now_ms) - T0))

# ---------------------------------------------------------------- 11. nova-compute, mapped into cell1
# Fake servers exist only in nova-compute's memory: restarting it (e.g. after a change to
# nova.conf or the driver) turns every existing server SHUTOFF.
t=$(now_ms)
start_svc nova-compute - "/etc/nova/nova.conf $STATE/bin/nova-compute $PYDIR/dpcloud_fake_driver.py" \
  "$STATE/bin/nova-compute" --config-file /etc/nova/nova.conf
have() { [ -n "$(sql "$1" 2>/dev/null)" ]; }
for ((i = 0; ; i++)); do
  pid_alive nova-compute || die "nova-compute exited; see $LOG/nova-compute.log"
  [ $i -lt 300 ] || die "nova-compute did not register within a minute; see $LOG/nova-compute.log"
  if have "SELECT 1 FROM nova.compute_nodes WHERE host='$NOVA_HOST' AND deleted=0" &&
     have "SELECT 1 FROM placement.resource_providers WHERE name='$NOVA_HOST'"; then
    have "SELECT 1 FROM nova_api.host_mappings WHERE host='$NOVA_HOST'" && break
    nova-manage cell_v2 discover_hosts --verbose >>"$LOG/nova-manage.log" 2>&1 || true
    continue
  fi
  sleep 0.2
done
tmark "11 nova-compute registered" "$t"

# ---------------------------------------------------------------- 12. what an operator provides
t=$(now_ms)
$PY "$HERE/bootstrap.py" resources "$PW" "$STATE" >>"$LOG/bootstrap.log" 2>&1 \
  || { tail -20 "$LOG/bootstrap.log"; die "resource bootstrap failed"; }
tmark "12 flavors, network, image, quotas" "$t"

echo "$VERSION" >"$STATE/bootstrap.done"

# ---------------------------------------------------------------- report
rss=0; pss=0; nproc_=0; per=""
for s in "${SERVICES[@]}"; do
  p=$(pid_of "$s"); srss=0
  for q in $p $(descendants "$p"); do
    r=$(awk '/^VmRSS:/ {print $2}' "/proc/$q/status" 2>/dev/null || true); srss=$((srss + ${r:-0}))
    r=$(awk '/^Pss:/ {print $2}' "/proc/$q/smaps_rollup" 2>/dev/null || true); pss=$((pss + ${r:-0}))
    nproc_=$((nproc_ + 1))
  done
  rss=$((rss + srss)); per="$per $s=$((srss / 1024))"
done
echo
echo "================ local cloud up ================"
printf '%s\n' "${TIMES[@]}"
printf '  %-34s %4d.%01ds\n' "start -> all APIs answer" $((T_APIS / 1000)) $((T_APIS % 1000 / 100))
d=$(($(now_ms) - T0)); printf '  %-34s %4d.%01ds\n' "total" $((d / 1000)) $((d % 1000 / 100))
echo "  memory: RSS sum $((rss / 1024)) MiB, PSS sum $((pss / 1024)) MiB ($nproc_ processes)"
echo "  RSS per service (MiB):$per" | fold -s -w 100 | sed '2,$s/^/   /'
check_apis
echo "  clouds.yaml: $STATE/clouds.yaml (clouds admin, src, dst); logs: $LOG"
echo "  use: eval \"\$($HERE/env.sh)\"; openstack --os-cloud src server list"
