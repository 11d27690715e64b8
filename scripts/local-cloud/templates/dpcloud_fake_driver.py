"""Nova fake virt driver whose snapshots contain data.

nova.virt.fake.FakeDriver.snapshot() only moves the task state along, so the
Glance image behind `openstack server image create` never leaves 'queued'.
DataFakeDriver downloads the server's base image from Glance and uploads those
bytes as the snapshot (a fake disk is never written, so it still equals its
base image). That makes snapshot -> download -> upload flows testable.

The nova-compute launcher that up.sh writes exposes this module as
nova.virt.dpcloud_fake, so nova.conf says
compute_driver = dpcloud_fake.DataFakeDriver.
"""
import os
import tempfile

from nova.compute import task_states
from nova import exception
from nova.image import glance
from nova.virt import fake

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
