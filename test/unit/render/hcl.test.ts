import { parse } from '@cdktf/hcl2json';
import { describe, expect, it } from 'vitest';
import { attr, blank, block, comment, expr, hclFile } from '../../../src/render/hcl.js';

describe('HCL writer', () => {
  it('writes any string so that HashiCorp HCL reads back the same text, never as a template', async () => {
    const values = [
      'plain',
      'q"uote and back\\slash',
      'line\nbreak\r\ttab',
      'not ${var.x} nor %{ if true }a template',
      'control \u0001 and \u007f, unicode é ✓',
      '$$ and %% alone, $ { and a trailing $',
    ];
    const text = hclFile(values.map((v, i) => block('variable', [`v${i}`], [attr('default', v)])));
    const parsed = (await parse('v.tf', text)) as { variable: Record<string, [{ default: string }]> };
    // hcl2json answers in Terraform's JSON syntax, where a literal "${" is written "$${".
    const literal = (s: string) => s.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{');
    values.forEach((v, i) => expect(literal(parsed.variable[`v${i}`]?.[0].default ?? '')).toBe(v));
  });

  it('aligns the = of consecutive one-line arguments, as terraform fmt does', () => {
    // What terraform fmt made of the same body, unaligned.
    const expected = [
      'resource "x" "y" {',
      '  name       = "a"',
      '  network_id = "b"',
      '  metadata = {',
      '    role  = "db"',
      '    "a.b" = "c"',
      '  }',
      '  description = "d"',
      '  x           = ["a", "b"]',
      '  fixed_ip {',
      '    a      = "b"',
      '    ipaddr = "c"',
      '  }',
      '  z = 1',
      '  # comment',
      '  zz = var.z',
      '',
      '  depends_on = [x.y]',
      '}',
      '',
    ].join('\n');
    expect(
      hclFile([
        block(
          'resource',
          ['x', 'y'],
          [
            attr('name', 'a'),
            attr('network_id', 'b'),
            attr('metadata', { role: 'db', 'a.b': 'c' }),
            attr('description', 'd'),
            attr('x', ['a', 'b']),
            block('fixed_ip', [], [attr('a', 'b'), attr('ipaddr', 'c')]),
            attr('z', 1),
            comment('comment'),
            attr('zz', expr('var.z')),
            blank,
            attr('depends_on', [expr('x.y')]),
          ],
        ),
      ]),
    ).toBe(expected);
  });

  it('writes long lists one item per line with trailing commas', () => {
    const items = Array.from({ length: 6 }, (_, i) =>
      expr(`openstack_networking_port_v2.port_number_${i}.id`),
    );
    expect(hclFile([attr('ports', items)])).toBe(
      `ports = [\n${items.map((i) => `  ${i.text},\n`).join('')}]\n`,
    );
  });
});
