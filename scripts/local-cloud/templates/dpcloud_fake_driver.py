"""Nova fake virt driver whose snapshots contain data.

nova.virt.fake.FakeDriver.snapshot() only moves the task state along, so the
Glance image behind `openstack server image create` never leaves 'queued'.
DataFakeDriver downloads the server's base image from Glance and uploads those
bytes as the snapshot (a fake disk is never written, so it still equals its
base image). That makes snapshot -> download -> upload flows testable.

It also plays Nova's part in snapshots of attached volumes on Cinder's NFS
driver ("assisted" snapshots): Cinder writes the qcow2 overlay itself and waits
for the hypervisor to switch the guest to it, then to merge the chain again on
deletion. The stock fake does neither, so such snapshots hang in 'creating'.
Here the switch is a status update, and the merge is done with qemu-img on the
files, as libvirt's blockRebase/blockCommit would do it for a running guest.

The nova-compute launcher that up.sh writes exposes this module as
nova.virt.dpcloud_fake, so nova.conf says
compute_driver = dpcloud_fake.DataFakeDriver.
"""
import hashlib
import json
import os
import subprocess
import tempfile

from nova.compute import task_states
from nova import exception
from nova.image import glance
from nova.virt import fake
from nova.volume import cinder

import nova.conf

CONF = nova.conf.CONF


class DataFakeDriver(fake.FakeDriver):

    def snapshot(self, context, instance, image_id, update_task_state):
        if instance.uuid not in self.instances:
            raise exception.InstanceNotRunning(instance_id=instance.uuid)
        image_api = glance.API()
        update_task_state(task_state=task_states.IMAGE_PENDING_UPLOAD)
        meta = instance.image_meta
        metadata = {
            'disk_format': (meta.disk_format
                            if meta.obj_attr_is_set('disk_format') else 'raw'),
            'container_format': (meta.container_format
                                 if meta.obj_attr_is_set('container_format')
                                 else 'bare'),
            'properties': {'image_location': 'snapshot',
                           'image_state': 'available',
                           'owner_id': instance.project_id},
        }
        fd, path = tempfile.mkstemp(prefix='dpcloud-snap-',
                                    dir=CONF.instances_path)
        os.close(fd)
        try:
            if instance.image_ref:
                image_api.download(context, instance.image_ref, dest_path=path)
            update_task_state(task_state=task_states.IMAGE_UPLOADING,
                              expected_state=task_states.IMAGE_PENDING_UPLOAD)
            with open(path, 'rb') as f:
                image_api.update(context, image_id, metadata, f)
        finally:
            os.unlink(path)

    # --- assisted volume snapshots (Cinder NFS driver, volume attached) ---

    def _volume_dir(self, instance, volume_id):
        for info in self._mounts.get(instance.name, {}).values():
            if info.get('serial') == volume_id or info.get('data', {}).get('volume_id') == volume_id:
                export = info['data']['export']
                return os.path.join(info['mount_point_base'],
                                    hashlib.md5(export.encode()).hexdigest())
        raise exception.VolumeNotFound(volume_id=volume_id)

    @staticmethod
    def _qemu_img(volume_dir, *args):
        subprocess.run(('qemu-img',) + args, cwd=volume_dir, check=True,
                       capture_output=True)

    @staticmethod
    def _format_of(volume_dir, name):
        out = subprocess.run(('qemu-img', 'info', '--output=json', name),
                             cwd=volume_dir, check=True, capture_output=True)
        return json.loads(out.stdout)['format']

    def volume_snapshot_create(self, context, instance, volume_id,
                               create_info):
        # Cinder already wrote the overlay; a running guest would now write
        # to it. Tell Cinder the hypervisor's part is done.
        cinder.API().update_snapshot_status(
            context, create_info['snapshot_id'], 'creating')

    def volume_snapshot_delete(self, context, instance, volume_id,
                               snapshot_id, delete_info):
        volume_dir = self._volume_dir(instance, volume_id)
        try:
            with open(os.path.join(volume_dir,
                                   'volume-%s.info' % volume_id)) as f:
                active = json.load(f)['active']
            merge = delete_info.get('file_to_merge')
            target = delete_info.get('merge_target_file')
            if target is None:
                # Pull the base into the active file (blockRebase).
                if merge:
                    self._qemu_img(volume_dir, 'rebase', '-f', 'qcow2',
                                   '-b', merge, '-F',
                                   self._format_of(volume_dir, merge), active)
                else:
                    self._qemu_img(volume_dir, 'rebase', '-f', 'qcow2',
                                   '-b', '', active)
            else:
                # Commit the snapshot file into its base (blockCommit), then
                # point whatever sat on top of it at the base.
                self._qemu_img(volume_dir, 'commit', '-f', 'qcow2', merge)
                fmt = self._format_of(volume_dir, target)
                for name in os.listdir(volume_dir):
                    if not name.startswith('volume-%s' % volume_id):
                        continue
                    if name.endswith('.info') or name == merge:
                        continue
                    out = subprocess.run(
                        ('qemu-img', 'info', '--output=json', name),
                        cwd=volume_dir, capture_output=True)
                    if out.returncode != 0:
                        continue
                    if json.loads(out.stdout).get('backing-filename') == merge:
                        self._qemu_img(volume_dir, 'rebase', '-u', '-f',
                                       'qcow2', '-b', target, '-F', fmt, name)
        except Exception:
            cinder.API().update_snapshot_status(
                context, snapshot_id, 'error_deleting')
            raise
        cinder.API().update_snapshot_status(context, snapshot_id, 'deleting')
