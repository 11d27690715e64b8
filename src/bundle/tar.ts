/**
 * A minimal ustar writer and reader: enough to carry a bundle as one file and read it in place.
 * Our own, not a dependency, because the reader is a security boundary: a bundle's .tar comes
 * from elsewhere, and it only ever needs plain files and directories with safe relative paths.
 *
 * Reading scans the headers once into path -> (offset, size); blobs are then read with ranged
 * streams over the archive, never unpacked. Anything unexpected (links, devices, absolute or
 * `..` paths, bad checksums, truncation) is refused with a BundleIntegrityError.
 */
import { open } from 'node:fs/promises';
import { BundleIntegrityError } from '../core/errors.js';

export const TAR_BLOCK = 512;

/** ustar's 11 octal digits stop just below 8 GiB; bigger sizes use the GNU base-256 form. */
const OCTAL_SIZE_LIMIT = 8 ** 11;
/** pax extended headers hold a few key=value records; anything bigger is not ours. */
const MAX_PAX_SIZE = 1024 * 1024;

export type TarEntryType = 'file' | 'directory';

export interface TarEntry {
  /** Offset of the entry's data in the archive. */
  readonly offset: number;
  readonly size: number;
}

// ---------------------------------------------------------------------------------------------
// Writing

function writeOctal(block: Buffer, offset: number, length: number, value: number): void {
  block.write(`${value.toString(8).padStart(length - 1, '0')}\0`, offset, length, 'latin1');
}

function writeSize(block: Buffer, offset: number, value: number): void {
  if (value < OCTAL_SIZE_LIMIT) return writeOctal(block, offset, 12, value);
  block[offset] = 0x80;
  let rest = BigInt(value);
  for (let i = offset + 11; i > offset; i--) {
    block[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
}

/** Splits a long path into ustar's prefix (155 bytes) and name (100 bytes) at a slash. */
function splitPath(path: string): [prefix: string, name: string] {
  if (Buffer.byteLength(path) <= 100) return ['', path];
  for (let cut = path.lastIndexOf('/'); cut > 0; cut = path.lastIndexOf('/', cut - 1)) {
    const prefix = path.slice(0, cut);
    const name = path.slice(cut + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100 && name.length > 0)
      return [prefix, name];
  }
  throw new RangeError(`tar: path too long for ustar: ${path}`);
}

function checksum(block: Uint8Array): { unsigned: number; signed: number } {
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < TAR_BLOCK; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : (block[i] ?? 0);
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  return { unsigned, signed };
}

/**
 * One deterministic ustar header: uid/gid 0, mtime 0, no user or group names, so the same bundle
 * always packs to the same bytes.
 */
export function encodeTarHeader(path: string, size: number, type: TarEntryType, mode: number): Buffer {
  const block = Buffer.alloc(TAR_BLOCK);
  const [prefix, name] = splitPath(type === 'directory' && !path.endsWith('/') ? `${path}/` : path);
  block.write(name, 0, 100, 'utf8');
  writeOctal(block, 100, 8, mode);
  writeOctal(block, 108, 8, 0);
  writeOctal(block, 116, 8, 0);
  writeSize(block, 124, type === 'directory' ? 0 : size);
  writeOctal(block, 136, 12, 0);
  block.write(type === 'directory' ? '5' : '0', 156, 1, 'latin1');
  block.write('ustar\u000000', 257, 8, 'latin1');
  block.write(prefix, 345, 155, 'utf8');
  block.write(`${checksum(block).unsigned.toString(8).padStart(6, '0')}\0 `, 148, 8, 'latin1');
  return block;
}

/** Zero bytes that pad an entry's data to a whole block. */
export function tarPadding(size: number): Buffer {
  return Buffer.alloc((TAR_BLOCK - (size % TAR_BLOCK)) % TAR_BLOCK);
}

/** Two zero blocks end an archive. */
export const TAR_END = Buffer.alloc(2 * TAR_BLOCK);

// ---------------------------------------------------------------------------------------------
// Reading

function bad(tarPath: string, at: number, why: string): BundleIntegrityError {
  return new BundleIntegrityError(`${tarPath}: ${why} (at byte ${at})`, {
    hint: 'The archive is damaged or was not written by `downpour pack`; pack the bundle again.',
    details: { archive: tarPath, offset: at },
  });
}

function cString(field: Uint8Array): string {
  const end = field.indexOf(0);
  return Buffer.from(end === -1 ? field : field.subarray(0, end)).toString('utf8');
}

function parseNumber(field: Uint8Array, fail: (why: string) => Error): number {
  const first = field[0] ?? 0;
  if (first & 0x80) {
    // GNU base-256: big-endian, top bit of the first byte is the marker. Negative is never valid here.
    if (first === 0xff) throw fail('negative number in header');
    let value = BigInt(first & 0x7f);
    for (const byte of field.subarray(1)) value = (value << 8n) | BigInt(byte);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw fail('number in header is too large');
    return Number(value);
  }
  const text = Buffer.from(field)
    .toString('latin1')
    .replace(/[\0 ]+$/, '')
    .replace(/^ +/, '');
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw fail(`malformed octal number ${JSON.stringify(text)} in header`);
  const value = parseInt(text, 8);
  if (!Number.isSafeInteger(value)) throw fail('number in header is too large');
  return value;
}

/**
 * The path an entry may have: relative, no `..`, no backslashes or drive letters (which mean
 * something else on Windows). Leading `./` is dropped so `tar -C dir .` archives read too.
 * Returns '' for the archive root itself.
 */
function safePath(raw: string, fail: (why: string) => Error): string {
  if (raw.startsWith('/') || raw.includes('\\') || /^[A-Za-z]:/.test(raw)) {
    throw fail(`refusing entry with absolute or non-portable path ${JSON.stringify(raw)}`);
  }
  let path = raw;
  while (path.startsWith('./')) path = path.slice(2);
  if (path === '.') path = '';
  path = path.replace(/\/+$/, '');
  if (path === '') return '';
  const segments = path.split('/');
  if (segments.includes('..')) throw fail(`refusing entry whose path contains "..": ${JSON.stringify(raw)}`);
  if (segments.some((s) => s === '' || s === '.'))
    throw fail(`refusing entry with malformed path ${JSON.stringify(raw)}`);
  return path;
}

/** pax records: "<length> <key>=<value>\n". Only `path` and `size` matter to us. */
function parsePax(data: Buffer, fail: (why: string) => Error): { path?: string; size?: number } {
  const out: { path?: string; size?: number } = {};
  let pos = 0;
  while (pos < data.length) {
    if (data[pos] === 0) break;
    const space = data.indexOf(0x20, pos);
    const lengthText = space === -1 ? '' : data.subarray(pos, space).toString('latin1');
    const length = /^[0-9]{1,7}$/.test(lengthText) ? Number(lengthText) : NaN;
    if (!(length > space - pos + 1) || pos + length > data.length || data[pos + length - 1] !== 0x0a) {
      throw fail('malformed pax extended header');
    }
    const record = data.subarray(space + 1, pos + length - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq <= 0) throw fail('malformed pax extended header record');
    const key = record.slice(0, eq);
    const value = record.slice(eq + 1);
    if (key === 'path') out.path = value;
    if (key === 'size') {
      if (!/^[0-9]{1,16}$/.test(value) || !Number.isSafeInteger(Number(value)))
        throw fail('malformed pax size');
      out.size = Number(value);
    }
    pos += length;
  }
  return out;
}

/**
 * Reads every header once and returns the regular files by normalised path. Directories are
 * checked and skipped; everything else is refused.
 */
export async function scanTar(tarPath: string): Promise<Map<string, TarEntry>> {
  const entries = new Map<string, TarEntry>();
  const handle = await open(tarPath, 'r');
  try {
    const archiveSize = (await handle.stat()).size;
    const block = Buffer.alloc(TAR_BLOCK);
    let pos = 0;
    let pax: { path?: string; size?: number } | undefined;
    for (;;) {
      const at = pos;
      const fail = (why: string) => bad(tarPath, at, why);
      const { bytesRead } = await handle.read(block, 0, TAR_BLOCK, pos);
      if (bytesRead < TAR_BLOCK) throw fail('archive is truncated: it ends before its end-of-archive marker');
      if (block.every((b) => b === 0)) {
        // The end marker is two zero blocks; a cut inside the second still means the copy was cut short.
        const second = await handle.read(block, 0, TAR_BLOCK, pos + TAR_BLOCK);
        if (second.bytesRead < TAR_BLOCK) throw fail('archive is truncated inside its end-of-archive marker');
        break;
      }

      const sums = checksum(block);
      const stored = parseNumber(block.subarray(148, 156), fail);
      if (stored !== sums.unsigned && stored !== sums.signed) throw fail('bad header checksum');
      const magic = block.subarray(257, 263).toString('latin1');
      if (!magic.startsWith('ustar')) throw fail('not a ustar archive header');
      const typeflag = String.fromCharCode(block[156] ?? 0);
      // The prefix field is POSIX ustar only; GNU tar keeps other data in those bytes.
      const prefix = magic === 'ustar\0' ? cString(block.subarray(345, 500)) : '';
      const name = cString(block.subarray(0, 100));
      const headerSize = parseNumber(block.subarray(124, 136), fail);
      const size = typeflag === 'x' || typeflag === 'g' ? headerSize : (pax?.size ?? headerSize);
      const dataStart = pos + TAR_BLOCK;
      if (dataStart + size > archiveSize) throw fail('archive is truncated inside an entry');
      pos = dataStart + size + tarPadding(size).length;

      if (typeflag === 'x') {
        if (size > MAX_PAX_SIZE) throw fail('pax extended header is too large');
        const data = Buffer.alloc(size);
        await handle.read(data, 0, size, dataStart);
        pax = { ...pax, ...parsePax(data, fail) };
        continue;
      }
      const rawPath = pax?.path ?? (prefix ? `${prefix}/${name}` : name);
      pax = undefined;
      if (typeflag === 'g') continue; // global pax defaults: we only take path and size per entry
      if (typeflag === '5') {
        safePath(rawPath, fail);
        continue;
      }
      if (typeflag !== '0' && typeflag !== '\0') {
        const what = '1234567'.includes(typeflag)
          ? 'link, device or fifo'
          : `type ${JSON.stringify(typeflag)}`;
        throw fail(`refusing ${what} entry ${JSON.stringify(rawPath)}: bundles hold regular files only`);
      }
      const path = safePath(rawPath, fail);
      if (path === '') throw fail('file entry without a name');
      if (entries.has(path)) throw fail(`duplicate entry ${JSON.stringify(path)}`);
      entries.set(path, { offset: dataStart, size });
    }
  } finally {
    await handle.close();
  }
  return entries;
}
