/**
 * The two short steps around the stack, as POSIX shell scripts for the `openstack` CLI: putting
 * the bundle's data into Glance before it (Heat cannot carry bytes), and, when the bundle needs
 * it, what Heat cannot say after it (a volume made from an image is bootable; a stopped server).
 */
import type { RenderModel } from '../model.js';
import type { FinishStep, HeatUpload } from './common.js';

/** The tag upload-data.sh puts on each image it uploads, with the bundle id. */
export const UPLOAD_TAG = 'downpour:heat-upload';

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function uploadScript(model: RenderModel, uploads: HeatUpload[]): string {
  const lines = [
    '#!/bin/sh',
    `# Uploads the image and volume data of Downpour bundle ${model.bundleId} into Glance at the`,
    '# destination, under the names environment.yaml gives the template: Heat cannot carry bytes.',
    "# Run it with the destination's credentials (OS_CLOUD, or the OS_* variables the openstack",
    '# CLI reads):',
    '#',
    '#   sh upload-data.sh BUNDLE      (the bundle directory, or its .tar)',
    '#',
    "# It first rebuilds each file from the bundle's chunks (data/assemble.sh checks its SHA-256).",
    '# An active image of the same name that holds the same bytes is kept, not uploaded again, so',
    '# a second run uploads only what the first did not finish.',
    'set -eu',
    'bundle=${1:?usage: sh upload-data.sh BUNDLE (the bundle directory or its .tar)}',
    'here=$(cd "$(dirname "$0")" && pwd)',
    '# The tag on each upload: how a rerun knows an unfinished upload as its own (and never takes',
    '# one that an import of the same bundle is making, tagged downpour:bundle=..., for one).',
    `marker=${quote(`${UPLOAD_TAG}=${model.bundleId}`)}`,
    '',
    'sh "$here/data/assemble.sh" "$bundle"',
    '',
    '# One image as the CLI shows it, and fields of it: status, checksum (MD5), tags; the',
    '# os_hash_* values are top-level or inside "properties", depending on the CLI version.',
    'show() { info=$(openstack image show "$1" -f shell --prefix img_); }',
    'field() { printf \'%s\\n\' "$info" | sed -n "s/^img_$1=\\"\\(.*\\)\\"\\$/\\1/p"; }',
    'hash_field() {',
    '  printf \'%s\\n\' "$info" | sed -n "s/.*$1\'\\{0,1\\}[=:] *[\\"\']\\([0-9a-z]*\\)[\\"\'].*/\\1/p" | head -n 1',
    '}',
    '',
    '# Whether the image just shown holds the bytes of file $1: by its os_hash, else by MD5.',
    'same_bytes() {',
    '  algo=$(hash_field os_hash_algo) value=$(hash_field os_hash_value) checksum=$(field checksum)',
    '  if [ -n "$algo" ] && [ -n "$value" ] && command -v "${algo}sum" >/dev/null 2>&1; then',
    '    [ "$("${algo}sum" "$1" | cut -d\' \' -f1)" = "$value" ]',
    '  else',
    '    [ -n "$checksum" ] && [ "$checksum" != None ] && [ "$(md5sum "$1" | cut -d\' \' -f1)" = "$checksum" ]',
    '  fi',
    '}',
    '',
    '# Every image the project sees, as "ID NAME" lines: one call, looked up for each upload.',
    'images=$(openstack image list -f value -c ID -c Name)',
    'named() { printf \'%s\\n\' "$images" | while read -r id rest; do [ "$rest" != "$1" ] || echo "$id"; done; }',
    '',
    '# upload FILE NAME DISK_FORMAT CONTAINER_FORMAT MIN_DISK MIN_RAM [--property K=V ...]',
    'upload() {',
    '  rel=data/$1 name=$2 disk=$3 container=$4 min_disk=$5 min_ram=$6',
    '  file=$here/$rel',
    '  shift 6',
    '  kept=',
    '  for id in $(named "$name"); do',
    '    show "$id"',
    '    status=$(field status)',
    '    if [ "$status" = active ] && [ -z "$kept" ] && same_bytes "$file"; then',
    '      kept=$id',
    '      continue',
    '    fi',
    '    case "$status $(field tags)" in',
    '    active*) ;;',
    '    *"$marker"*)',
    '      echo "$name: deleting $id, which an earlier run of this script left $status"',
    '      openstack image delete "$id"',
    '      continue',
    '      ;;',
    '    esac',
    '    echo "$name: image $id has this name too ($status); the template names images by name, so Heat would not know which one is meant. Delete or rename it, or upload under another name and set the parameter in environment.yaml to it." >&2',
    '    exit 1',
    '  done',
    '  if [ -n "$kept" ]; then',
    '    echo "$name: already uploaded as $kept, with the same bytes"',
    '    return',
    '  fi',
    '  echo "$name: uploading $rel"',
    '  info=$(openstack image create --file "$file" --disk-format "$disk" --container-format "$container" \\',
    '    --min-disk "$min_disk" --min-ram "$min_ram" --private --tag "$marker" "$@" -f shell --prefix img_ "$name")',
    '  id=$(field id) tries=0',
    '  while [ "$(field status)" != active ]; do',
    '    tries=$((tries + 1))',
    '    if [ "$tries" -gt 360 ] || [ "$(field status)" = killed ]; then',
    '      echo "$name: image $id is $(field status), not active" >&2',
    '      exit 1',
    '    fi',
    '    sleep 5',
    '    show "$id"',
    '  done',
    '  if ! same_bytes "$file"; then',
    '    echo "$name: Glance stored other bytes than $rel holds (image $id)" >&2',
    '    exit 1',
    '  fi',
    '  echo "$name: uploaded as $id"',
    '}',
    '',
  ];
  lines.push(
    "# Two uploads at a time, like Downpour's import (UPLOADS_AT_ONCE=n to change it); each line",
    '# an upload prints starts with its image name.',
    'at_once=${UPLOADS_AT_ONCE:-2} pids= failed=0',
    'start() {',
    '  upload "$@" &',
    '  pids="$pids $!"',
    '  set -- $pids',
    '  if [ "$#" -ge "$at_once" ]; then finish; fi',
    '}',
    'finish() {',
    '  for pid in $pids; do wait "$pid" || failed=1; done',
    '  pids=',
    '}',
    '',
  );
  for (const u of uploads) {
    lines.push(`# ${u.source.comment}: parameter ${u.parameter}`);
    const props = Object.entries(u.properties).map(([k, v]) => `--property ${quote(`${k}=${v}`)}`);
    const args = [
      quote(u.file),
      quote(u.imageName),
      quote(u.diskFormat),
      quote(u.containerFormat),
      String(u.minDisk),
      String(u.minRam),
    ];
    lines.push(`start ${args.join(' ')}${props.length ? ` \\\n  ${props.join(' \\\n  ')}` : ''}`);
  }
  lines.push(
    'finish',
    'if [ "$failed" != 0 ]; then',
    '  echo "Not every image is in Glance (see above): run upload-data.sh again once the cause is fixed." >&2',
    '  exit 1',
    'fi',
    'echo "Every image is in Glance: create the stack (README.md)."',
  );
  return `${lines.join('\n')}\n`;
}

/** `finish.sh`, or undefined when Heat leaves nothing to do. */
export function finishScript(model: RenderModel, steps: FinishStep[]): string | undefined {
  if (steps.length === 0) return undefined;
  const lines = [
    '#!/bin/sh',
    `# What Heat cannot do for Downpour bundle ${model.bundleId}, done once the stack of template.yaml`,
    '# is complete, with the same credentials:',
    '#',
    '#   sh finish.sh STACK',
    '#',
    '# Each step looks before it acts, so running it again changes nothing.',
    'set -eu',
    'stack=${1:?usage: sh finish.sh STACK (the stack created from template.yaml)}',
    'id_of() { openstack stack resource show "$stack" "$1" -f value -c physical_resource_id; }',
    '',
    '# Cinder marks a volume it made from an image bootable.',
    'not_bootable() {',
    '  volume=$(id_of "$1")',
    '  openstack volume set --non-bootable "$volume"',
    '  echo "$1 ($volume): not bootable, as at the source"',
    '}',
    '',
    '# Heat creates servers running.',
    'stopped() {',
    '  server=$(id_of "$1")',
    '  if [ "$(openstack server show "$server" -f value -c status)" != SHUTOFF ]; then',
    '    openstack server stop "$server"',
    '  fi',
    '  echo "$1 ($server): stopped, as at the source (the stop takes a moment)"',
    '}',
    '',
  ];
  for (const s of steps) {
    lines.push(`# ${s.comment}`);
    lines.push(`${s.action === 'volume-not-bootable' ? 'not_bootable' : 'stopped'} ${s.resource}`);
  }
  return `${lines.join('\n')}\n`;
}
