/**
 * Issue 16 hole 8, scaled down: a program that starts many shells with megabytes of arguments
 * each must not starve the monitor. The port-4444 connection (to the container's own address,
 * held for well under a second) is still caught, saferun's own memory stays bounded, and the
 * run's timeout fires on time.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pidusage from 'pidusage';
import { assertEngineReachable } from '../support/engine.js';
import { assertNoSaferunLeftovers } from '../support/leftovers.js';
import { startSaferun, tempWorkdir } from '../support/saferun.js';

const SHELLS = 60;
// long enough for the shells to start on a loaded machine; the program sleeps past it
const TIMEOUT_MS = 20_000;

let dir: string;
before(async () => {
  await assertEngineReachable();
  dir = tempWorkdir('saferun-starve-');
  const program = [
    'import socket, subprocess, time',
    'arg = "A" * (120 * 1024)',
    // about 1.4 MB of arguments per shell, the most one exec takes under the default stack limit
    `shells = [subprocess.Popen(["sh", "-c", "sleep 120", "x"] + [arg] * 12) for _ in range(${SHELLS})]`,
    'print("spawned", len(shells), flush=True)',
    'time.sleep(1.5)',
    'ip = socket.gethostbyname(socket.gethostname())',
    'server = socket.socket(); server.bind((ip, 4444)); server.listen()',
    'client = socket.create_connection((ip, 4444))',
    'print("connected", flush=True)',
    'time.sleep(0.7)',
    'client.close(); server.close()',
    'print("closed", flush=True)',
    'time.sleep(120)',
  ];
  writeFileSync(path.join(dir, 'starve.py'), `${program.join('\n')}\n`);
  // the connection is watched on the container's own interface: the open bridge (normal goes through the proxy)
  writeFileSync(path.join(dir, 'open.yaml'), 'extends: normal\nnetwork: open\n');
});
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await assertNoSaferunLeftovers();
});

interface Report {
  exitReason: string;
  events: { atMs: number; type: string; detail?: string }[];
  monitor: { samples: number; alerts: { kind: string }[]; networkCut?: { reason: string } };
}

test('many shells with huge command lines: the short port-4444 connection is caught, memory stays bounded, the timeout is on time', async () => {
  const child = startSaferun(['--json', '--yes', '--no-snapshot', '--profile', 'open.yaml', '--timeout', `${TIMEOUT_MS / 1000}s`, 'starve.py'], { cwd: dir });
  let peakRss = 0;
  const sampler = setInterval(() => {
    if (child.pid === undefined) return;
    pidusage(child.pid).then(
      (stat) => (peakRss = Math.max(peakRss, stat.memory)),
      () => undefined,
    );
  }, 50);
  const result = await child.finally(() => clearInterval(sampler));
  const stdout = String(result.stdout);
  const report = JSON.parse(stdout.slice(stdout.indexOf('{\n'))) as Report;
  assert.match(stdout, new RegExp(`spawned ${SHELLS}`));
  assert.match(stdout, /closed/);
  const started = report.events.find((e) => e.type === 'started')!.atMs;
  const timedOut = report.events.find((e) => e.type === 'timeout');
  const late = (timedOut?.atMs ?? Number.NaN) - started - TIMEOUT_MS;
  // a diagnostic line in the TAP output, for when an assertion below fails
  console.log(`# samples ${report.monitor.samples}, timeout late by ${late} ms, peak RSS ${Math.round(peakRss / 1024 / 1024)} MiB`);
  const kinds = report.monitor.alerts.map((a) => a.kind);
  assert.ok(kinds.includes('suspicious-port'), `alerts: ${kinds.join(', ')}`);
  assert.match(report.monitor.networkCut?.reason ?? '', /suspicious-port/);
  assert.equal(report.exitReason, 'timeout');
  assert.ok(late >= -5 && late < 300, `the timeout fired ${late} ms late`);
  assert.ok(peakRss < 200 * 1024 * 1024, `saferun's peak RSS was ${Math.round(peakRss / 1024 / 1024)} MiB`);
});
