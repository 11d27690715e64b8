/**
 * A fault-injecting reverse proxy between Downpour and the local cloud, for the reliability tier.
 *
 * One listener on 127.0.0.1 (random port) per service endpoint, each forwarding to the same
 * service on 127.0.0.1. Every URL in a JSON or text response (the Keystone catalog, version
 * documents, pagination links) and every Location header is rewritten from the service's own
 * origin to the proxy's, so a client that starts at the proxied auth_url never learns a direct
 * endpoint. With `tls`, the listeners speak HTTPS (the upstream stays plain HTTP).
 *
 * Faults follow a plan of rules: each rule fires at chosen requests (the nth request the rule
 * matches) and/or at a rate drawn from a seeded PRNG, so a run is reproducible. The proxy counts
 * what it injected, by kind. It only ever connects to 127.0.0.1.
 *
 * A hold stops one chosen request at a chosen stage and says so, so that a test can kill the
 * client at exactly that moment (test/reliability/kill.test.ts).
 */
import { Agent, request as httpRequest, createServer as createHttpServer } from 'node:http';
import type {
  IncomingHttpHeaders,
  IncomingMessage,
  OutgoingHttpHeaders,
  Server,
  ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';

/** The local cloud's services and their ports (scripts/local-cloud). */
export const LOCAL_CLOUD_PORTS = {
  keystone: 5000,
  nova: 8774,
  neutron: 9696,
  glance: 9292,
  cinder: 8776,
  placement: 8778,
  heat: 8004,
  swift: 8080,
} as const;
export type ServiceName = keyof typeof LOCAL_CLOUD_PORTS;

export type Fault =
  /** Answer with this status (a 5xx) without forwarding. */
  | { kind: 'status'; status: number }
  /** Close the connection without answering and without forwarding. */
  | { kind: 'reset-before-response' }
  /** Image download (GET .../file): forward, send the headers and part of the body, then close. */
  | { kind: 'reset-mid-body'; afterBytes?: number }
  /** Image upload (PUT .../file): forward part of the request body, then close both sides. */
  | { kind: 'reset-mid-upload'; afterBytes?: number }
  /** 429 with Retry-After, without forwarding. */
  | { kind: 'retry-after-429'; seconds?: number }
  /** Wait, then forward normally. */
  | { kind: 'slow'; ms: number }
  /** 401 to a non-Keystone request that carries a token, as if the token had expired. */
  | { kind: 'expired-token' };
export type FaultKind = Fault['kind'];
export const FAULT_KINDS: readonly FaultKind[] = [
  'status',
  'reset-before-response',
  'reset-mid-body',
  'reset-mid-upload',
  'retry-after-429',
  'slow',
  'expired-token',
];

export interface ProxiedRequest {
  /** 1-based, over every request the proxy has seen. */
  n: number;
  service: ServiceName;
  method: string;
  /** Path and query, as sent. */
  path: string;
}

export interface RequestMatch {
  service?: ServiceName | readonly ServiceName[];
  method?: string | readonly string[];
  path?: RegExp;
}

export interface FaultRule {
  fault: Fault;
  /** Which requests the rule considers, besides the ones its fault kind can apply to. */
  match?: RequestMatch | ((req: ProxiedRequest) => boolean);
  /** Fire at these matching requests (1-based count of the requests this rule matched). */
  at?: readonly number[];
  /** Or fire with this probability per matching request (seeded PRNG). */
  rate?: number;
  /** Fire at most this many times. */
  max?: number;
}

export interface FaultProxyOptions {
  /** Seed of the PRNG that decides `rate` rules (default 1). */
  seed?: number;
  rules?: readonly FaultRule[];
  /** Which services to proxy (default: all of LOCAL_CLOUD_PORTS). */
  services?: readonly ServiceName[];
  /** Serve HTTPS with this key and certificate (PEM). */
  tls?: { key: string | Buffer; cert: string | Buffer };
}

export interface LoggedRequest extends ProxiedRequest {
  fault?: FaultKind;
  held?: HoldStage;
}

/**
 * Where a held request stops; the client waits there until it is killed.
 *   request       never forwarded: the cloud does not see it
 *   response      forwarded and answered by the cloud; the answer never reaches the client
 *   mid-response  the answer's headers and half its body are sent, then nothing more (downloads)
 *   mid-request   half the request body is forwarded, then nothing more (uploads)
 */
export type HoldStage = 'request' | 'response' | 'mid-response' | 'mid-request';

export interface Hold {
  /** The first request this accepts is held; `log` has every request before it. */
  match(req: ProxiedRequest): boolean;
  stage: HoldStage;
  /** Called once, when the request is held at its stage: the moment to kill the client. */
  onHeld(req: ProxiedRequest): void;
}

const IMAGE_FILE = /^\/v2\/images\/[^/?]+\/file(\?|$)/;
const UPSTREAM_HOST = '127.0.0.1';
const REWRITABLE = /json|text|xml/i;
const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'transfer-encoding',
  'proxy-connection',
  'upgrade',
  'te',
  'trailer',
];

/** mulberry32: small, fast, good enough to spread faults; the same seed gives the same decisions. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Can this kind of fault be injected into this request at all? */
function applicable(kind: FaultKind, req: ProxiedRequest): boolean {
  switch (kind) {
    case 'reset-mid-body':
      return req.service === 'glance' && req.method === 'GET' && IMAGE_FILE.test(req.path);
    case 'reset-mid-upload':
      return req.service === 'glance' && req.method === 'PUT' && IMAGE_FILE.test(req.path);
    case 'expired-token':
      return req.service !== 'keystone';
    default:
      return true;
  }
}

function matches(match: FaultRule['match'], req: ProxiedRequest): boolean {
  if (!match) return true;
  if (typeof match === 'function') return match(req);
  const oneOf = <T>(want: T | readonly T[] | undefined, have: T) =>
    want === undefined || (Array.isArray(want) ? (want as readonly T[]).includes(have) : want === have);
  return (
    oneOf(match.service, req.service) &&
    oneOf(match.method, req.method) &&
    (match.path === undefined || match.path.test(req.path))
  );
}

const emptyCounts = (): Record<FaultKind, number> =>
  Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Listener {
  service: ServiceName;
  upstreamPort: number;
  port: number;
  server: Server;
}

interface RuleState {
  rule: FaultRule;
  seen: number;
  fired: number;
}

export class FaultProxy {
  /** Faults injected so far, by kind. */
  readonly injected: Record<FaultKind, number> = emptyCounts();
  /** Every request seen, with the fault it got. */
  readonly log: LoggedRequest[] = [];
  /** Every token Keystone issued through the proxy (X-Subject-Token), for secret scans. */
  readonly tokens = new Set<string>();
  private rules: RuleState[] = [];
  private pendingHold: Hold | undefined;
  /** How to end each held request on both sides. */
  private readonly held = new Set<() => void>();
  private random: () => number;
  private counter = 0;
  private readonly listeners: Listener[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 32 });
  private readonly scheme: 'http' | 'https';
  private readonly options: FaultProxyOptions;

  constructor(options: FaultProxyOptions = {}) {
    this.options = options;
    this.scheme = options.tls ? 'https' : 'http';
    this.random = seededRandom(options.seed ?? 1);
    this.setRules(options.rules ?? []);
  }

  /** Replace the fault plan (rule counters start again; the PRNG is re-seeded when `seed` is given). */
  setRules(rules: readonly FaultRule[], seed?: number): void {
    this.rules = rules.map((rule) => ({ rule, seen: 0, fired: 0 }));
    if (seed !== undefined) this.random = seededRandom(seed);
  }

  /** Hold the first request `hold.match` accepts (replacing a hold that has not fired yet). */
  holdNext(hold: Hold | undefined): void {
    this.pendingHold = hold;
  }

  /**
   * End every held request, towards the client and towards the cloud: once the client is dead,
   * the cloud then sees its connection end at once, as it would without the proxy (a paused
   * socket does not notice that its peer went away, and Glance waits minutes for the rest of an
   * upload).
   */
  dropHeld(): void {
    for (const drop of this.held) drop();
    this.held.clear();
  }

  get requests(): number {
    return this.counter;
  }

  get totalInjected(): number {
    return Object.values(this.injected).reduce((a, b) => a + b, 0);
  }

  /** The proxy's URL for a service, e.g. `http://127.0.0.1:40123`. */
  url(service: ServiceName): string {
    const l = this.listeners.find((x) => x.service === service);
    if (!l) throw new Error(`the fault proxy does not proxy ${service}`);
    return `${this.scheme}://127.0.0.1:${l.port}`;
  }

  /** The proxied ports, to check that a catalog points only at the proxy. */
  get ports(): number[] {
    return this.listeners.map((l) => l.port);
  }

  async start(): Promise<this> {
    const services = this.options.services ?? (Object.keys(LOCAL_CLOUD_PORTS) as ServiceName[]);
    for (const service of services) {
      const upstreamPort = LOCAL_CLOUD_PORTS[service];
      const handler = (req: IncomingMessage, res: ServerResponse) => {
        this.handle(service, upstreamPort, req, res).catch(() => res.socket?.destroy());
      };
      const server = this.options.tls
        ? createHttpsServer({ key: this.options.tls.key, cert: this.options.tls.cert }, handler)
        : createHttpServer(handler);
      server.on('connection', (s: Socket) => {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
      });
      server.on('secureConnection', (s: Socket) => {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
      });
      // A client that gives up mid-handshake must not crash the test process.
      server.on('tlsClientError', () => undefined);
      server.on('clientError', (_err, socket) => socket.destroy());
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve());
      });
      const { port } = server.address() as AddressInfo;
      this.listeners.push({ service, upstreamPort, port, server });
    }
    return this;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await Promise.all(
      this.listeners.map((l) => new Promise<void>((resolve) => l.server.close(() => resolve()))),
    );
    this.agent.destroy();
  }

  /** A counts table for reports: kind -> injected. */
  summary(): string {
    return FAULT_KINDS.filter((k) => this.injected[k] > 0)
      .map((k) => `${k}=${this.injected[k]}`)
      .join(' ');
  }

  private decide(req: ProxiedRequest): Fault | undefined {
    for (const state of this.rules) {
      const { rule } = state;
      if (!applicable(rule.fault.kind, req) || !matches(rule.match, req)) continue;
      state.seen++;
      const byCount = rule.at?.includes(state.seen) ?? false;
      const byRate = rule.rate !== undefined && this.random() < rule.rate;
      if (!byCount && !byRate) continue;
      if (rule.max !== undefined && state.fired >= rule.max) continue;
      state.fired++;
      return rule.fault;
    }
    return undefined;
  }

  /** Origins of proxied services -> the proxy's origins, for rewriting what the services say. */
  private rewrite(text: string): string {
    let out = text;
    for (const l of this.listeners) {
      const to = `${this.scheme}://127.0.0.1:${l.port}`;
      for (const host of ['127.0.0.1', 'localhost'])
        out = out.split(`http://${host}:${l.upstreamPort}`).join(to);
    }
    return out;
  }

  private count(entry: LoggedRequest, kind: FaultKind): void {
    this.injected[kind]++;
    entry.fault = kind;
  }

  private async handle(
    service: ServiceName,
    upstreamPort: number,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    const info: ProxiedRequest = {
      n: ++this.counter,
      service,
      method: req.method ?? 'GET',
      path: req.url ?? '/',
    };
    const entry: LoggedRequest = { ...info };
    const hold = this.pendingHold?.match(info) ? this.pendingHold : undefined;
    this.log.push(entry);
    if (hold) {
      this.pendingHold = undefined;
      entry.held = hold.stage;
      return this.holdAt(hold, info, upstreamPort, req, res);
    }
    let fault = this.decide(info);
    if (fault?.kind === 'slow') {
      this.count(entry, 'slow');
      await sleep(fault.ms);
      fault = undefined;
    }
    if (fault?.kind === 'expired-token' && !req.headers['x-auth-token']) fault = undefined;
    switch (fault?.kind) {
      case 'status':
        this.count(entry, 'status');
        return answer(req, res, fault.status, {}, { message: `fault proxy: injected ${fault.status}` });
      case 'retry-after-429':
        this.count(entry, 'retry-after-429');
        return answer(
          req,
          res,
          429,
          { 'retry-after': String(fault.seconds ?? 1) },
          { message: 'fault proxy: rate limited, retry later' },
        );
      case 'expired-token':
        this.count(entry, 'expired-token');
        return answer(
          req,
          res,
          401,
          {},
          {
            error: {
              code: 401,
              title: 'Unauthorized',
              message: 'The request you have made requires authentication.',
            },
          },
        );
      case 'reset-before-response':
        this.count(entry, 'reset-before-response');
        req.socket.destroy();
        return;
      default:
        return this.forward(upstreamPort, req, res, entry, fault);
    }
  }

  /** Take `req` as far as `hold.stage`, tell the test, and leave it there until the client goes away. */
  private holdAt(
    hold: Hold,
    info: ProxiedRequest,
    upstreamPort: number,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    return new Promise<void>((resolve) => {
      let fired = false;
      const held = () => {
        if (fired) return;
        fired = true;
        hold.onHeld(info);
        resolve();
      };
      if (hold.stage === 'request') {
        req.resume();
        this.held.add(() => req.socket.destroy());
        return held();
      }
      const upstream = httpRequest({
        host: UPSTREAM_HOST,
        port: upstreamPort,
        method: req.method,
        path: req.url,
        headers: { ...upstreamHeaders(req), host: `${UPSTREAM_HOST}:${upstreamPort}` },
        agent: false,
      });
      this.held.add(() => {
        upstream.destroy();
        req.socket.destroy();
      });
      // Whatever the cloud still has to say is dropped once the client has gone.
      res.on('close', () => upstream.destroy());
      upstream.on('error', () => res.socket?.destroy());
      upstream.on('response', (up) => {
        if (hold.stage === 'response') {
          up.resume();
          up.on('end', held);
          return;
        }
        if (hold.stage !== 'mid-response') return up.resume();
        const length = Number(up.headers['content-length'] ?? 0);
        const headers = withoutHopByHop(up.headers);
        if (up.headers['content-length'] !== undefined)
          headers['content-length'] = up.headers['content-length'];
        res.writeHead(up.statusCode ?? 502, headers);
        let left = Math.max(1, Math.floor(length / 2));
        up.on('data', (chunk: Buffer) => {
          if (left <= 0) return;
          const part = chunk.subarray(0, left);
          left -= part.length;
          res.write(part, () => {
            if (left > 0) return;
            up.pause();
            held();
          });
        });
      });
      if (hold.stage !== 'mid-request') {
        req.pipe(upstream);
        return;
      }
      let left = Math.max(1, Math.floor(Number(req.headers['content-length'] ?? 2 * 1024 * 1024) / 2));
      req.on('data', (chunk: Buffer) => {
        if (left <= 0) return;
        const part = chunk.subarray(0, left);
        left -= part.length;
        // The rest of the body is read and dropped, so that the client's going away is noticed.
        upstream.write(part, () => {
          if (left === 0) held();
        });
      });
    });
  }

  private forward(
    upstreamPort: number,
    req: IncomingMessage,
    res: ServerResponse,
    entry: LoggedRequest,
    fault: Fault | undefined,
  ): Promise<void> {
    const headers = { ...upstreamHeaders(req), host: `${UPSTREAM_HOST}:${upstreamPort}` };
    return new Promise<void>((resolve) => {
      const upstream = httpRequest(
        {
          host: UPSTREAM_HOST,
          port: upstreamPort,
          method: req.method,
          path: req.url,
          headers,
          agent: this.agent,
        },
        (up) => {
          this.respond(up, res, entry, fault).then(resolve, () => {
            res.socket?.destroy();
            resolve();
          });
        },
      );
      upstream.on('error', () => {
        if (!res.headersSent) res.socket?.destroy();
        resolve();
      });
      req.on('error', () => upstream.destroy());
      // A client that goes away (killed) takes its request to the cloud with it, as it would
      // without the proxy: an upload left open upstream would keep its image "saving".
      res.on('close', () => {
        if (!res.writableFinished) upstream.destroy();
      });
      if (fault?.kind === 'reset-mid-upload') {
        const total = Number(req.headers['content-length'] ?? 0);
        const cut = fault.afterBytes ?? (total > 0 ? Math.floor(total / 2) : 1024 * 1024);
        let sent = 0;
        let cutDone = false;
        req.on('data', (chunk: Buffer) => {
          if (cutDone) return;
          const room = cut - sent;
          const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
          sent += part.length;
          const atCut = sent >= cut;
          upstream.write(part, () => {
            if (!atCut) return;
            // Glance has part of the data: it goes to saving, then back to queued.
            this.count(entry, 'reset-mid-upload');
            upstream.destroy();
            req.socket.destroy();
            resolve();
          });
          if (atCut) {
            cutDone = true;
            req.pause();
          }
        });
        req.on('end', () => {
          if (!cutDone) upstream.end();
        });
      } else {
        req.pipe(upstream);
      }
    });
  }

  private async respond(
    up: IncomingMessage,
    res: ServerResponse,
    entry: LoggedRequest,
    fault: Fault | undefined,
  ): Promise<void> {
    const status = up.statusCode ?? 502;
    const headers: OutgoingHttpHeaders = withoutHopByHop(up.headers);
    for (const name of ['location', 'content-location']) {
      const v = headers[name];
      if (typeof v === 'string') headers[name] = this.rewrite(v);
    }
    const token = up.headers['x-subject-token'];
    if (typeof token === 'string') this.tokens.add(token);
    const type = String(up.headers['content-type'] ?? '');
    if (REWRITABLE.test(type) && fault?.kind !== 'reset-mid-body') {
      const parts: Buffer[] = [];
      for await (const chunk of up as AsyncIterable<Buffer>) parts.push(chunk);
      const body = Buffer.from(this.rewrite(Buffer.concat(parts).toString('utf8')), 'utf8');
      headers['content-length'] = String(body.length);
      res.writeHead(status, headers);
      res.end(body);
      return;
    }
    if (up.headers['content-length'] !== undefined) headers['content-length'] = up.headers['content-length'];
    res.writeHead(status, headers);
    const length = Number(up.headers['content-length'] ?? 0);
    if (fault?.kind === 'reset-mid-body' && (status === 200 || status === 206) && length > 1) {
      const cut = Math.min(fault.afterBytes ?? Math.floor(length / 2), length - 1);
      let sent = 0;
      for await (const chunk of up as AsyncIterable<Buffer>) {
        const part = chunk.subarray(0, Math.max(0, cut - sent));
        sent += part.length;
        if (part.length) await new Promise<void>((resolve) => res.write(part, () => resolve()));
        if (sent >= cut) break;
      }
      this.count(entry, 'reset-mid-body');
      up.destroy();
      res.socket?.destroy();
      return;
    }
    await new Promise<void>((resolve) => {
      up.pipe(res);
      res.on('close', () => resolve());
      up.on('error', () => {
        res.socket?.destroy();
        resolve();
      });
    });
  }
}

/** The client's headers as the proxy sends them on: no hop-by-hop ones, no compression. */
function upstreamHeaders(req: IncomingMessage): OutgoingHttpHeaders {
  const headers = withoutHopByHop(req.headers);
  delete headers['accept-encoding'];
  if (req.headers['content-length']) headers['content-length'] = req.headers['content-length'];
  return headers;
}

function withoutHopByHop(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.includes(name) || name === 'content-length') continue;
    out[name] = value;
  }
  return out;
}

/** Reads and drops the request body, then answers with a small JSON body. */
async function answer(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: unknown,
): Promise<void> {
  for await (const _ of req as AsyncIterable<Buffer>) {
    // drained: the client may still be sending
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

export async function startFaultProxy(options: FaultProxyOptions = {}): Promise<FaultProxy> {
  return new FaultProxy(options).start();
}

/**
 * A clouds.yaml whose clouds authenticate through the proxy: every auth_url pointing at the
 * local Keystone is rewritten, and `extra` keys (cacert, insecure, ...) are added to each cloud.
 */
export function proxiedCloudsYaml(
  cloudsYamlText: string,
  proxy: FaultProxy,
  extra: Record<string, unknown> = {},
): string {
  const doc = parseYaml(cloudsYamlText) as { clouds: Record<string, { auth?: { auth_url?: string } }> };
  const keystone = new RegExp(`^https?://(127\\.0\\.0\\.1|localhost):${LOCAL_CLOUD_PORTS.keystone}`);
  for (const [name, cloud] of Object.entries(doc.clouds)) {
    if (cloud.auth?.auth_url)
      cloud.auth.auth_url = cloud.auth.auth_url.replace(keystone, proxy.url('keystone'));
    doc.clouds[name] = { ...cloud, ...extra };
  }
  return stringifyYaml(doc);
}
