#!/usr/bin/python3
"""Idempotent find-or-create of what the local test cloud needs inside its APIs.

usage:
  bootstrap.py identity PASSWORD        service catalog, service users, src/dst tenants, heat domain
  bootstrap.py resources PASSWORD STATE  flavors, public network, dp-base image, src/dst quotas,
                                         and a check that src/dst members may use Heat
  bootstrap.py tenants PASSWORD NAME...  extra member-only tenants NAME with user NAME-user

Reads clouds.yaml from $OS_CLIENT_CONFIG_FILE (clouds 'admin', 'src', 'dst'; with
DPCLOUD_PROFILE=b, the second cloud's 'b-admin', 'b-src', 'b-dst').
Every step may run any number of times; existing objects are left alone.
"""
import hashlib
import os
import sys

import openstack
from openstack import exceptions
from openstack.block_storage.v3.quota_set import QuotaSet as VolumeQuotaSet
from openstack.compute.v2.quota_set import QuotaSet

IP = "127.0.0.1"

# The two local clouds are configured unlike each other on purpose, as real clouds are, so that
# Downpour's mapping of regions, flavors, external networks, volume types and zones is exercised
# for real. DPCLOUD_PROFILE picks one: "zed" (the first cloud, the default) or "b" (the second).
PROFILES = {
    "zed": dict(
        region="RegionOne", admin_cloud="admin", cloud_prefix="",
        # name, vCPUs, RAM (MiB), disk (GiB): distinct sizes so flavor matching can be tested
        flavors=[("ds.nano", 1, 256, 1), ("m1.tiny", 1, 512, 1), ("m1.small", 1, 2048, 20),
                 ("m1.medium", 2, 4096, 40)],
        # external network, its physical network, subnet name, CIDR (documentation ranges: they
        # exist only as Neutron data; no interface anywhere is configured with them)
        external=("public", "public", "public-subnet", "198.51.100"),
        volume_types=[], image_name="dp-base",
    ),
    "b": dict(
        region="RegionTwo", admin_cloud="b-admin", cloud_prefix="b-",
        flavors=[("gp.xsmall", 1, 384, 2), ("gp.small", 1, 1024, 5), ("gp.medium", 2, 3072, 25),
                 ("gp.large", 4, 8192, 80)],
        external=("ext-net", "extnet", "ext-subnet", "203.0.113"),
        # the first is cinder.conf's default_volume_type
        volume_types=[("standard", "default type of this cloud"), ("fast", "a second type")],
        image_name="base-image",
        # what this operator changed in the rules every new security group starts with
        # (Neutron's default security group rules, 2023.2 and later): no IPv6 egress, and SSH in
        default_sg_rules=dict(
            drop=[dict(direction="egress", ethertype="IPv6")],
            add=[dict(direction="ingress", ethertype="IPv4", protocol="tcp", port_range_min=22,
                      port_range_max=22, remote_ip_prefix="0.0.0.0/0", used_in_default_sg=False,
                      used_in_non_default_sg=True, description="operator: SSH into every new group")],
        ),
    ),
}
PROFILE = PROFILES[os.environ.get("DPCLOUD_PROFILE", "zed")]
REGION = PROFILE["region"]
TENANTS = ("src", "dst")

SERVICES = [  # name, type, url, service user
    ("glance", "image", f"http://{IP}:9292", "glance"),
    ("placement", "placement", f"http://{IP}:8778", "placement"),
    ("nova", "compute", f"http://{IP}:8774/v2.1", "nova"),
    ("neutron", "network", f"http://{IP}:9696", "neutron"),
    ("cinderv3", "volumev3", f"http://{IP}:8776/v3/%(project_id)s", "cinder"),
    ("cinder", "block-storage", f"http://{IP}:8776/v3/%(project_id)s", None),
    ("heat", "orchestration", f"http://{IP}:8004/v1/%(tenant_id)s", "heat"),
    ("swift", "object-store", f"http://{IP}:8080/v1/AUTH_%(project_id)s", "swift"),
]

FLAVORS = PROFILE["flavors"]

# The public base image: deterministic pseudo-random bytes, the same wherever they are generated
# (both clouds hold the same bytes under different names, so an image is found by its hash).
IMAGE_NAME = PROFILE["image_name"]
IMAGE_SEED = b"downpour dp-base image v1"
IMAGE_SIZE = 4 * 1024 * 1024

# Quotas for src and dst: roomy enough for test suites that create many objects,
# still finite like a real cloud's. Tests that need tight quotas make their own projects.
COMPUTE_QUOTAS = dict(instances=20, cores=40, ram=81920, key_pairs=100, server_groups=20,
                      server_group_members=20)
# (each value is at least the service's default; only the tight ones are raised)
NETWORK_QUOTAS = dict(network=100, subnet=100, port=500, router=20, floatingip=100,
                      security_group=50, security_group_rule=500)
VOLUME_QUOTAS = dict(volumes=50, snapshots=50, gigabytes=1000, backups=20, backup_gigabytes=1000)


def log(*a):
    print(*a, flush=True)


class Identity:
    """Keystone objects listed once up front, so a rerun costs a few requests, not dozens."""

    def __init__(self, conn):
        self.idc = idc = conn.identity
        self.dom = idc.get_domain("default")
        self.projects = {p.name: p for p in idc.projects(domain_id=self.dom.id)}
        self.users = {u.name: u for u in idc.users(domain_id=self.dom.id)}
        self.roles = {r.name: r for r in idc.roles()}
        self.assigned = set()
        for a in idc.role_assignments():
            scope = a.scope or {}
            target = (scope.get("project") or scope.get("domain") or {}).get("id")
            if a.user and a.role:
                self.assigned.add((a.user["id"], target, a.role["id"]))

    def role(self, name):
        if name not in self.roles:
            self.roles[name] = self.idc.create_role(name=name)
            log("created role", name)
        return self.roles[name]

    def project(self, name, description):
        if name not in self.projects:
            self.projects[name] = self.idc.create_project(name=name, domain_id=self.dom.id,
                                                          description=description)
            log("created project", name)
        return self.projects[name]

    def user(self, name, pw, **kw):
        if name not in self.users:
            self.users[name] = self.idc.create_user(name=name, domain_id=self.dom.id, password=pw, **kw)
            log("created user", name)
        return self.users[name]

    def grant(self, user, project, role_name):
        role = self.role(role_name)
        if (user.id, project.id, role.id) not in self.assigned:
            self.idc.assign_project_role_to_user(project, user, role)
            self.assigned.add((user.id, project.id, role.id))
            log(f"granted {role_name} on {project.name} to {user.name}")


def identity(conn, pw):
    ids = Identity(conn)
    idc = ids.idc
    service = ids.project("service", "service users")
    for r in ("admin", "member", "reader", "service"):
        ids.role(r)
    services = {(s.name, s.type): s for s in idc.services()}
    endpoints = {(e.service_id, e.interface) for e in idc.endpoints()}
    for name, stype, url, user in SERVICES:
        svc = services.get((name, stype))
        if svc is None:
            svc = idc.create_service(name=name, type=stype, enabled=True)
            log("created service", name)
        for iface in ("public", "internal", "admin"):
            if (svc.id, iface) not in endpoints:
                idc.create_endpoint(service_id=svc.id, interface=iface, url=url, region_id=REGION)
        if user:
            u = ids.user(user, pw)
            # the service role makes their tokens count as service tokens (needed for volume detach)
            for r in ("admin", "service"):
                ids.grant(u, service, r)
    # two ordinary tenants whose users hold the member role and nothing else
    make_tenants(ids, pw, TENANTS)
    # heat: domain for stack users and projects, plus its admin
    hd = next(iter(idc.domains(name="heat")), None)
    if hd is None:
        hd = idc.create_domain(name="heat", description="heat stack projects and users")
        log("created domain heat")
    hu = next(iter(idc.users(domain_id=hd.id, name="heat_domain_admin")), None)
    if hu is None:
        hu = idc.create_user(name="heat_domain_admin", domain_id=hd.id, password=pw)
        log("created user heat_domain_admin")
    admin = ids.role("admin")
    if (hu.id, hd.id, admin.id) not in ids.assigned:
        idc.assign_domain_role_to_user(hd, hu, admin)
    ids.role("heat_stack_owner")
    ids.role("heat_stack_user")


def make_tenants(ids, pw, names):
    for name in names:
        p = ids.project(name, f"local test cloud tenant {name}")
        u = ids.user(f"{name}-user", pw, default_project_id=p.id)
        ids.grant(u, p, "member")


def image_bytes():
    return hashlib.shake_256(IMAGE_SEED).digest(IMAGE_SIZE)


def ensure_image(conn, state):
    data = image_bytes()
    sha512 = hashlib.sha512(data).hexdigest()
    os.makedirs(os.path.join(state, "images"), exist_ok=True)
    path = os.path.join(state, "images", IMAGE_NAME + ".raw")
    if not os.path.exists(path) or os.path.getsize(path) != len(data):
        with open(path + ".tmp", "wb") as f:
            f.write(data)
        os.replace(path + ".tmp", path)
    img = conn.image
    found = list(img.images(name=IMAGE_NAME))
    for i in found:
        if i.status == "active" and i.hash_value == sha512:
            return
    for i in found:  # left over from an interrupted upload, or different bytes
        log("deleting stale image", i.id, i.status)
        img.delete_image(i.id)
    r = img.post("/images", json={
        "name": IMAGE_NAME, "disk_format": "raw", "container_format": "bare",
        "visibility": "public", "min_disk": 1, "dp_seed": IMAGE_SEED.decode(),
    })
    exceptions.raise_from_response(r)
    image_id = r.json()["id"]
    r = img.put(f"/images/{image_id}/file", data=data,
                headers={"Content-Type": "application/octet-stream"})
    exceptions.raise_from_response(r)
    got = img.get_image(image_id)
    if got.status != "active" or got.hash_value != sha512:
        sys.exit(f"image {IMAGE_NAME} upload ended as {got.status}, hash {got.hash_value}")
    log("uploaded image", IMAGE_NAME, image_id, len(data), "bytes")


def default_sg_rules(conn, changes):
    net = conn.network
    def matches(rule, want):
        return all(rule.get(k) == v for k, v in want.items() if k != "description")
    r = net.get("/default-security-group-rules")
    exceptions.raise_from_response(r)
    rules = r.json()["default_security_group_rules"]
    for want in changes["drop"]:
        for rule in rules:
            if matches(rule, want):
                exceptions.raise_from_response(net.delete(f"/default-security-group-rules/{rule['id']}"))
                log("dropped default security group rule", rule["direction"], rule["ethertype"])
    for want in changes["add"]:
        if not any(matches(rule, want) for rule in rules):
            r = net.post("/default-security-group-rules", json={"default_security_group_rule": want})
            exceptions.raise_from_response(r)
            log("added default security group rule", want["description"])


def resources(conn, state):
    comp = conn.compute
    have = {f.name for f in comp.flavors()}
    for name, vcpus, ram, disk in FLAVORS:
        if name not in have:
            comp.create_flavor(name=name, ram=ram, vcpus=vcpus, disk=disk, is_public=True)
            log("created flavor", name)
    net = conn.network
    ext_name, physnet, sub_name, prefix = PROFILE["external"]
    pub = net.find_network(ext_name)
    if pub is None:
        pub = net.create_network(name=ext_name, is_router_external=True, is_shared=False,
                                 provider_network_type="flat", provider_physical_network=physnet)
        log("created network", ext_name)
    if net.find_subnet(sub_name) is None:
        net.create_subnet(name=sub_name, network_id=pub.id, ip_version=4, cidr=f"{prefix}.0/24",
                          gateway_ip=f"{prefix}.1", enable_dhcp=False,
                          allocation_pools=[{"start": f"{prefix}.10", "end": f"{prefix}.250"}])
        log("created subnet", sub_name)
    bs = conn.block_storage
    have_types = {t.name for t in bs.types()}
    for name, description in PROFILE["volume_types"]:
        if name not in have_types:
            bs.create_type(name=name, description=description, is_public=True,
                           extra_specs={"volume_backend_name": "nfs"})
            log("created volume type", name)
    if "default_sg_rules" in PROFILE:
        default_sg_rules(conn, PROFILE["default_sg_rules"])
    ensure_image(conn, state)
    projects = {p.name: p.id for p in conn.identity.projects()}
    for proj in TENANTS:
        pid = projects[proj]
        comp.update_quota_set(QuotaSet(project_id=pid), force=True, **COMPUTE_QUOTAS)
        net.update_quota(pid, **NETWORK_QUOTAS)
        conn.block_storage.update_quota_set(VolumeQuotaSet(project_id=pid), **VOLUME_QUOTAS)
    log("quotas set for", ", ".join(TENANTS))
    heat_check(conn)


def heat_check(admin):
    """Heat's default policy lets a project member manage stacks. Some deployments
    require heat_stack_owner instead; if this one refuses a member, grant that role
    (as operators do) and try again."""
    idc = admin.identity
    for proj in TENANTS:
        user_conn = openstack.connect(cloud=PROFILE["cloud_prefix"] + proj)
        try:
            list(user_conn.orchestration.stacks())
            continue
        except exceptions.ForbiddenException:
            pass
        role = idc.find_role("heat_stack_owner", ignore_missing=False)
        p = idc.find_project(proj, ignore_missing=False)
        u = idc.find_user(f"{proj}-user", ignore_missing=False)
        idc.assign_project_role_to_user(p, u, role)
        log(f"granted heat_stack_owner to {proj}-user")
        list(openstack.connect(cloud=PROFILE["cloud_prefix"] + proj).orchestration.stacks())


def main():
    what, pw = sys.argv[1], sys.argv[2]
    conn = openstack.connect(cloud=PROFILE["admin_cloud"])
    if what == "identity":
        identity(conn, pw)
    elif what == "resources":
        resources(conn, sys.argv[3])
    elif what == "tenants":
        make_tenants(Identity(conn), pw, sys.argv[3:])
    else:
        sys.exit(f"unknown step {what}")


if __name__ == "__main__":
    main()
