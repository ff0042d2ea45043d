/**
 * The egress proxy: HTTP forward and CONNECT on a Unix socket. Every connection is judged by
 * name (allowlist, prompt), resolved here on the host, judged again by the address it will
 * actually connect to (so DNS rebinding cannot get around it), logged, counted against the
 * run's upload cap and watched for decoy values. A cut closes every tunnel and refuses the rest.
 *
 * Written on node:http and node:net rather than the `proxy-chain` package, measured on this
 * machine: importing proxy-chain 3.0.1 took 260–460 ms (node:http + node:net: 10–35 ms), more
 * than the whole 100 ms set-up budget; its server listens on a TCP port only (`listen(port,
 * host)`), and it offers no hook on the bytes of a tunnel, which the per-run upload cap (cut in
 * the middle of a tunnel) and the decoy watch need.
 */
import { promises as dns } from 'node:dns';
import { chmodSync, rmSync } from 'node:fs';
import http from 'node:http';
import net, { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import { canonicalAddress, hostAddresses } from './address-class.js';
import type { AllowRule } from './allow-rules.js';
import { CanaryWatch, textHasCanary } from './canary-watch.js';
import { judgeName, pickAddress, type EgressReason } from './egress-decision.js';
import { endToEndHeaders, parseAbsoluteUrl, parseAuthority, refusal, sendRefusal, type EgressTarget } from './proxy-http.js';

export interface ConnectionRecord {
  /** ms since the clock's origin (the run's start) */
  atMs: number;
  host: string;
  port: number;
  /** The address connected to (or refused); null when the name never resolved. */
  address: string | null;
  allowed: boolean;
  reason: EgressReason;
  bytesUp: number;
  bytesDown: number;
  durationMs: number;
  /** 'connect' for a tunnel, 'http' for a forwarded plain-HTTP request */
  kind: 'connect' | 'http';
}

export interface NetworkCut {
  atMs: number;
  reason: string;
}

export type { EgressTarget } from './proxy-http.js';

export interface EgressProxyOptions {
  /** Where to listen (the directory must exist; the socket is made connectable by any uid that can reach it). */
  socketPath: string;
  allow: readonly AllowRule[];
  maxUploadBytes: number;
  /** Asked for the first connection to an unlisted host; true allows it for the rest of the run. Absent: deny. */
  ask?: (target: EgressTarget) => Promise<boolean>;
  /** Decoy values: seen in plain-HTTP bytes, in any bytes sent, or in a CONNECT host name, they cut the network. */
  canaries?: readonly string[];
  /** Called once per connection when it is decided; the record keeps counting until the connection ends. The log keeps the first 5000. */
  onConnection?: (record: Readonly<ConnectionRecord>) => void;
  /** Called once, when the network is cut (by the cap, a canary, or cut()). */
  onCut?: (cut: NetworkCut) => void;
  /** Name resolution (default: the host's resolver, every address). */
  resolve?: (host: string) => Promise<string[]>;
  /** This machine's addresses (default: every interface's). */
  ownAddresses?: ReadonlySet<string>;
  clock?: () => number;
  connectTimeoutMs?: number;
}

export interface EgressProxy {
  readonly socketPath: string;
  /** Closes every tunnel at once and refuses new ones. The first reason wins. */
  cut(reason: string): void;
  /** Stops listening, closes everything, removes the socket. */
  close(): Promise<void>;
  connections(): ConnectionRecord[];
  /** host:port of every denied connection, once each, in order. */
  denied(): string[];
  cutInfo(): NetworkCut | null;
}

async function resolveAll(host: string): Promise<string[]> {
  const found = await dns.lookup(host, { all: true, verbatim: true });
  return found.map((entry) => entry.address);
}

/** The log keeps this many connections (a program looping on connects must not grow saferun's memory). */
const MAX_RECORDS = 5000;

class Proxy implements EgressProxy {
  private readonly server: http.Server;
  private readonly records: ConnectionRecord[] = [];
  private readonly deniedTargets = new Set<string>();
  private readonly allowedThisRun: AllowRule[] = [];
  private readonly deniedThisRun = new Set<string>();
  private readonly pendingAsks = new Map<string, Promise<boolean>>();
  private askQueue: Promise<unknown> = Promise.resolve();
  private readonly live = new Set<Duplex>();
  private readonly canaries: readonly string[];
  private readonly ownAddresses: ReadonlySet<string>;
  private readonly clock: () => number;
  private uploaded = 0;
  private cutState: NetworkCut | null = null;

  constructor(private readonly options: EgressProxyOptions) {
    const origin = performance.now();
    this.clock = options.clock ?? (() => Math.round(performance.now() - origin));
    this.canaries = options.canaries ?? [];
    this.ownAddresses = options.ownAddresses ?? hostAddresses();
    this.server = http.createServer({ requestTimeout: 0, headersTimeout: 60_000 });
    this.server.on('connection', (socket: net.Socket) => this.track(socket));
    this.server.on('connect', (req: http.IncomingMessage, client: Duplex, head: Buffer) => {
      this.tunnel(req, client, head).catch(() => client.destroy());
    });
    this.server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      this.forward(req, res).catch(() => res.destroy());
    });
    this.server.on('clientError', (_error, socket: Duplex) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    });
  }

  get socketPath(): string {
    return this.options.socketPath;
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.socketPath, () => {
        this.server.off('error', reject);
        chmodSync(this.options.socketPath, 0o666);
        resolve();
      });
    });
  }

  cut(reason: string): void {
    if (this.cutState) return;
    this.cutState = { atMs: this.clock(), reason };
    for (const socket of this.live) socket.destroy();
    this.live.clear();
    this.options.onCut?.(this.cutState);
  }

  async close(): Promise<void> {
    for (const socket of this.live) socket.destroy();
    this.live.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    rmSync(this.options.socketPath, { force: true });
  }

  connections(): ConnectionRecord[] {
    return this.records.map((r) => ({ ...r }));
  }

  denied(): string[] {
    return [...this.deniedTargets];
  }

  cutInfo(): NetworkCut | null {
    return this.cutState ? { ...this.cutState } : null;
  }

  private track(socket: Duplex): void {
    if (this.cutState) {
      socket.destroy();
      return;
    }
    this.live.add(socket);
    socket.on('error', () => undefined);
    socket.once('close', () => this.live.delete(socket));
  }

  private newRecord(host: string, port: number, kind: ConnectionRecord['kind']): ConnectionRecord {
    const record: ConnectionRecord = { atMs: this.clock(), host, port, address: null, allowed: false, reason: 'not-listed', bytesUp: 0, bytesDown: 0, durationMs: 0, kind };
    if (this.records.length < MAX_RECORDS) this.records.push(record);
    return record;
  }

  private settle(record: ConnectionRecord, allowed: boolean, reason: EgressReason): void {
    record.allowed = allowed;
    record.reason = reason;
    if (!allowed && this.deniedTargets.size < MAX_RECORDS) this.deniedTargets.add(`${record.host}:${record.port}`);
    this.options.onConnection?.(record);
  }

  /**
   * Decides a target and opens the connection to it. Returns the connected socket, or undefined
   * (the record then says why).
   */
  private async openTarget(record: ConnectionRecord): Promise<net.Socket | undefined> {
    const deny = (reason: EgressReason): undefined => {
      this.settle(record, false, reason);
      return undefined;
    };
    if (this.cutState) return deny('cut');
    if (textHasCanary(this.canaries, record.host)) {
      this.cut('canary');
      return deny('canary');
    }
    const { allow } = this.options;
    const key = `${record.host}:${record.port}`;
    let name = judgeName(allow, this.allowedThisRun, record.host, record.port, this.options.ask !== undefined && !this.deniedThisRun.has(key));
    if (name.verdict === 'denied' && this.deniedThisRun.has(key)) name = { verdict: 'denied', reason: 'denied-at-prompt' };
    if (name.verdict === 'ask') {
      const yes = await this.askOnce(record);
      if (this.cutState) return deny('cut');
      if (!yes) return deny('denied-at-prompt');
      name = { verdict: 'allowed', reason: 'prompt' };
    }
    if (name.verdict === 'denied') return deny(name.reason);
    let addresses: string[];
    try {
      addresses = isIP(record.host) ? [record.host] : await (this.options.resolve ?? resolveAll)(record.host);
    } catch {
      addresses = [];
    }
    const picked = pickAddress(allow, addresses.map(canonicalAddress), record.port, this.ownAddresses);
    if (picked.address !== undefined) record.address = picked.address;
    if ('reason' in picked) return deny(picked.reason);
    if (this.cutState) return deny('cut');
    const upstream = await this.connect(picked.address, record.port);
    if (!upstream) {
      this.settle(record, true, name.reason);
      record.reason = 'unreachable';
      return undefined;
    }
    if (this.cutState) {
      upstream.destroy();
      return deny('cut');
    }
    this.track(upstream);
    this.settle(record, true, name.reason);
    return upstream;
  }

  /** One question per host:port, one question at a time; the connection waits for the answer. */
  private askOnce(record: ConnectionRecord): Promise<boolean> {
    const key = `${record.host}:${record.port}`;
    let pending = this.pendingAsks.get(key);
    if (!pending) {
      const ask = this.options.ask!;
      pending = this.askQueue.then(async () => {
        if (this.cutState) return false;
        const yes = await ask({ host: record.host, port: record.port }).catch(() => false);
        if (yes) this.allowedThisRun.push({ host: record.host, port: record.port });
        else this.deniedThisRun.add(key);
        this.pendingAsks.delete(key);
        return yes;
      });
      this.askQueue = pending.catch(() => undefined);
      this.pendingAsks.set(key, pending);
    }
    return pending;
  }

  private connect(address: string, port: number): Promise<net.Socket | undefined> {
    return new Promise((resolve) => {
      const socket = net.connect({ host: address, port });
      const fail = (): void => {
        socket.destroy();
        resolve(undefined);
      };
      socket.setTimeout(this.options.connectTimeoutMs ?? 10_000, fail);
      socket.once('error', fail);
      socket.once('connect', () => {
        socket.setTimeout(0);
        socket.off('error', fail);
        socket.on('error', () => undefined);
        resolve(socket);
      });
    });
  }

  /** Counts bytes sent against the run's cap; false (and the network cut) when this chunk would pass it. */
  private mayUpload(record: ConnectionRecord, bytes: number): boolean {
    if (this.cutState) return false;
    if (this.uploaded + bytes > this.options.maxUploadBytes) {
      this.cut('upload-cap');
      return false;
    }
    this.uploaded += bytes;
    record.bytesUp += bytes;
    return true;
  }

  private async tunnel(req: http.IncomingMessage, client: Duplex, head: Buffer): Promise<void> {
    const target = parseAuthority(req.url ?? '');
    const record = this.newRecord(target?.host ?? String(req.url ?? '').slice(0, 255), target?.port ?? 0, 'connect');
    if (!target) {
      this.settle(record, false, 'bad-request');
      client.end(refusal(400, 'bad-request'));
      return;
    }
    const started = performance.now();
    const upstream = await this.openTarget(record);
    if (upstream && client.destroyed) {
      upstream.destroy(); // the program gave up while the connection waited (for the prompt, say)
      return;
    }
    if (!upstream) {
      if (client.writable) client.end(refusal(record.reason === 'unreachable' || record.reason === 'no-address' ? 502 : 403, record.reason));
      return;
    }
    const watch = new CanaryWatch(this.canaries);
    const finish = (): void => {
      record.durationMs = Math.round(performance.now() - started);
      client.destroy();
      upstream.destroy();
    };
    const sendUp = (chunk: Buffer): void => {
      if (watch.sees(chunk)) return this.cut('canary');
      if (!this.mayUpload(record, chunk.length)) return finish();
      if (!upstream.write(chunk)) {
        client.pause();
        upstream.once('drain', () => client.resume());
      }
    };
    client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length > 0) sendUp(head);
    client.on('data', sendUp);
    upstream.on('data', (chunk: Buffer) => {
      record.bytesDown += chunk.length;
      if (!client.write(chunk)) {
        upstream.pause();
        client.once('drain', () => upstream.resume());
      }
    });
    client.once('end', () => upstream.end());
    upstream.once('end', () => client.end());
    client.once('close', finish);
    upstream.once('close', finish);
  }

  private async forward(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = parseAbsoluteUrl(req.url ?? '');
    const record = this.newRecord(url?.host ?? '', url?.port ?? 0, 'http');
    if (!url) {
      this.settle(record, false, 'bad-request');
      sendRefusal(res, 400, 'bad-request');
      return;
    }
    const watch = new CanaryWatch(this.canaries);
    const headText = `${req.method} ${req.url} ${req.rawHeaders.join('\n')}`;
    if (watch.active && textHasCanary(this.canaries, headText)) {
      this.cut('canary');
      this.settle(record, false, 'canary');
      res.destroy();
      return;
    }
    const started = performance.now();
    const upstream = await this.openTarget(record);
    if (upstream && res.destroyed) {
      upstream.destroy();
      return;
    }
    if (!upstream) {
      sendRefusal(res, record.reason === 'unreachable' || record.reason === 'no-address' ? 502 : 403, record.reason);
      return;
    }
    // The Host header is the URL's: a different one would reach another site behind the same address.
    const headers = ['Host', url.authority, ...endToEndHeaders(req.rawHeaders, ['host']), 'Connection', 'close'];
    const headBytes = Buffer.byteLength(`${req.method} ${url.path} HTTP/1.1\r\n${headers.join('\r\n')}\r\n\r\n`);
    if (!this.mayUpload(record, headBytes)) {
      upstream.destroy();
      res.destroy();
      return;
    }
    const outgoing = http.request({ method: req.method, path: url.path, headers, createConnection: () => upstream, setHost: false });
    const finish = (): void => {
      record.durationMs = Math.round(performance.now() - started);
      upstream.destroy();
    };
    outgoing.on('error', () => {
      if (!res.headersSent && !this.cutState) sendRefusal(res, 502, 'unreachable');
      else res.destroy();
      finish();
    });
    outgoing.on('response', (upstreamRes) => {
      res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.statusMessage, endToEndHeaders(upstreamRes.rawHeaders));
      upstreamRes.on('data', (chunk: Buffer) => {
        record.bytesDown += chunk.length;
        if (!res.write(chunk)) {
          upstreamRes.pause();
          res.once('drain', () => upstreamRes.resume());
        }
      });
      upstreamRes.once('end', () => {
        res.end();
        finish();
      });
      upstreamRes.once('error', () => res.destroy());
    });
    req.on('data', (chunk: Buffer) => {
      if (watch.sees(chunk)) {
        this.cut('canary');
        return;
      }
      if (!this.mayUpload(record, chunk.length)) {
        outgoing.destroy();
        res.destroy();
        return;
      }
      if (!outgoing.write(chunk)) {
        req.pause();
        outgoing.once('drain', () => req.resume());
      }
    });
    req.once('end', () => outgoing.end());
    res.once('close', finish);
  }
}

export async function startEgressProxy(options: EgressProxyOptions): Promise<EgressProxy> {
  const proxy = new Proxy(options);
  await proxy.listen();
  return proxy;
}
