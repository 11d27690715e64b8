# shellcheck shell=bash
# Settings and helpers shared by up.sh, down.sh, status.sh and env.sh. Sourced, never run.

STATE=${DPCLOUD_STATE:-/var/lib/downpour-cloud}
RUN=$STATE/run   # NAME.pid ("PID STARTTIME") and NAME.cfg (hash of the config it was started with)
LOG=$STATE/log
IP=127.0.0.1

# name and URL of every API; any HTTP status below 500 counts as "answers"
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

# every process up.sh starts, in start order
SERVICES=(mariadb epmd rabbitmq keystone glance-api placement neutron-server
          nova-api nova-conductor nova-scheduler cinder-api cinder-scheduler cinder-volume
          heat-api heat-engine memcached swift-account swift-container swift-object
          swift-proxy nova-compute)

# shellcheck source=../lib/procs.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/procs.sh"
