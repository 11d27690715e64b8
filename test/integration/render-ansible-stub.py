#!/usr/bin/python
# A stand-in for a module that a collection copy lacks: ansible-playbook resolves every module
# name before it runs anything, so the playbook parses; the stand-in fails if it is ever run.
import json

print(json.dumps({'failed': True, 'msg': 'stand-in module: not part of this collection'}))
