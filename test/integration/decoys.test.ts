/**
 * Decoy credentials against the real engine: a read of one is seen from the host and cuts the
 * network within 500 ms; the report says which decoy and when; HOME stays writable; an honest
 * program raises nothing; nothing planted is left behind.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assertEngineReachable } from '../support/engine.js';
import { assertNoSaferunLeftovers } from '../support/leftovers.js';
import { saferun, startSaferun, tempWorkdir } from '../support/saferun.js';

let dir: string;
before(async () => {
  await assertEngineReachable();
  dir = tempWorkdir('saferun-decoys-');
  const steal = [
    'import os, time',
    'home = os.path.expanduser("~")',
    'print("home", sorted(os.listdir(home)), flush=True)',
    // the name is built at run time, as stealers do, so the scan does not refuse the run
    'name = "".join([".ss", "h/id_", "rsa"])',
    't0 = time.monotonic()',
    'key = open(os.path.join(home, name)).read()',
    'print("key", key.splitlines()[0], flush=True)',
    'time.sleep(1)',
  ];
  writeFileSync(path.join(dir, 'steal.py'), `${steal.join('\n')}\n`);
  const honest = [
    'import os',
    'home = os.path.expanduser("~")',
    'open(os.path.join(home, "notes.txt"), "w").write("ok")',
    'os.makedirs(os.path.join(home, ".config", "myapp"), exist_ok=True)',
    'open(os.path.join(home, ".config", "myapp", "settings.ini"), "w").write("[a]")',
    'print("wrote", sorted(os.listdir(os.path.join(home, ".config"))), flush=True)',
  ];
  writeFileSync(path.join(dir, 'sleepy.py'), 'import time\nprint("sleeping", flush=True)\ntime.sleep(60)\n');
  writeFileSync(path.join(dir, 'honest.py'), `${honest.join('\n')}\n`);
});
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await assertNoSaferunLeftovers();
});

interface Report {
  runId: string;
  network?: { mode: string; cut: null | { atMs: number; reason: string } };
  events: { atMs: number; type: string; detail?: string }[];
  monitor: { alerts: { kind: string; severity: string; atMs: number }[]; networkCut?: { atMs: number; reason: string }; decoys?: { planted: string[]; reads: { atMs: number; name: string; path: string }[] } };
}

function reportOf(stdout: string): { output: string; report: Report } {
  const start = stdout.indexOf('{\n');
  return { output: stdout.slice(0, start), report: JSON.parse(stdout.slice(start)) as Report };
}

function decoyDirsOf(runId: string): string[] {
  return readdirSync(os.tmpdir()).filter((name) => name.startsWith('saferun-decoys-') && name.endsWith(`-${runId}`));
}

test('reading a decoy key is a critical alert that cuts the network within 500 ms; the report names the decoy', async () => {
  const result = await saferun(['--json', '--yes', '--no-snapshot', '--profile', 'normal', 'steal.py'], { cwd: dir });
  const { output, report } = reportOf(result.stdout);
  assert.match(output, /home \['\.aws', '\.config', '\.docker', '\.git-credentials', '\.netrc', '\.ssh'\]/);
  assert.match(output, /key -----BEGIN OPENSSH PRIVATE KEY-----/);
  // normal goes through the egress proxy: the cut closes its tunnels and refuses new ones
  assert.equal(report.network?.mode, 'allowlist');
  assert.match(report.network?.cut?.reason ?? '', /decoy-read/);
  assert.deepEqual(report.monitor.decoys!.reads.map((r) => [r.name, r.path]), [['ssh-key', '/tmp/.ssh/id_rsa']]);
  assert.equal(report.monitor.decoys!.planted.length, 6);
  const alert = report.monitor.alerts.find((a) => a.kind === 'decoy-read');
  assert.equal(alert?.severity, 'critical');
  assert.match(report.monitor.networkCut!.reason, /^decoy-read: .*\/tmp\/\.ssh\/id_rsa/);
  assert.ok(report.monitor.networkCut!.atMs - report.monitor.decoys!.reads[0]!.atMs <= 500);
  assert.match(result.stderr, /saferun: alert: critical decoy-read/);
  assert.deepEqual(decoyDirsOf(report.runId), [], 'the decoys are removed');
});

test('an honest program writes its home and ~/.config, and touches no decoy', async () => {
  const result = await saferun(['--json', '--yes', '--no-snapshot', '--profile', 'normal', 'honest.py'], { cwd: dir });
  const { output, report } = reportOf(result.stdout);
  assert.match(output, /wrote \['gcloud', 'myapp'\]/);
  assert.deepEqual(report.monitor.alerts, []);
  assert.deepEqual(report.monitor.decoys!.reads, []);
  assert.equal(report.monitor.networkCut, undefined);
  assert.deepEqual(decoyDirsOf(report.runId), []);
});

test('with monitor.decoys: false nothing is planted', async () => {
  writeFileSync(path.join(dir, 'no-decoys.yaml'), 'extends: normal\nmonitor:\n  decoys: false\n');
  const result = await saferun(['--json', '--yes', '--no-snapshot', '--profile', 'no-decoys.yaml', 'steal.py'], { cwd: dir });
  const { output, report } = reportOf(result.stdout);
  assert.match(output, /home \[\]/);
  assert.equal(report.monitor.decoys, undefined);
});

test('SIGTERM during the run: the decoys are removed with the container', async () => {
  const child = startSaferun(['--yes', '--no-snapshot', '--profile', 'normal', 'sleepy.py'], { cwd: dir });
  const ownDirs = (): string[] => readdirSync(os.tmpdir()).filter((name) => name.startsWith(`saferun-decoys-${child.pid}-`));
  await new Promise<void>((resolve) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (String(chunk).includes('sleeping')) resolve();
    });
  });
  assert.equal(ownDirs().length, 1, 'planted while it runs');
  child.kill('SIGTERM');
  const result = await child;
  assert.equal(result.exitCode, 143);
  assert.deepEqual(ownDirs(), []);
});
