#!/usr/bin/env python3
"""Reads the argument specs of openstack.cloud modules from a checkout of the collection.

  python3 scripts/extract-ansible-argspec.py [--repository URL] [--builtin MODULE,...] \
      MODULE,MODULE,... LABEL=COLLECTION_DIR... > spec.json

Each COLLECTION_DIR is a checkout (or unpacked tarball) of ansible-collections-openstack at one
release, LABEL names it (`2.0.0`, or `2.0.0@<commit>` to record the commit), oldest first. The specs written are those of
the last (newest) release; `since` says in which release a name, alias or choice first
appeared, when that is after the first one given, and `removed` lists names an older release
had that the newest no longer accepts. Nothing
is imported from it: each module file is parsed with `ast`, and the literal that its class
assigns to `argument_spec` (or that `main()` passes to `openstack_full_argument_spec`) is
evaluated statically, resolving names the module defines at top level or in that class. The options shared by
every module come from `openstack_full_argument_spec` in module_utils/openstack.py.

Where the spec says `type='list', elements='dict'` (or `type='dict'`) without `options`, the
module passes the dictionaries through unchecked; their keys as the module's DOCUMENTATION
lists them are recorded under `documented_suboptions`, so a caller can tell which key lists
the module enforces and which it only documents. The top-level keys of RETURN, with the keys
they document, are recorded under `returns`. Needs PyYAML (Debian: python3-yaml).

--builtin also records the options of ansible.builtin modules as the installed ansible-core
documents them (`ansible-doc --json`), with that ansible-core's version.
"""
import ast
import json
import os
import subprocess
import sys

import yaml

KEEP = ('type', 'aliases', 'choices', 'elements', 'required', 'default')


class Unresolvable(Exception):
    pass


def evaluate(node, names):
    """A literal, `dict(...)`, or a name bound at module level to one."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, (ast.List, ast.Tuple)):
        return [evaluate(e, names) for e in node.elts]
    if isinstance(node, ast.Dict):
        return {evaluate(k, names): evaluate(v, names) for k, v in zip(node.keys, node.values)}
    if isinstance(node, ast.Name):
        if node.id in names:
            return evaluate(names[node.id], names)
        raise Unresolvable(node.id)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        if node.func.id == 'dict':
            out = {}
            for kw in node.keywords:
                if kw.arg is None:
                    out.update(evaluate(kw.value, names))
                else:
                    out[kw.arg] = evaluate(kw.value, names)
            return out
        if node.func.id == 'openstack_full_argument_spec':
            return {kw.arg: evaluate(kw.value, names) for kw in node.keywords}
    raise Unresolvable(ast.dump(node)[:80])


def module_names(tree):
    return {
        t.id: n.value
        for n in tree.body
        if isinstance(n, ast.Assign)
        for t in n.targets
        if isinstance(t, ast.Name)
    }


def find_argument_spec(tree, names):
    """The spec's expression; names bound in its class body join `names`."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == 'argument_spec' for t in item.targets
                ):
                    names.update(module_names(node))
                    return item.value
    # Older modules: argument_spec = openstack_full_argument_spec(...) inside main().
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == 'argument_spec' for t in node.targets
        ):
            return node.value
    raise Unresolvable('no argument_spec')


def clean(spec):
    out = {}
    for name in sorted(spec):
        opt = spec[name]
        entry = {k: opt[k] for k in KEEP if k in opt}
        entry.setdefault('type', 'str')
        if 'options' in opt and opt['options'] is not None:
            entry['options'] = clean(opt['options'])
        out[name] = entry
    return out


def documented(options):
    """Suboption names, aliases and choices as DOCUMENTATION gives them, recursively."""
    out = {}
    for name in sorted(options or {}):
        opt = options[name] or {}
        entry = {k: opt[k] for k in ('type', 'aliases', 'choices', 'elements', 'required') if k in opt}
        if opt.get('suboptions'):
            entry['suboptions'] = documented(opt['suboptions'])
        out[name] = entry
    return out


def unchecked_suboptions(spec, docs):
    """Options whose dictionaries the spec does not check, with their documented keys."""
    out = {}
    for name, opt in spec.items():
        doc = (docs or {}).get(name) or {}
        takes_dicts = opt.get('type') == 'dict' or opt.get('elements') in ('dict', 'raw')
        if takes_dicts and 'options' not in opt and doc.get('suboptions'):
            out[name] = documented(doc['suboptions'])
    return out


def literal_string(tree, name):
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            return node.value.value
    return None


def returns(tree):
    text = literal_string(tree, 'RETURN')
    data = yaml.safe_load(text) if text else None
    if not isinstance(data, dict):
        return {}
    return {
        k: sorted((v or {}).get('contains') or {})
        for k, v in sorted(data.items())
    }


def read_module(path):
    with open(path, encoding='utf-8') as f:
        tree = ast.parse(f.read(), path)
    names = module_names(tree)
    spec = evaluate(find_argument_spec(tree, names), names)
    doc_text = literal_string(tree, 'DOCUMENTATION')
    docs = (yaml.safe_load(doc_text) or {}).get('options') if doc_text else {}
    entry = {'options': clean(spec)}
    unchecked = unchecked_suboptions(spec, docs)
    if unchecked:
        entry['documented_suboptions'] = unchecked
    entry['returns'] = returns(tree)
    return entry


def common_spec(collection):
    path = os.path.join(collection, 'plugins', 'module_utils', 'openstack.py')
    with open(path, encoding='utf-8') as f:
        tree = ast.parse(f.read(), path)
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name == 'openstack_full_argument_spec':
            for stmt in node.body:
                if isinstance(stmt, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == 'spec' for t in stmt.targets
                ):
                    return clean(evaluate(stmt.value, module_names(tree)))
    raise Unresolvable('openstack_full_argument_spec')


def names_at(options, prefix=''):
    """Every option name and alias, as dotted paths (`fixed_ips`, `external_gateway_info.network`)."""
    out = set()
    for name, opt in options.items():
        for n in [name] + list(opt.get('aliases', [])):
            out.add(prefix + n)
        out |= names_at(opt.get('options') or {}, prefix + name + '.')
    return out


def choices_at(options, prefix=''):
    out = set()
    for name, opt in options.items():
        for c in opt.get('choices', []):
            out.add('%s%s=%s' % (prefix, name, c))
        out |= choices_at(opt.get('options') or {}, prefix + name + '.')
    return out


def read_release(collection, modules):
    return {
        'common': common_spec(collection),
        'modules': {
            m: read_module(os.path.join(collection, 'plugins', 'modules', m + '.py'))
            for m in modules
        },
    }


def builtin_options(modules):
    version = subprocess.run(['ansible', '--version'], capture_output=True, text=True, check=True)
    docs = json.loads(subprocess.run(
        ['ansible-doc', '--json', '-t', 'module'] + ['ansible.builtin.' + m for m in modules],
        capture_output=True, text=True, check=True).stdout)
    out = {}
    for name in sorted(docs):
        options = docs[name]['doc'].get('options') or {}
        out[name.split('.')[-1]] = {'options': documented(options)}
    return {'ansible': version.stdout.splitlines()[0], 'modules': out}


def main(argv):
    repository, builtin = None, None
    while len(argv) > 1 and argv[1].startswith('--'):
        if argv[1] == '--repository':
            repository = argv[2]
        elif argv[1] == '--builtin':
            builtin = sorted(argv[2].split(','))
        else:
            sys.exit(__doc__)
        argv = argv[:1] + argv[3:]
    if len(argv) < 3 or '=' not in argv[2]:
        sys.exit(__doc__)
    modules = sorted(argv[1].split(','))
    releases = [a.split('=', 1) for a in argv[2:]]
    # LABEL is VERSION or VERSION@COMMIT: `since` names versions, the header keeps commits.
    commits = {label.split('@')[0]: (label.split('@') + [None])[1] for label, _ in releases}
    read = [(label.split('@')[0], read_release(path, modules)) for label, path in releases]
    newest_label, newest = read[-1]
    # When each name, alias and choice first appears among the releases given (oldest first),
    # and the names an older release had that the newest has dropped.
    for m in modules:
        since, removed = {}, {}
        for label, rel in read:
            opts = rel['modules'][m]['options']
            for key in sorted(names_at(opts) | choices_at(opts)):
                since.setdefault(key, label)
        newest_opts = newest['modules'][m]['options']
        current = names_at(newest_opts) | choices_at(newest_opts)
        for key, label in sorted(since.items()):
            if key not in current:
                removed[key] = label
        first = read[0][0]
        newest['modules'][m]['since'] = {k: v for k, v in sorted(since.items()) if v != first and k in current}
        if removed:
            newest['modules'][m]['removed'] = removed
    out = {
        'source': {
            'repository': repository,
            'releases': [{'version': v, 'commit': c} for v, c in commits.items()],
            'spec_of': newest_label,
            'files': ['plugins/module_utils/openstack.py']
            + ['plugins/modules/%s.py' % m for m in modules],
            'read_by': 'scripts/extract-ansible-argspec.py: Python ast of each file, nothing imported',
        },
        'common': newest['common'],
        'modules': newest['modules'],
    }
    if builtin:
        out['builtin'] = builtin_options(builtin)
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main(sys.argv)
