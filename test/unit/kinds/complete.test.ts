import { describe, expect, it } from 'vitest';
import { KINDS, REMOVAL_ORDER } from '../../../src/kinds/registry.js';
import { ANSIBLE_COMPUTE } from '../../../src/render/ansible/compute.js';
import { ANSIBLE_NETWORK } from '../../../src/render/ansible/network.js';
import { ANSIBLE_KINDS } from '../../../src/render/ansible/playbook.js';
import { ANSIBLE_STORAGE } from '../../../src/render/ansible/storage.js';
import { HEAT_COMPUTE } from '../../../src/render/heat/compute.js';
import { HEAT_NETWORK } from '../../../src/render/heat/network.js';
import { HEAT_SECURITY_GROUPS } from '../../../src/render/heat/security-groups.js';
import { HEAT_STORAGE } from '../../../src/render/heat/storage.js';
import { HEAT_KINDS } from '../../../src/render/heat/template.js';
import { TERRAFORM_KINDS } from '../../../src/render/terraform.js';
import { TERRAFORM_COMPUTE } from '../../../src/render/terraform/compute.js';
import { TERRAFORM_NETWORK } from '../../../src/render/terraform/network.js';
import { TERRAFORM_STORAGE } from '../../../src/render/terraform/storage.js';

/** A kind in the registry is whole only with its facts and a block in every renderer. */
const kinds = Object.values(KINDS);
const creatable = kinds.filter((k) => k.apply).map((k) => k.type);
const mappedOnly = kinds.filter((k) => !k.apply).map((k) => k.type);

describe('every kind in the registry', () => {
  it('has a block in each renderer, found by its name', () => {
    const missing = kinds.flatMap((k) => [
      ...(typeof HEAT_KINDS[k.type] === 'function' ? [] : [`heat: ${k.type}`]),
      ...(ANSIBLE_KINDS[k.type]?.tag ? [] : [`ansible: ${k.type}`]),
      ...(TERRAFORM_KINDS[k.type] ? [] : [`terraform: ${k.type}`]),
    ]);
    expect(missing).toEqual([]);
  });

  it('has its block in one file of each format, not two', () => {
    const twice = (parts: object[]) => {
      const keys = parts.flatMap((p) => Object.keys(p));
      return keys.filter((k, i) => keys.indexOf(k) !== i);
    };
    expect(twice([HEAT_COMPUTE, HEAT_NETWORK, HEAT_SECURITY_GROUPS, HEAT_STORAGE])).toEqual([]);
    expect(twice([ANSIBLE_COMPUTE, ANSIBLE_NETWORK, ANSIBLE_STORAGE])).toEqual([]);
    expect(twice([TERRAFORM_COMPUTE, TERRAFORM_NETWORK, TERRAFORM_STORAGE])).toEqual([]);
  });

  it('that import can create has tasks in the playbook and blocks in main.tf', () => {
    expect(creatable.filter((k) => !ANSIBLE_KINDS[k].tasks)).toEqual([]);
    expect(creatable.filter((k) => !TERRAFORM_KINDS[k].emit)).toEqual([]);
  });

  it('that only maps has no tasks and no blocks: it is an input of every format', () => {
    expect(mappedOnly.filter((k) => ANSIBLE_KINDS[k].tasks || TERRAFORM_KINDS[k].emit)).toEqual([]);
  });

  it('that import can create has a removal rank of its own', () => {
    expect(creatable.filter((k) => KINDS[k].removalRank === undefined)).toEqual([]);
    expect([...REMOVAL_ORDER].sort()).toEqual([...creatable].sort());
    const ranks = kinds.flatMap((k) => (k.removalRank === undefined ? [] : [k.removalRank]));
    expect(new Set(ranks).size).toBe(ranks.length);
  });

  it('names its symbols, its noun and its render rank', () => {
    for (const k of kinds) {
      expect(k.symbol, k.type).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(
        k.noun.every((w) => w.length > 0),
        k.type,
      ).toBe(true);
      expect(Number.isInteger(k.renderRank), k.type).toBe(true);
    }
    expect(new Set(kinds.map((k) => k.symbol)).size).toBe(kinds.length);
  });

  it('has its own Ansible tag, and a unique Terraform summary place where it has one', () => {
    const tags = kinds.map((k) => ANSIBLE_KINDS[k.type].tag);
    expect(new Set(tags).size).toBe(tags.length);
    const places = kinds.flatMap((k) => TERRAFORM_KINDS[k.type].summary ?? []);
    expect(new Set(places).size).toBe(places.length);
  });
});
