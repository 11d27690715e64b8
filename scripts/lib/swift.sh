# shellcheck shell=bash
# Swift for both local clouds: one node, one replica, a plain directory (Swift keeps its metadata
# in the file system's user xattrs), behind Keystone, with the s3api middleware on. Sourced,
# never run; the configuration files come from service-conf.sh's variables plus:
#
#   SWIFT_POLICIES   "INDEX:NAME[:default]" words, one per storage policy; each gets a ring
#   SWIFT_SUFFIX     the cluster's hash path suffix (made once per cloud, kept in its state)
#
# The servers run in the foreground with -v, so their log lines go to the log file start_svc
# gives them; workers = 0 keeps each server one process, whose PID is the one recorded. The proxy
# keeps validated tokens and account and container info in memcached, as every real Swift does:
# without it each request asks Keystone again. No container updater runs: its sweep of every
# partition kept a core busy for minutes, and all it brings is the account's byte and object
# counts, which lag behind (the containers' own counts are exact).

SWIFT_PACKAGES=(swift swift-proxy swift-account swift-container swift-object python3-keystonemiddleware memcached)

swift_conf() { # /etc/swift/swift.conf
  local p idx name dflt
  printf '[swift-hash]\nswift_hash_path_suffix = %s\nswift_hash_path_prefix = downpour\n' "$SWIFT_SUFFIX"
  for p in $SWIFT_POLICIES; do
    IFS=: read -r idx name dflt <<<"$p"
    printf '[storage-policy:%s]\nname = %s\n' "$idx" "$name"
    [ "$dflt" != default ] || printf 'default = yes\n'
  done
}

swift_storage_conf() { # swift_storage_conf account|container|object PORT
  sed '/^$/d' <<EOF
[DEFAULT]
bind_ip = $IP
bind_port = $2
workers = 0
user = root
swift_dir = /etc/swift
devices = $CONF_STATE/swift/node
mount_check = false
disable_fallocate = true
[pipeline:main]
pipeline = $1-server
[app:$1-server]
use = egg:swift#$1
$( [ "$1" != container ] || echo 'allow_versions = true' )
EOF
}

swift_proxy_conf() { # /etc/swift/proxy-server.conf
  sed '/^$/d' <<EOF
[DEFAULT]
bind_ip = $IP
bind_port = 8080
workers = 0
user = root
swift_dir = /etc/swift
[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats bulk tempurl s3api s3token authtoken keystoneauth copy container-quotas account-quotas slo dlo versioned_writes symlink proxy-logging proxy-server
[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true
allow_account_management = false
[filter:catch_errors]
use = egg:swift#catch_errors
[filter:gatekeeper]
use = egg:swift#gatekeeper
[filter:healthcheck]
use = egg:swift#healthcheck
[filter:proxy-logging]
use = egg:swift#proxy_logging
[filter:cache]
use = egg:swift#memcache
memcache_servers = $IP:11211
[filter:listing_formats]
use = egg:swift#listing_formats
[filter:bulk]
use = egg:swift#bulk
[filter:tempurl]
use = egg:swift#tempurl
[filter:s3api]
use = egg:swift#s3api
location = $REGION
[filter:s3token]
use = egg:swift#s3token
auth_uri = $KS/v3
reseller_prefix = AUTH_
delay_auth_decision = False
[filter:authtoken]
paste.filter_factory = keystonemiddleware.auth_token:filter_factory
$(ks_authtoken swift)
delay_auth_decision = True
cache = swift.cache
[filter:keystoneauth]
use = egg:swift#keystoneauth
operator_roles = admin, member, swiftoperator
project_reader_roles = reader
reseller_admin_role = ResellerAdmin
[filter:copy]
use = egg:swift#copy
[filter:container-quotas]
use = egg:swift#container_quotas
[filter:account-quotas]
use = egg:swift#account_quotas
[filter:slo]
use = egg:swift#slo
[filter:dlo]
use = egg:swift#dlo
[filter:versioned_writes]
use = egg:swift#versioned_writes
allow_versioned_writes = true
allow_object_versioning = true
[filter:symlink]
use = egg:swift#symlink
EOF
}

# swift_write_confs WRITE: writes every Swift file through WRITE PATH (write_if_changed of the
# caller, which knows whether the path is inside a chroot)
swift_write_confs() {
  local write=$1
  swift_conf | "$write" /etc/swift/swift.conf
  swift_proxy_conf | "$write" /etc/swift/proxy-server.conf
  swift_storage_conf account 6202 | "$write" /etc/swift/account-server.conf
  swift_storage_conf container 6201 | "$write" /etc/swift/container-server.conf
  swift_storage_conf object 6200 | "$write" /etc/swift/object-server.conf
}

# swift_rings RUN: builds the rings once (one device, one replica) with RUN CMD... (a prefix that
# runs a command where the cloud's files are); a ring that exists is left alone
swift_rings() {
  local run=$1 t n p idx name dflt
  local rings=("account:6202" "container:6201")
  for p in $SWIFT_POLICIES; do
    IFS=: read -r idx name dflt <<<"$p"
    if [ "$idx" = 0 ]; then rings+=("object:6200"); else rings+=("object-$idx:6200"); fi
  done
  for t in "${rings[@]}"; do
    n=${t%%:*}; p=${t##*:}
    $run sh -c "cd /etc/swift && [ -f $n.ring.gz ] || {
      swift-ring-builder $n.builder create 10 1 1 &&
      swift-ring-builder $n.builder add r1z1-$IP:$p/d1 100 &&
      { swift-ring-builder $n.builder rebalance || [ -f $n.ring.gz ]; }; }" >/dev/null
  done
}
