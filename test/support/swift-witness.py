#!/usr/bin/python3
"""A Swift workload and its independent witness, with openstacksdk (not Downpour's client).

  swift-witness.py build CLOUD PREFIX POLICY   containers with every feature a migration must keep
  swift-witness.py dump CLOUD PREFIX           what the account holds under PREFIX, as JSON
  swift-witness.py cleanup CLOUD PREFIX        removes every container under PREFIX

The dump names the project and user as PROJECT and USER, and leaves out what a copy cannot keep
(timestamps, version ids), so the dumps of a source and its copy compare equal where they must.
"""
import hashlib
import json
import os
import sys
import time

import openstack

FOREIGN_PROJECT = "0123456789abcdef0123456789abcdef"
TEMP_URL_KEY = "dp-witness-temp-url-key-not-for-bundles"


def conn_for(cloud):
    c = openstack.connect(cloud=cloud)
    return c, c.object_store


def put(store, path, data=b"", headers=None, params=None):
    r = store.put(path, data=data, headers=headers or {}, params=params or {})
    if r.status_code >= 300:
        raise SystemExit(f"PUT {path}: {r.status_code} {r.text[:200]}")
    return r


def build(cloud, prefix, policy):
    c, s = conn_for(cloud)
    project, user = c.current_project_id, c.current_user_id
    seg, assets, ver, legacy, archive = (f"{prefix}-{n}" for n in ("seg", "assets", "ver", "legacy", "archive"))
    put(s, seg)
    slo = []
    for i in range(3):
        data = os.urandom(1024 * 1024 + 17 * i)
        put(s, f"{seg}/slo/{i:03d}", data)
        slo.append({"path": f"/{seg}/slo/{i:03d}", "etag": hashlib.md5(data).hexdigest(), "size_bytes": len(data)})
    for i in range(2):
        put(s, f"{seg}/dlo/{i:03d}", os.urandom(200 * 1024))
    put(s, assets, headers={
        "X-Storage-Policy": policy,
        "X-Container-Meta-Color": "blue",
        "X-Container-Meta-Access-Control-Allow-Origin": "https://shop.example",
        "X-Container-Meta-Web-Index": "index.html",
        "X-Container-Meta-Quota-Bytes": "100000000",
        "X-Container-Meta-Temp-URL-Key": TEMP_URL_KEY,
        "X-Container-Read": f".r:*,.rlistings,{project}:{user},{FOREIGN_PROJECT}:*",
    })
    for i in range(300):
        put(s, f"{assets}/small/{i:04d}.txt", os.urandom(512 + (i * 37) % 6000),
            headers={"Content-Type": "text/plain", "X-Object-Meta-Seq": str(i)})
    put(s, f"{assets}/index.html", b"<h1>shop</h1>", headers={"Content-Type": "text/html"})
    put(s, f"{assets}/app.js.gz", os.urandom(3000), headers={"Content-Type": "application/javascript", "Content-Encoding": "gzip"})
    put(s, f"{assets}/report.pdf", os.urandom(5000), headers={
        "Content-Type": "application/pdf", "Content-Disposition": 'attachment; filename="report.pdf"'})
    put(s, f"{assets}/later.txt", b"keep for a day", headers={"X-Delete-At": str(int(time.time()) + 86400)})
    put(s, f"{assets}/soon.txt", b"gone before the import", headers={"X-Delete-After": "45"})
    put(s, f"{assets}/big.raw", os.urandom(6 * 1024 * 1024 + 3), headers={"X-Object-Meta-Kind": "large"})
    put(s, f"{assets}/slo.bin", json.dumps(slo).encode(), params={"multipart-manifest": "put"},
        headers={"Content-Type": "application/octet-stream", "X-Object-Meta-Kind": "slo"})
    put(s, f"{assets}/dlo.bin", b"", headers={"X-Object-Manifest": f"{seg}/dlo/"})
    put(s, f"{assets}/link.txt", b"", headers={"X-Symlink-Target": f"{assets}/index.html"})
    put(s, ver, headers={"X-Versions-Enabled": "true"})
    for v in (b"v1", b"v2 longer", b"v3 longest of all"):
        put(s, f"{ver}/doc.txt", v, headers={"Content-Type": "text/plain"})
    put(s, f"{ver}/gone.txt", b"deleted later")
    s.delete(f"{ver}/gone.txt")
    put(s, archive)
    put(s, legacy, headers={"X-Versions-Location": archive})
    put(s, f"{legacy}/cfg", b"setting=1")
    put(s, f"{legacy}/cfg", b"setting=2")
    print(json.dumps({"containers": [seg, assets, ver, archive, legacy], "temp_url_key": TEMP_URL_KEY}))


def listing(s, container, versions=False):
    out, marker, vmarker = [], "", ""
    while True:
        params = {"format": "json", "limit": 10000, "marker": marker}
        if versions:
            params["versions"] = ""
            if vmarker:
                params["version_marker"] = vmarker
        r = s.get(container, params=params)
        page = r.json() if r.status_code == 200 else []
        out += page
        if len(page) < 10000:
            return out
        marker, vmarker = page[-1]["name"], page[-1].get("version_id", "")


def normal(text, project, user):
    return text.replace(project, "PROJECT").replace(user, "USER")


def dump(cloud, prefix):
    c, s = conn_for(cloud)
    project, user = c.current_project_id, c.current_user_id
    keep = lambda k: k.startswith(("x-container-meta-", "x-object-meta-")) or k in (
        "x-container-read", "x-container-write", "x-versions-location", "x-history-location",
        "x-versions-enabled", "x-storage-policy", "content-type", "content-encoding", "content-disposition",
        "x-static-large-object", "x-object-manifest", "x-symlink-target", "x-delete-at", "etag",
        "x-container-object-count", "content-length")
    out = {}
    for cont in s.get("", params={"format": "json", "prefix": prefix}).json():
        name = cont["name"]
        h = {k.lower(): normal(v, project, user) for k, v in s.head(name).headers.items() if keep(k.lower())}
        versions = h.get("x-versions-enabled", "").lower() == "true"
        objects = []
        for item in listing(s, name, versions):
            params = {"version-id": item["version_id"]} if versions else {}
            if item.get("content_type", "").startswith("application/x-deleted"):
                objects.append({"name": item["name"], "deleted": True})
                continue
            # One GET: the stored bytes (raw, not decoded by Content-Encoding) and the headers; a
            # symlink as itself, a large object assembled (with its own ETag).
            r = s.get(f"{name}/{item['name']}", params={**params, "symlink": "get"}, stream=True)
            body = r.raw.read(decode_content=False)
            oh = {k.lower(): normal(v, project, user) for k, v in r.headers.items() if keep(k.lower())}
            oh.pop("content-length", None)
            oh.pop("x-delete-at", None) if item["name"].endswith("soon.txt") else None
            entry = {"name": item["name"], "headers": oh, "sha256": hashlib.sha256(body).hexdigest(), "bytes": len(body)}
            if oh.get("x-static-large-object", "").lower() == "true":
                raw = s.get(f"{name}/{item['name']}", params={"multipart-manifest": "get", "format": "raw"}).json()
                entry["manifest"] = [{k: v for k, v in seg.items() if k in ("path", "etag", "size_bytes")} for seg in raw]
            objects.append(entry)
        out[name] = {"headers": h, "objects": objects}
    print(json.dumps(out, sort_keys=True, indent=1))


def cleanup(cloud, prefix):
    c, s = conn_for(cloud)
    for cont in s.get("", params={"format": "json", "prefix": prefix}).json():
        name = cont["name"]
        s.post(name, headers={"X-Remove-Versions-Location": "x", "X-Versions-Enabled": "false"})
        for _ in range(3):
            for item in listing(s, name, True) + listing(s, name):
                params = {"version-id": item["version_id"]} if item.get("version_id") else {}
                s.delete(f"{name}/{item['name']}", params=params)
            if s.delete(name).status_code in (204, 404):
                break


if __name__ == "__main__":
    cmd, cloud, prefix = sys.argv[1:4]
    {"build": lambda: build(cloud, prefix, sys.argv[4]), "dump": lambda: dump(cloud, prefix),
     "cleanup": lambda: cleanup(cloud, prefix)}[cmd]()
