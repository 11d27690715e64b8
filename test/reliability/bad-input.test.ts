import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { blobPath, openBundle, parseDataManifest } from '../../src/bundle/index.js';
import { encodeTarHeader, TAR_END, tarPadding } from '../../src/bundle/tar.js';
import { UsageError } from '../../src/core/errors.js';
import { loadGraph } from '../../src/kinds/load.js';
import { loadCloudConfig } from '../../src/openstack/config/loader.js';
import * as images from '../../src/openstack/image/images/index.js';
import * as networks from '../../src/openstack/network/networks/index.js';
import { Session } from '../../src/openstack/session/session.js';
import {
  parseSelection,
  renderSelection,
  SELECTABLE_KINDS,
  SELECTION_API_VERSION,
  type Selection,
} from '../../src/select/selection-file.js';
import { seededRandom } from '../support/fault-proxy.js';
import { deleteWorkload } from '../support/workload.js';
import { cutTo, flipByte } from '../unit/bundle/damage.js';
import {
  buildSmallWorkload,
  collect,
  configFile,
  downpour,
  explain,
  namesWithPrefix,
  writeSummary,
  type BadInputRow,
  type Run,
  type SmallWorkload,
} from './support.js';

if (!configFile) console.warn('reliability tests skipped: OS_CLIENT_CONFIG_FILE is unset.');

/** A ustar header for a symbolic link (the writer only makes files and folders). */
function linkHeader(path: string, target: string): Buffer {
  const block = encodeTarHeader(path, 0, 'file', 0o777);
  block.write('2', 156, 1, 'latin1');
  block.write(target, 157, 100, 'utf8');
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'latin1');
  return block;
}

/** A .tar with a valid format marker, then `bad`. */
function tarWith(bad: Buffer): Buffer {
  const marker = Buffer.from('{"format":"downpour-bundle","version":1}\n');
  return Buffer.concat([
    encodeTarHeader('downpour-bundle.json', marker.length, 'file', 0o600),
    marker,
    tarPadding(marker.length),
    bad,
    TAR_END,
  ]);
}

function fileEntry(path: string, data: Buffer): Buffer {
  return Buffer.concat([encodeTarHeader(path, data.length, 'file', 0o600), data, tarPadding(data.length)]);
}

describe.skipIf(!configFile)('bad input: a clear error, a distinct exit code, nothing created', () => {
  const prefix = `dp-rl-${randomBytes(4).toString('hex')}`;
  let work: string;
  let src: Session;
  let dst: Session;
  let small: SmallWorkload;
  let bundleId: string;
  const rows: BadInputRow[] = [];
  const run = (args: string[], env: Record<string, string> = {}) => downpour(args, { cwd: work, env });

  /**
   * The common shape of a refusal: the exit code, one paragraph at the end of stderr (the
   * message naming the problem, then a hint), no stack trace, and no "unexpected" wording.
   */
  function expectRefusal(name: string, result: Run, exit: number, problem: RegExp): void {
    const row: BadInputRow = { input: name, expectedExit: exit, exit: result.code, clean: false };
    rows.push(row);
    expect(result.code, explain(result)).toBe(exit);
    // Progress and --debug lines may come first; the error is the last paragraph.
    const at = result.stderr.lastIndexOf('downpour: error: ');
    expect(at, explain(result)).toBeGreaterThanOrEqual(0);
    const text = result.stderr.slice(at).trim();
    expect(text).toMatch(problem);
    const lines = text.split('\n');
    expect(lines.length, `a hint follows the message:\n${text}`).toBeGreaterThanOrEqual(2);
    expect(lines.at(-1)?.trim().length).toBeGreaterThan(10);
    expect(text).not.toMatch(/\n\s*\n/);
    expect(text).not.toMatch(/\n\s+at /);
    expect(text).not.toMatch(/unexpected error/);
    row.clean = true;
  }

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), `${prefix}-`));
    src = await Session.connect(loadCloudConfig({ cloud: 'src' }));
    dst = await Session.connect(loadCloudConfig({ cloud: 'dst' }));
    small = await buildSmallWorkload(src, prefix);
    const selected = await run([
      'select',
      '--cloud',
      'src',
      '--server',
      `${prefix}-vm`,
      '--image',
      `${prefix}-img`,
      '--capture',
      'image',
      '-o',
      'sel.yaml',
    ]);
    expect(selected.code, explain(selected)).toBe(0);
    const exported = await run(['export', 'sel.yaml', '--cloud', 'src', '-o', 'good.bundle']);
    expect(exported.code, explain(exported)).toBe(0);
    bundleId = (await openBundle(join(work, 'good.bundle'))).index().bundleId;
  });

  afterAll(async () => {
    writeSummary('bad-input', { badInputs: rows });
    try {
      if (src) await small?.cleanup();
      // Nothing should be there; if a refusal let something through, do not leave it.
      if (dst) await deleteWorkload(dst, prefix);
    } finally {
      await src?.close();
      await dst?.close();
      if (work) await rm(work, { recursive: true, force: true });
    }
  });

  /** A copy of the good bundle to damage. */
  async function copyOfBundle(name: string): Promise<string> {
    const dir = join(work, name);
    await cp(join(work, 'good.bundle'), dir, { recursive: true });
    return dir;
  }

  /** The first chunk of the private image's data, on disk in `dir`. */
  async function imageChunk(dir: string): Promise<string> {
    const reader = await openBundle(dir);
    const graph = await loadGraph(reader);
    const node = graph.nodes.find((n) => n.kind === 'image.image' && n.sourceId === small.image);
    if (!node?.data) throw new Error('the bundle holds no data for the image');
    const manifest = parseDataManifest(await reader.readJson(node.data), node.data.digest);
    const chunk = manifest.chunks[0];
    if (!chunk) throw new Error('the image data has no chunk');
    return blobPath(dir, chunk.digest);
  }

  async function cloudsWith(change: (doc: { clouds: Record<string, Record<string, unknown>> }) => void) {
    const doc = parseYaml(await readFile(configFile as string, 'utf8')) as {
      clouds: Record<string, Record<string, unknown>>;
    };
    change(doc);
    const file = join(work, `clouds-${randomBytes(3).toString('hex')}.yaml`);
    await writeFile(file, stringifyYaml(doc), { mode: 0o600 });
    return file;
  }

  describe('clouds.yaml', () => {
    it('malformed YAML: exit 2, names the file, line and column', async () => {
      const file = join(work, 'broken-clouds.yaml');
      await writeFile(file, 'clouds:\n  dst:\n    auth: {auth_url: [unclosed\n', { mode: 0o600 });
      const result = await run(['import', 'good.bundle', '--cloud', 'dst'], { OS_CLIENT_CONFIG_FILE: file });
      expectRefusal('clouds.yaml malformed', result, 2, /broken-clouds\.yaml is not valid YAML at line \d+/);
    });

    it('an unknown cloud: exit 2, lists the clouds the file defines', async () => {
      const result = await run(['import', 'good.bundle', '--cloud', 'dp-rl-nowhere']);
      expectRefusal('clouds.yaml: unknown cloud', result, 2, /cloud "dp-rl-nowhere" is not defined/);
      expect(result.stderr).toMatch(/Use one of: .*dst/);
    });

    it('wrong credentials: exit 5, and the wrong password is not echoed', async () => {
      const wrong = `dp-rl-wrong-${randomBytes(6).toString('hex')}`;
      const file = await cloudsWith((doc) => {
        (doc.clouds['dst']!['auth'] as Record<string, unknown>)['password'] = wrong;
      });
      const result = await run(['import', 'good.bundle', '--cloud', 'dst', '--debug'], {
        OS_CLIENT_CONFIG_FILE: file,
      });
      expectRefusal(
        'clouds.yaml: wrong credentials',
        result,
        5,
        /Keystone refused the credentials of cloud "dst"/,
      );
      expect(result.stdout + result.stderr).not.toContain(wrong);
    });
    const authUrl = (url: string, extra: Record<string, unknown> = {}) =>
      cloudsWith((doc) => {
        const dst = doc.clouds['dst']!;
        (dst['auth'] as Record<string, unknown>)['auth_url'] = url;
        Object.assign(dst, extra);
      });

    it('an auth_url on a closed port: exit 9, says the endpoint could not be reached', async () => {
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const port = (closed.address() as AddressInfo).port;
      await new Promise<void>((resolve) => closed.close(() => resolve()));
      const file = await authUrl(`http://127.0.0.1:${port}/v3`);
      const result = await run(['plan', 'good.bundle', '--cloud', 'dst'], { OS_CLIENT_CONFIG_FILE: file });
      expectRefusal('auth_url: closed port', result, 9, /ECONNREFUSED/);
      expect(result.stderr).toContain('could not be reached');
    });

    it("an auth_url that is not Keystone's (another service's 404): exit 9, says so", async () => {
      const file = await authUrl('http://127.0.0.1:9696/v3');
      const result = await run(['plan', 'good.bundle', '--cloud', 'dst'], { OS_CLIENT_CONFIG_FILE: file });
      expectRefusal(
        'auth_url: not Keystone',
        result,
        9,
        /is not Keystone's v3 token API \(it answered 404\)/,
      );
    });

    it('an endpoint that accepts connections and never answers: exit 9 within api_timeout and the retry budget, naming it', async () => {
      const sockets = new Set<Socket>();
      const silent = createServer((socket) => sockets.add(socket));
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const port = (silent.address() as AddressInfo).port;
      try {
        const file = await authUrl(`http://127.0.0.1:${port}/v3`, { api_timeout: 1 });
        const began = Date.now();
        const result = await run(['plan', 'good.bundle', '--cloud', 'dst'], { OS_CLIENT_CONFIG_FILE: file });
        expectRefusal('auth_url: silent endpoint', result, 9, /no answer from the endpoint in time/);
        expect(result.stderr).toContain(`127.0.0.1:${port}`);
        // six attempts of a second each and the backoff between them
        expect(Date.now() - began).toBeLessThan(60_000);
      } finally {
        for (const s of sockets) s.destroy();
        await new Promise<void>((resolve) => silent.close(() => resolve()));
      }
    });
  });

  describe('selection', () => {
    it('a filter that matches nothing: exit 2, names the filter', async () => {
      const result = await run([
        'select',
        '--cloud',
        'src',
        '--server',
        `${prefix}-nothing-*`,
        '-o',
        'none.yaml',
      ]);
      expectRefusal(
        'selection matches nothing',
        result,
        2,
        new RegExp(`matches nothing .*${prefix}-nothing-\\*`),
      );
      expect(existsSync(join(work, 'none.yaml'))).toBe(false);
    });

    it('a selection file that is not one: exit 2, names the entry', async () => {
      await writeFile(
        join(work, 'bad-sel.yaml'),
        `apiVersion: ${SELECTION_API_VERSION}\nkind: Selection\nresources:\n  - kind: compute.toaster\n    id: x\n`,
      );
      const result = await run(['export', 'bad-sel.yaml', '--cloud', 'src', '-o', 'never.bundle']);
      expectRefusal('selection file malformed', result, 2, /resources\[0\]\.kind "compute\.toaster"/);
      expect(existsSync(join(work, 'never.bundle'))).toBe(false);
    });

    it('random mutations of a valid selection file give a UsageError or a valid selection, never a crash', () => {
      const valid: Selection = {
        apiVersion: SELECTION_API_VERSION,
        kind: 'Selection',
        source: { cloud: 'src', project: { id: 'p1', name: 'src' } },
        options: { capture: 'snapshot' },
        resources: [
          { kind: 'compute.server', id: '6f1c7a2e-0000-4000-8000-000000000001', name: 'web' },
          { kind: 'block-storage.volume', id: '6f1c7a2e-0000-4000-8000-000000000002', name: 'data' },
          { kind: 'compute.keypair', id: 'deploy' },
        ],
      };
      const text = renderSelection(valid);
      const random = seededRandom(20_261_125);
      const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
      const scalars = [
        '',
        '~',
        'null',
        '[]',
        '{}',
        '0',
        '-1',
        '1e999',
        'true',
        '"x"',
        "'",
        '"',
        '&a',
        '*a',
        '!!binary AA==',
        '<<: *a',
        '- ',
        ': ',
        '#',
        '\t',
        '\u0000',
        '\uFEFF',
        'Selection',
        SELECTION_API_VERSION,
        ...SELECTABLE_KINDS,
      ];
      const mutate = (input: string): string => {
        const at = Math.floor(random() * (input.length + 1));
        const lines = input.split('\n');
        const line = Math.floor(random() * lines.length);
        switch (Math.floor(random() * 8)) {
          case 0:
            return input.slice(0, at) + input.slice(at + 1 + Math.floor(random() * 20));
          case 1:
            return input.slice(0, at) + pick(scalars) + input.slice(at);
          case 2:
            return input.slice(0, at) + String.fromCharCode(Math.floor(random() * 0x3000)) + input.slice(at);
          case 3:
            return input.slice(0, at);
          case 4:
            lines.splice(line, 0, lines[line] ?? '');
            return lines.join('\n');
          case 5:
            lines.splice(line, 1);
            return lines.join('\n');
          case 6:
            lines[line] = (lines[line] ?? '').replace(/: .*$/, `: ${pick(scalars)}`);
            return lines.join('\n');
          default:
            lines[line] = ' '.repeat(Math.floor(random() * 6)) + (lines[line] ?? '').trimStart();
            return lines.join('\n');
        }
      };
      const outcome = { valid: 0, refused: 0 };
      for (let i = 0; i < 3000; i++) {
        let mutated = text;
        const rounds = 1 + Math.floor(random() * 4);
        for (let r = 0; r < rounds; r++) mutated = mutate(mutated);
        let parsed: Selection;
        try {
          parsed = parseSelection(mutated, 'fuzz.yaml');
        } catch (err) {
          if (!(err instanceof UsageError))
            throw new Error(`mutation ${i} crashed the reader: ${String(err)}\n${mutated}`, { cause: err });
          expect(err.message).toMatch(/^fuzz\.yaml/);
          expect(err.exitCode).toBe(2);
          outcome.refused++;
          continue;
        }
        expect(parsed.kind).toBe('Selection');
        expect(parsed.resources.length).toBeGreaterThan(0);
        for (const r of parsed.resources) {
          expect(SELECTABLE_KINDS).toContain(r.kind);
          expect(typeof r.id === 'string' && r.id.trim() === r.id && r.id.length > 0).toBe(true);
        }
        outcome.valid++;
      }
      // Both branches must be exercised, or the fuzzer proves nothing.
      expect(outcome.valid).toBeGreaterThan(100);
      expect(outcome.refused).toBeGreaterThan(100);
      rows.push({
        input: `selection file fuzz (${outcome.refused} refused, ${outcome.valid} valid)`,
        expectedExit: 2,
        exit: 2,
        clean: true,
      });
    });
  });

  describe('bundle', () => {
    it('a truncated data chunk: exit 6 before anything is created', async () => {
      const dir = await copyOfBundle('truncated.bundle');
      const chunk = await imageChunk(dir);
      await cutTo(chunk, 1000);
      const result = await run(['import', 'truncated.bundle', '--cloud', 'dst']);
      expectRefusal(
        'bundle: truncated blob',
        result,
        6,
        /damaged, so nothing was imported: 1 of \d+ blobs .*size/,
      );
    });

    it('a tampered data chunk (same size): exit 6 before anything is created', async () => {
      const dir = await copyOfBundle('tampered.bundle');
      await flipByte(await imageChunk(dir), 4096);
      const result = await run(['import', 'tampered.bundle', '--cloud', 'dst']);
      expectRefusal('bundle: tampered blob', result, 6, /damaged, so nothing was imported: .*digest/);
    });

    it('a missing index.json: exit 6, says the export never committed', async () => {
      const dir = await copyOfBundle('uncommitted.bundle');
      await rm(join(dir, 'index.json'));
      const result = await run(['import', 'uncommitted.bundle', '--cloud', 'dst']);
      expectRefusal('bundle: missing index', result, 6, /has no index\.json: the export never committed/);
    });

    it('an unknown format version: exit 6, names both versions', async () => {
      const dir = await copyOfBundle('future.bundle');
      await writeFile(join(dir, 'downpour-bundle.json'), '{"format":"downpour-bundle","version":99}\n');
      const result = await run(['import', 'future.bundle', '--cloud', 'dst']);
      expectRefusal(
        'bundle: unknown format version',
        result,
        6,
        /format version 99; this Downpour reads version 1/,
      );
    });

    it('a .tar with a path that escapes its folder: exit 6, nothing written outside', async () => {
      await writeFile(join(work, 'escape.tar'), tarWith(fileEntry('../dp-rl-escaped', Buffer.from('x'))));
      const result = await run(['import', 'escape.tar', '--cloud', 'dst']);
      expectRefusal('tar: path escapes its folder', result, 6, /refusing entry whose path contains "\.\."/);
      expect(existsSync(join(work, '..', 'dp-rl-escaped'))).toBe(false);
    });

    it('a .tar with a symbolic link: exit 6', async () => {
      await writeFile(join(work, 'link.tar'), tarWith(linkHeader('index.json', '/etc/passwd')));
      const result = await run(['import', 'link.tar', '--cloud', 'dst']);
      expectRefusal('tar: symbolic link', result, 6, /refusing link, device or fifo entry "index\.json"/);
    });
  });

  describe('mapping', () => {
    it('a map.yaml that is not valid: exit 2, names the key', async () => {
      await writeFile(join(work, 'typo.yaml'), 'flavours:\n  m1.tiny: m1.small\n');
      const result = await run(['import', 'good.bundle', '--cloud', 'dst', '--map', 'typo.yaml']);
      expectRefusal('mapping file malformed', result, 2, /unknown key "flavours"/);
    });

    // A mapping to something the destination lacks is found by preflight, which refuses with
    // exit 4 (DESIGN §6: "preflight refused, nothing created (quota, mapping, ...)").
    it('a flavor the destination lacks: preflight refuses with exit 4 naming it and the candidates', async () => {
      await writeFile(join(work, 'flavor.yaml'), `flavors:\n  m1.tiny: ${prefix}-no-such-flavor\n`);
      const result = await run(['import', 'good.bundle', '--cloud', 'dst', '--map', 'flavor.yaml']);
      expectRefusal(
        'mapping: unknown flavor',
        result,
        4,
        new RegExp(
          `maps flavor m1\\.tiny to "${prefix}-no-such-flavor", which the destination does not have`,
        ),
      );
    });

    it('a network the destination lacks: preflight refuses with exit 4 naming it', async () => {
      await writeFile(join(work, 'network.yaml'), `networks:\n  public: ${prefix}-no-such-net\n`);
      const result = await run(['import', 'good.bundle', '--cloud', 'dst', '--map', 'network.yaml']);
      expectRefusal(
        'mapping: unknown network',
        result,
        4,
        new RegExp(`to "${prefix}-no-such-net", which is not an external or shared network`),
      );
    });
  });

  it('after every refusal, the destination holds nothing of the bundle', async () => {
    expect(await namesWithPrefix(dst, prefix)).toEqual({});
    const tag = `downpour:bundle=${bundleId}`;
    expect(await collect(networks.list(dst, { tags: [tag] }))).toEqual([]);
    expect(await collect(images.list(dst, { tag: [tag], owner: dst.project.id }))).toEqual([]);
  });
});
