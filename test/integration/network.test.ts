/**
 * The network saferun controls, end to end through the CLI with the real engine. The "internet"
 * is servers this test starts on this machine: on 127.0.0.2 (reached through the proxy when
 * allowed exactly) and on 0.0.0.0 (a host service, which must stay unreachable). No packet is
 * sent anywhere else: denied names are refused before any lookup, and the metadata and other
 * non-local addresses are tested at the proxy's decision only (test/network/).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import Docker from 'dockerode';
import { assertEngineReachable } from '../support/engine.js';
import { BIN, saferun, startSaferun, tempWorkdir } from '../support/saferun.js';

const docker = new Docker();
let dir: string;
let allowedServer: http.Server;
let allowedPort: number;
let hostService: http.Server;
let hostServicePort: number;
let hostServiceHits = 0;
let uploaded = 0;
let wheel: Buffer;

/** A tiny PEP 503 index plus an upload sink, served on 127.0.0.2 (loopback: this machine only). */
function indexHandler(req: http.IncomingMessage, res: http.ServerResponse): void {
  if (req.method === 'POST') {
    req.on('data', (chunk: Buffer) => (uploaded += chunk.length));
    req.on('end', () => res.end(`got ${uploaded}`));
    req.on('error', () => undefined);
    return;
  }
  const digest = createHash('sha256').update(wheel).digest('hex');
  if (req.url === '/simple/demo-pkg/') {
    res.setHeader('Content-Type', 'text/html');
    res.end(`<!DOCTYPE html><html><body><a href="/files/demo_pkg-1.0-py3-none-any.whl#sha256=${digest}">demo_pkg-1.0-py3-none-any.whl</a></body></html>`);
  } else if (req.url === '/files/demo_pkg-1.0-py3-none-any.whl') {
    res.end(wheel);
  } else res.end(`hello from ${req.headers.host}`);
}

function listen(server: http.Server, host: string): Promise<number> {
  return new Promise((resolve) => server.listen(0, host, () => resolve((server.address() as AddressInfo).port)));
}

before(async () => {
  await assertEngineReachable();
  dir = tempWorkdir('saferun-network-');
  wheel = Buffer.from('PK-not-really-a-wheel-but-bytes-with-a-digest');
  allowedServer = http.createServer(indexHandler);
  allowedPort = await listen(allowedServer, '127.0.0.2');
  hostService = http.createServer((_req, res) => {
    hostServiceHits++;
    res.end('host service');
  });
  hostServicePort = await listen(hostService, '0.0.0.0');
  writeFileSync(
    path.join(dir, 'fetch.py'),
    [
      'import sys, urllib.request',
      'for url in sys.argv[1:]:',
      '    try:',
      '        print(url, urllib.request.urlopen(url, timeout=10).read().decode())',
      '    except Exception as e:',
      '        print(url, "failed:", e)',
    ].join('\n'),
  );
  writeFileSync(
    path.join(dir, 'reach_host.py'),
    [
      'import socket, sys, urllib.request',
      'gateway, port = sys.argv[1], int(sys.argv[2])',
      'for target in [(gateway, port), ("127.0.0.1", port)]:',
      '    try:',
      '        socket.create_connection(target, timeout=3); print("raw", target, "reachable")',
      '    except OSError as e:',
      '        print("raw", target, "failed:", e.strerror or e)',
      'try:',
      '    print(urllib.request.urlopen(f"http://{gateway}:{port}/", timeout=5).status)',
      'except Exception as e:',
      '    print("proxy gateway failed:", e)',
      'try:',
      '    socket.getaddrinfo("example.org", 443); print("dns works")',
      'except OSError as e:',
      '    print("dns failed:", e)',
      'import os; print("interfaces", sorted(os.listdir("/sys/class/net")))',
    ].join('\n'),
  );
  // Through the proxy explicitly: a name that resolves to loopback on the host (NO_PROXY keeps
  // "localhost" inside the container for ordinary clients).
  writeFileSync(
    path.join(dir, 'by_name.py'),
    [
      'import http.client, sys',
      'conn = http.client.HTTPConnection("127.0.0.1", 3128, timeout=10)',
      'conn.request("GET", sys.argv[1])',
      'r = conn.getresponse(); print(r.status, r.read().decode().strip())',
      'tunnel = http.client.HTTPConnection("127.0.0.1", 3128, timeout=10)',
      'host, port = sys.argv[2].split(":")',
      'tunnel.set_tunnel(host, int(port))',
      'try:',
      '    tunnel.request("GET", "/"); r = tunnel.getresponse(); print("tunnel", r.status, r.read().decode())',
      'except OSError as e:',
      '    print("tunnel failed:", e)',
    ].join('\n'),
  );
  writeFileSync(
    path.join(dir, 'upload.py'),
    [
      'import sys, urllib.request',
      'data = b"x" * (1024 * 1024)',
      'try:',
      '    print(urllib.request.urlopen(urllib.request.Request(sys.argv[1], data=data, method="POST"), timeout=10).read().decode())',
      'except Exception as e:',
      '    print("upload failed:", type(e).__name__)',
      'try:',
      '    urllib.request.urlopen(sys.argv[1], timeout=10); print("after the cut: reachable")',
      'except Exception as e:',
      '    print("after the cut: failed")',
    ].join('\n'),
  );
  // What `pip download` does against a PEP 503 index, with the standard library (the sandbox
  // image has no pip): read the project page, follow the link, check the sha256.
  writeFileSync(
    path.join(dir, 'simple_index.py'),
    [
      'import hashlib, re, sys, urllib.request',
      'index = sys.argv[1]',
      'page = urllib.request.urlopen(index + "demo-pkg/", timeout=10).read().decode()',
      'href = re.search(r\'href="([^"]+)"\', page).group(1)',
      'url, digest = href.split("#sha256=")',
      'body = urllib.request.urlopen(urllib.request.urljoin(index, url), timeout=10).read()',
      'print("downloaded", url.rsplit("/", 1)[1], len(body), "bytes, sha256", "ok" if hashlib.sha256(body).hexdigest() == digest else "MISMATCH")',
    ].join('\n'),
  );
  writeFileSync(
    path.join(dir, 'cut_by_alert.py'),
    [
      'import http.client, subprocess, sys, time',
      'host, port = "127.0.0.2", int(sys.argv[1])',
      'tunnel = http.client.HTTPConnection("127.0.0.1", 3128, timeout=10)',
      'tunnel.set_tunnel(host, port)',
      'tunnel.request("GET", "/"); r = tunnel.getresponse(); print("before", r.status, r.read().decode(), flush=True)',
      'miner = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(6)", "".join(reversed("3333:dilavni.loop//:pct+mutarts"))])',
      'time.sleep(4)',
      'try:',
      '    tunnel.request("GET", "/"); r = tunnel.getresponse(); print("same tunnel after:", r.status)',
      'except Exception as e:',
      '    print("same tunnel after: closed")',
      'try:',
      '    c = http.client.HTTPConnection("127.0.0.1", 3128, timeout=10); c.request("GET", f"http://{host}:{port}/"); print("new after:", c.getresponse().status)',
      'except Exception as e:',
      '    print("new after: failed")',
      'miner.kill()',
    ].join('\n'),
  );
  writeFileSync(path.join(dir, 'tiny-cap.yaml'), 'extends: normal\nnetwork:\n  maxUpload: 64k\n');
  writeFileSync(path.join(dir, 'sleepy.py'), 'import time\nprint("ready", flush=True)\ntime.sleep(60)\n');
});

after(async () => {
  allowedServer.closeAllConnections();
  hostService.closeAllConnections();
  await Promise.all([new Promise((r) => allowedServer.close(r)), new Promise((r) => hostService.close(r))]);
  rmSync(dir, { recursive: true, force: true });
});

interface NetworkSection {
  mode: string;
  allow: string[];
  connections: { atMs: number; host: string; port: number; address: string | null; allowed: boolean; reason: string; bytesUp: number; bytesDown: number; durationMs: number }[];
  denied: string[];
  cut: { atMs: number; reason: string } | null;
}

function reportOf(stdout: string): { output: string; runId: string; network: NetworkSection } {
  const start = stdout.indexOf('{\n');
  assert.ok(start >= 0, `a JSON report in: ${stdout}`);
  const report = JSON.parse(stdout.slice(start)) as { runId: string; network: NetworkSection };
  return { output: stdout.slice(0, start), runId: report.runId, network: report.network };
}

/** Nothing of this run is left: no container with its label, no proxy directory. */
async function assertRunLeftNothing(runId: string): Promise<void> {
  const containers = await docker.listContainers({ all: true, filters: JSON.stringify({ label: [`saferun.run=${runId}`] }) });
  assert.deepEqual(containers.map((c) => c.Id), [], `no container of run ${runId}`);
  const dirs = readdirSync(os.tmpdir()).filter((name) => name.startsWith('saferun-net-') && name.endsWith(`-${runId}`));
  assert.deepEqual(dirs, [], `no proxy directory of run ${runId}`);
}

/**
 * The default bridge's gateway: this machine's address on docker0 (os.networkInterfaces() omits a
 * bridge that is down), else the first address of the bridge network's subnet.
 */
async function bridgeGateway(): Promise<string> {
  const { stdout } = await execa('ip', ['-4', '-o', 'addr', 'show', 'docker0'], { reject: false });
  const onInterface = /inet (\d+\.\d+\.\d+\.\d+)\//.exec(String(stdout))?.[1];
  if (onInterface) return onInterface;
  const bridge = (await docker.getNetwork('bridge').inspect()) as { IPAM?: { Config?: { Subnet?: string }[] } };
  const subnet = /^(\d+\.\d+\.\d+)\.0\/\d+$/.exec(bridge.IPAM?.Config?.[0]?.Subnet ?? '')?.[1];
  assert.ok(subnet, 'the engine has a default bridge');
  return `${subnet}.1`;
}

const allowed = (): string => `127.0.0.2:${allowedPort}`;

test('allowlist: an allowed host answers, an unlisted one is refused with a line saying how to allow it, and both are logged', async () => {
  const result = await saferun(['--json', '--allow-host', allowed(), 'fetch.py', `http://${allowed()}/`, 'http://collect.example.com/x'], { cwd: dir });
  assert.equal(result.exitCode, 0, result.stderr);
  const { output, runId, network } = reportOf(result.stdout);
  assert.match(output, new RegExp(`hello from ${allowed().replace(/\./g, '\\.')}`));
  assert.match(output, /collect\.example\.com\/x failed: HTTP Error 403/);
  assert.match(result.stderr, /saferun: network: denied collect\.example\.com:80 — allow it with --allow-host collect\.example\.com\n/);
  assert.match(result.stderr, /saferun: network: denied 1 host: collect\.example\.com:80 \(not on the allowlist\)/);
  assert.equal(network.mode, 'allowlist');
  assert.deepEqual(network.allow, [allowed()]);
  const [ok, refused] = network.connections;
  assert.deepEqual({ ...ok, atMs: 0, durationMs: 0, bytesUp: 0, bytesDown: 0 }, { atMs: 0, host: '127.0.0.2', port: allowedPort, address: '127.0.0.2', allowed: true, reason: 'allowlist', bytesUp: 0, bytesDown: 0, durationMs: 0 });
  assert.ok(ok!.bytesUp > 0 && ok!.bytesDown > 0);
  assert.deepEqual({ host: refused!.host, allowed: refused!.allowed, reason: refused!.reason, address: refused!.address }, { host: 'collect.example.com', allowed: false, reason: 'not-listed', address: null });
  assert.deepEqual(network.denied, ['collect.example.com:80']);
  assert.equal(network.cut, null);
  await assertRunLeftNothing(runId);
});

test('a name that resolves to a loopback address is refused unless that exact address is allowed; CONNECT tunnels are judged the same', async () => {
  const url = `http://localhost:${allowedPort}/`;
  const nameOnly = await saferun(['--json', '--allow-host', `localhost:${allowedPort}`, 'by_name.py', url, `localhost:${allowedPort}`], { cwd: dir });
  const first = reportOf(nameOnly.stdout);
  assert.match(first.output, /^403 saferun: a loopback address/m);
  assert.match(first.output, /tunnel failed: Tunnel connection failed: 403/);
  assert.match(nameOnly.stderr, /denied localhost:\d+ — 127\.0\.0\.1 is a loopback address .*; allow that exact address with --allow-host 127\.0\.0\.1:\d+ if you mean it/);
  assert.ok(first.network.connections.every((c) => !c.allowed && c.reason === 'loopback-address'), JSON.stringify(first.network.connections));
  await assertRunLeftNothing(first.runId);
  // The server listens on 127.0.0.2 only: allowing 127.0.0.1 exactly lets the proxy connect, and the refusal becomes the server's.
  const exact = await saferun(['--json', '--allow-host', `localhost:${allowedPort}`, '--allow-host', `127.0.0.1:${allowedPort}`, 'by_name.py', url, `localhost:${allowedPort}`], { cwd: dir });
  const second = reportOf(exact.stdout);
  assert.ok(second.network.connections.length > 0 && second.network.connections.every((c) => c.address === '127.0.0.1' && c.reason !== 'loopback-address'), JSON.stringify(second.network.connections));
  await assertRunLeftNothing(second.runId);
});

test('allowlist and restricted: the gateway, a host service on 0.0.0.0 and DNS are unreachable; there is no interface but loopback', async () => {
  const gateway = await bridgeGateway();
  for (const mode of ['allowlist', 'restricted']) {
    const result = await saferun(['--json', '--network', mode, 'reach_host.py', gateway, String(hostServicePort)], { cwd: dir });
    assert.equal(result.exitCode, 0, result.stderr);
    const { output, runId, network } = reportOf(result.stdout);
    assert.match(output, new RegExp(`raw \\('${gateway.replace(/\./g, '\\.')}', \\d+\\) failed`), mode);
    assert.match(output, /raw \('127\.0\.0\.1', \d+\) failed/, mode);
    assert.match(output, /proxy gateway failed: HTTP Error 403/, mode);
    assert.match(output, /dns failed/, mode);
    assert.match(output, /interfaces \['lo'\]/, mode);
    assert.equal(network.mode, mode);
    assert.deepEqual(network.denied, [`${gateway}:${hostServicePort}`]);
    if (mode === 'restricted') assert.match(result.stderr, /restricted mode reaches nothing/);
    await assertRunLeftNothing(runId);
  }
  assert.equal(hostServiceHits, 0, 'the host service never saw a request');
});

test('the upload cap cuts the network: the tunnel closes, the rest is refused, the report and the line say why', async () => {
  uploaded = 0;
  const result = await saferun(['--json', '--profile', 'tiny-cap.yaml', '--allow-host', allowed(), 'upload.py', `http://${allowed()}/`], { cwd: dir });
  const { output, runId, network } = reportOf(result.stdout);
  assert.match(output, /upload failed/);
  assert.match(output, /after the cut: failed/);
  assert.ok(uploaded <= 64 * 1024, `the server got ${uploaded} bytes`);
  assert.equal(network.cut?.reason, 'upload-cap');
  assert.match(result.stderr, /saferun: network cut \(the upload cap was reached\)/);
  await assertRunLeftNothing(runId);
});

test('a monitor alert cuts through the proxy: the open tunnel closes and new connections are refused', async () => {
  const result = await saferun(['--json', '--yes', '--allow-host', allowed(), 'cut_by_alert.py', String(allowedPort)], { cwd: dir });
  const { output, runId, network } = reportOf(result.stdout);
  assert.match(output, /^before 200 hello from/m, result.stderr);
  assert.match(output, /^same tunnel after: closed/m);
  assert.doesNotMatch(output, /^new after: 200/m);
  assert.match(network.cut?.reason ?? '', /^miner-process/);
  assert.match(result.stderr, /saferun: network cut \(miner-process\)/);
  assert.equal(result.stderr.match(/saferun: network cut/g)?.length, 1, 'said once');
  await assertRunLeftNothing(runId);
});

test('a PEP 503 index on an exactly allowed address serves a download through the proxy (pip is not in the image: urllib does what pip download does)', async () => {
  const result = await saferun(['--json', '--allow-host', allowed(), 'simple_index.py', `http://${allowed()}/simple/`], { cwd: dir });
  const { output, runId, network } = reportOf(result.stdout);
  assert.match(output, /downloaded demo_pkg-1\.0-py3-none-any\.whl \d+ bytes, sha256 ok/, result.stderr);
  assert.equal(network.connections.length, 2);
  await assertRunLeftNothing(runId);
});

/** Runs saferun under a pseudo-terminal (script(1)); answers the prompt with `key`. */
async function underTerminal(args: string[], key: string): Promise<string> {
  const command = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const child = execa('script', ['-qfec', command, '/dev/null'], { cwd: dir, reject: false, env: { NO_COLOR: '1', SAFERUN_STATE_DIR: path.join(dir, '.state') }, timeout: 120_000 });
  let seen = '';
  let answered = false;
  child.stdout!.on('data', (chunk: Buffer) => {
    seen += chunk.toString();
    if (!answered && /Allow it for this run\? \[y\/N\]/.test(seen)) {
      answered = true;
      child.stdin!.write(key);
    }
  });
  await child;
  return seen;
}

test('on a terminal the first connection to an unlisted host is asked about and waits: y allows it for the run, n denies', async () => {
  // A name (raw IPs are never asked about) that resolves to loopback, whose address is allowed exactly.
  const server = http.createServer((_req, res) => res.end('hello from the prompt server'));
  const port = await listen(server, '127.0.0.1');
  try {
    const args = ['--allow-host', `127.0.0.1:${port}`, 'by_name.py', `http://localhost:${port}/`, `localhost:${port}`];
    const yes = await underTerminal(['--report', path.join(dir, 'yes.json'), ...args], 'y');
    assert.match(yes, new RegExp(`the program wants to reach localhost:${port}, which is not on the allowlist`));
    assert.equal(yes.match(/Allow it for this run\?/g)?.length, 1, 'asked once for two connections');
    assert.match(yes, /^200 hello from the prompt server/m);
    assert.match(yes, /^tunnel 200 hello from the prompt server/m);
    const no = await underTerminal(['--report', path.join(dir, 'no.json'), ...args], 'n');
    assert.match(no, /^403 saferun: denied at the prompt/m);
    assert.match(no, new RegExp(`saferun: network: denied localhost:${port} — allow it with --allow-host localhost:${port}`));
    for (const file of ['yes.json', 'no.json']) {
      const report = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as { runId: string; network: NetworkSection };
      assert.deepEqual(report.network.connections.map((c) => c.reason), file === 'yes.json' ? ['prompt', 'prompt'] : ['denied-at-prompt', 'denied-at-prompt']);
      await assertRunLeftNothing(report.runId);
    }
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

test('--allow-host only tightens: refused where the profile has no allowlist or with --network none', async () => {
  const strict = await saferun(['--profile', 'strict', '--allow-host', 'x.org', 'fetch.py'], { cwd: dir });
  assert.equal(strict.exitCode, 2);
  assert.match(strict.stderr, /--allow-host: profile strict runs with network none, which allows no host/);
  const none = await saferun(['--network', 'none', '--allow-host', 'x.org', 'fetch.py'], { cwd: dir });
  assert.equal(none.exitCode, 2);
  assert.match(none.stderr, /--allow-host cannot be combined with --network none/);
});

test('SIGTERM removes the proxy directory at once; after a SIGKILL the next run reaps it with the container', async () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    const child = startSaferun(['--quiet', 'sleepy.py'], { cwd: dir });
    await new Promise<void>((resolve) => child.stdout!.on('data', (c: Buffer) => String(c).includes('ready') && resolve()));
    const pid = child.pid!;
    assert.equal(readdirSync(os.tmpdir()).filter((n) => n.startsWith(`saferun-net-${pid}-`)).length, 1, 'the run has its proxy directory');
    child.kill(signal);
    await child;
    assert.deepEqual(readdirSync(os.tmpdir()).filter((n) => n.startsWith(`saferun-net-${pid}-`)), [], `${signal}: removed`);
  }
  const killed = startSaferun(['--quiet', 'sleepy.py'], { cwd: dir });
  await new Promise<void>((resolve) => killed.stdout!.on('data', (c: Buffer) => String(c).includes('ready') && resolve()));
  const pid = killed.pid!;
  killed.kill('SIGKILL');
  await killed;
  const leftDir = readdirSync(os.tmpdir()).find((n) => n.startsWith(`saferun-net-${pid}-`));
  assert.ok(leftDir, 'SIGKILL leaves the directory until the next start');
  const runId = leftDir.split('-').pop()!;
  const next = await saferun(['--network', 'none', 'fetch.py'], { cwd: dir });
  assert.equal(next.exitCode, 0, next.stderr);
  assert.equal(existsSync(path.join(os.tmpdir(), leftDir)), false, 'the next run reaped the directory');
  await assertRunLeftNothing(runId);
});
