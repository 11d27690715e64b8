/**
 * Hashing off the main thread. A download has to be hashed several ways at once (each chunk's
 * SHA-256 names its blob, the whole stream's SHA-256 goes into the manifest, the source's own
 * algorithm checks the transfer), which costs more CPU than receiving and writing the bytes.
 * The bytes are copied once into a ring of slots in shared memory; worker threads hash them
 * there while the main thread goes on moving data, and a slot is reused only when everything
 * reading it (hashes, the disk write) is done with it.
 */
import { Worker } from 'node:worker_threads';

/**
 * Plain JavaScript, evaluated as the worker's script: a file beside this one would need a
 * different path when running from `src/` (tests) and from `dist/`. Each message names a
 * request id; every request gets exactly one answer, in order.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const bytes = new Uint8Array(workerData.shared);
const lanes = new Map();
parentPort.on('message', (m) => {
  try {
    if (m.op === 'open') {
      lanes.set(m.lane, createHash(m.algorithm));
      parentPort.postMessage({ id: m.id });
    } else if (m.op === 'update') {
      const view = bytes.subarray(m.offset, m.offset + m.length);
      for (const lane of m.lanes) lanes.get(lane).update(view);
      parentPort.postMessage({ id: m.id });
    } else if (m.op === 'digest') {
      const hex = lanes.get(m.lane).digest('hex');
      if (m.reopen) lanes.set(m.lane, createHash(m.reopen));
      else lanes.delete(m.lane);
      parentPort.postMessage({ id: m.id, hex });
    }
  } catch (err) {
    parentPort.postMessage({ id: m.id, error: String((err && err.message) || err) });
  }
});
`;

/** Fixed-size slots in one SharedArrayBuffer, handed out in turn; `acquire` waits while all are in use. */
export class SlotRing {
  readonly shared: SharedArrayBuffer;
  readonly bytes: Uint8Array;
  readonly slotSize: number;
  readonly #free: number[];
  readonly #waiting: ((slot: number) => void)[] = [];

  constructor(slotSize: number, count: number) {
    this.slotSize = slotSize;
    this.shared = new SharedArrayBuffer(slotSize * count);
    this.bytes = new Uint8Array(this.shared);
    this.#free = Array.from({ length: count }, (_, i) => i);
  }

  /** A free slot's number; its bytes start at `slot * slotSize`. */
  acquire(): Promise<number> {
    const slot = this.#free.pop();
    if (slot !== undefined) return Promise.resolve(slot);
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  release(slot: number): void {
    const next = this.#waiting.shift();
    if (next) next(slot);
    else this.#free.push(slot);
  }

  view(slot: number, length: number): Uint8Array {
    const start = slot * this.slotSize;
    return this.bytes.subarray(start, start + length);
  }
}

interface Reply {
  id: number;
  hex?: string;
  error?: string;
}

/** One worker thread holding named hash states ("lanes") over a ring's shared bytes. */
export class HashThread {
  readonly #worker: Worker;
  readonly #waiting = new Map<number, { resolve: (reply: Reply) => void; reject: (err: Error) => void }>();
  #next = 0;
  #failure: Error | undefined;

  constructor(ring: SlotRing) {
    this.#worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { shared: ring.shared } });
    this.#worker.on('message', (reply: Reply) => {
      const waiter = this.#waiting.get(reply.id);
      this.#waiting.delete(reply.id);
      if (reply.error !== undefined) waiter?.reject(new Error(`hash thread: ${reply.error}`));
      else waiter?.resolve(reply);
    });
    this.#worker.on('error', (err) => this.#fail(err));
    this.#worker.on('exit', (code) => this.#fail(new Error(`hash thread exited (code ${code})`)));
  }

  #fail(err: Error): void {
    this.#failure ??= err;
    for (const waiter of this.#waiting.values()) waiter.reject(err);
    this.#waiting.clear();
  }

  #call(message: Record<string, unknown>): Promise<Reply> {
    if (this.#failure) return Promise.reject(this.#failure);
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      this.#worker.postMessage({ ...message, id });
    });
  }

  async open(lane: string, algorithm: string): Promise<void> {
    await this.#call({ op: 'open', lane, algorithm });
  }

  /** Feeds `length` bytes of the ring from `offset` to each of `lanes`. */
  async update(lanes: readonly string[], offset: number, length: number): Promise<void> {
    await this.#call({ op: 'update', lanes, offset, length });
  }

  /** The lane's digest of everything fed so far; with `reopen`, the lane starts again from empty. */
  async digest(lane: string, reopen?: string): Promise<string> {
    const reply = await this.#call({ op: 'digest', lane, ...(reopen ? { reopen } : {}) });
    return reply.hex ?? '';
  }

  async close(): Promise<void> {
    this.#failure ??= new Error('hash thread closed');
    await this.#worker.terminate();
  }
}
