# shellcheck shell=bash
# The configuration files of both local clouds' services, written once. What differs between
# the two clouds is a variable, so each difference is named where the cloud sets it. Sourced,
# never run.
#
# Each NAME_conf prints one file. They read CONF_STATE (the state folder as the services see
# it), IP, KS, PW, DBURL, RABBIT, REGION, NOVA_HOST, NOVA_DRIVER, DEFAULT_VOLUME_TYPE and
# FLAT_NETWORK, and the optional COMPUTE_AZ, VOLUME_AZ and LEGACY_POLICY (yes: Nova, Cinder and
# Glance keep their legacy policy defaults). The files have no empty lines, so the line an
# unset option leaves empty is dropped.

ks_authtoken() { # [keystone_authtoken] body for service user $1
  cat <<EOF
www_authenticate_uri = $KS/
auth_url = $KS/
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = $1
password = $PW
region_name = $REGION
service_token_roles = service
service_token_roles_required = true
EOF
}
ks_client() { # keystoneauth options for calls from one service to another, as service user $1
  cat <<EOF
auth_url = $KS/
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = $1
password = $PW
region_name = $REGION
EOF
}
legacy_policy() { [ "${LEGACY_POLICY:-}" != yes ] || printf '[oslo_policy]\nenforce_new_defaults = false\n'; }

keystone_conf() { # /etc/keystone/keystone.conf
  sed '/^$/d' <<EOF
[DEFAULT]
[database]
connection = $DBURL/keystone
[token]
provider = fernet
[fernet_tokens]
key_repository = $CONF_STATE/keystone/fernet-keys/
[fernet_receipts]
key_repository = $CONF_STATE/keystone/fernet-keys/
[credential]
key_repository = $CONF_STATE/keystone/credential-keys/
EOF
}

glance_conf() { # /etc/glance/glance-api.conf
  sed '/^$/d' <<EOF
[DEFAULT]
graceful_shutdown_timeout = 5
bind_host = $IP
bind_port = 9292
workers = 1
enabled_backends = file:file
node_staging_uri = file://$CONF_STATE/glance/staging
image_cache_dir = $CONF_STATE/glance/cache
image_size_cap = 107374182400
[glance_store]
default_backend = file
[file]
filesystem_store_datadir = $CONF_STATE/glance/images/
[os_glance_staging_store]
filesystem_store_datadir = $CONF_STATE/glance/staging/
[os_glance_tasks_store]
filesystem_store_datadir = $CONF_STATE/glance/tasks/
[database]
connection = $DBURL/glance
[keystone_authtoken]
$(ks_authtoken glance)
[paste_deploy]
flavor = keystone
[oslo_concurrency]
lock_path = $CONF_STATE/glance/tmp
$(legacy_policy)
EOF
}

placement_conf() { # /etc/placement/placement.conf
  sed '/^$/d' <<EOF
[DEFAULT]
[api]
auth_strategy = keystone
[placement_database]
connection = $DBURL/placement
[keystone_authtoken]
$(ks_authtoken placement)
EOF
}

neutron_conf() { # /etc/neutron/neutron.conf
  sed '/^$/d' <<EOF
[DEFAULT]
graceful_shutdown_timeout = 5
bind_host = $IP
bind_port = 9696
core_plugin = ml2
service_plugins = router
auth_strategy = keystone
transport_url = $RABBIT
state_path = $CONF_STATE/neutron
api_workers = 1
rpc_workers = 1
rpc_state_report_workers = 0
notify_nova_on_port_status_changes = true
notify_nova_on_port_data_changes = true
dhcp_agent_notification = false
allow_overlapping_ips = true
[agent]
root_helper = sudo /usr/bin/neutron-rootwrap /etc/neutron/rootwrap.conf
[database]
connection = $DBURL/neutron
[keystone_authtoken]
$(ks_authtoken neutron)
[nova]
$(ks_client nova)
[oslo_concurrency]
lock_path = $CONF_STATE/neutron/tmp
EOF
}

ml2_conf() { # /etc/neutron/plugins/ml2/ml2_conf.ini
  sed '/^$/d' <<EOF
[ml2]
type_drivers = flat,vlan,vxlan
tenant_network_types = vxlan
mechanism_drivers = dpcloud_noop
extension_drivers = port_security
[ml2_type_flat]
flat_networks = $FLAT_NETWORK
[ml2_type_vlan]
network_vlan_ranges = physnet1:100:199
[ml2_type_vxlan]
vni_ranges = 1:1000
[securitygroup]
enable_security_group = true
EOF
}

nova_conf() { # /etc/nova/nova.conf
  sed '/^$/d' <<EOF
[DEFAULT]
graceful_shutdown_timeout = 5
host = $NOVA_HOST
my_ip = $IP
transport_url = $RABBIT
state_path = $CONF_STATE/nova
instances_path = $CONF_STATE/nova/instances
compute_driver = $NOVA_DRIVER
vif_plugging_is_fatal = false
vif_plugging_timeout = 0
allow_resize_to_same_host = true
enabled_apis = osapi_compute
${COMPUTE_AZ:+default_availability_zone = $COMPUTE_AZ}
osapi_compute_listen = $IP
metadata_listen = $IP
[api]
auth_strategy = keystone
[api_database]
connection = $DBURL/nova_api
[database]
connection = $DBURL/nova
[keystone_authtoken]
$(ks_authtoken nova)
[service_user]
send_service_user_token = true
$(ks_client nova)
[placement]
$(ks_client placement)
[neutron]
$(ks_client neutron)
[cinder]
os_region_name = $REGION
$(ks_client cinder)
[glance]
region_name = $REGION
[scheduler]
workers = 1
discover_hosts_in_cells_interval = 30
[conductor]
workers = 1
[wsgi]
api_paste_config = /etc/nova/api-paste.ini
[oslo_concurrency]
lock_path = $CONF_STATE/nova/tmp
[vnc]
enabled = false
$(legacy_policy)
EOF
}

cinder_conf() { # /etc/cinder/cinder.conf
  sed '/^$/d' <<EOF
[DEFAULT]
graceful_shutdown_timeout = 5
host = $NOVA_HOST
my_ip = $IP
transport_url = $RABBIT
auth_strategy = keystone
state_path = $CONF_STATE/cinder
osapi_volume_listen = $IP
osapi_volume_listen_port = 8776
osapi_volume_workers = 1
enabled_backends = nfs
default_volume_type = $DEFAULT_VOLUME_TYPE
${VOLUME_AZ:+storage_availability_zone = $VOLUME_AZ}
${VOLUME_AZ:+default_availability_zone = $VOLUME_AZ}
glance_api_servers = http://$IP:9292
image_conversion_dir = $CONF_STATE/cinder/conversion
api_paste_config = /etc/cinder/api-paste.ini
rootwrap_config = /etc/cinder/rootwrap.conf
[nfs]
volume_driver = cinder.volume.drivers.nfs.NfsDriver
volume_backend_name = nfs
nfs_shares_config = /etc/cinder/nfs_shares
nfs_mount_point_base = $CONF_STATE/cinder/mnt
nfs_sparsed_volumes = true
nfs_qcow2_volumes = false
nfs_snapshot_support = true
nas_secure_file_operations = false
nas_secure_file_permissions = false
image_volume_cache_enabled = false
[database]
connection = $DBURL/cinder
[keystone_authtoken]
$(ks_authtoken cinder)
[nova]
$(ks_client nova)
interface = public
[service_user]
send_service_user_token = true
$(ks_client cinder)
[oslo_concurrency]
lock_path = $CONF_STATE/cinder/tmp
$(legacy_policy)
EOF
}

heat_conf() { # /etc/heat/heat.conf
  sed '/^$/d' <<EOF
[DEFAULT]
graceful_shutdown_timeout = 5
transport_url = $RABBIT
num_engine_workers = 1
region_name_for_services = $REGION
heat_metadata_server_url = http://$IP:8000
heat_waitcondition_server_url = http://$IP:8000/v1/waitcondition
stack_domain_admin = heat_domain_admin
stack_domain_admin_password = $PW
stack_user_domain_name = heat
[heat_api]
bind_host = $IP
bind_port = 8004
workers = 1
[database]
connection = $DBURL/heat
[keystone_authtoken]
$(ks_authtoken heat)
[trustee]
auth_type = password
auth_url = $KS/
username = heat
password = $PW
user_domain_name = Default
[clients_keystone]
auth_uri = $KS/
[oslo_concurrency]
lock_path = $CONF_STATE/heat/tmp
EOF
}
