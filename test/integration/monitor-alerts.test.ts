/**
 * Every alert kind of the live monitor that a container can trigger cheaply, through the CLI and the
 * run report (not the monitor's internals): one run of test/fixtures/probes/alert_triggers.py.
 * Its traffic goes only to the container's own address. Not here, because they cannot be triggered
 * cheaply without traffic to other hosts or 20 s of saturated CPU: connection-fan-out (more than 25
 * remote hosts), upload-volume (20 MiB sent out), cpu-saturation; test/sandbox/monitor-rules.test.ts
 * covers them on samples.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../../src/util/package-info.js';
import { assertEngineReachable } from '../support/engine.js';
import { assertNoSaferunLeftovers } from '../support/leftovers.js';
import { saferun, tempWorkdir, type SaferunResult } from '../support/saferun.js';

const TRIGGERS = path.join(packageRoot(), 'test', 'fixtures', 'probes', 'alert_triggers.py');
const PIDS = 40;
const MEMORY_MIB = 192;

/** The README's table: severity and whether the kind cuts the network. */
const EXPECTED: Record<string, { severity: string; cut: boolean }> = {
  'miner-process': { severity: 'critical', cut: true },
  'socket-shell': { severity: 'critical', cut: true },
  'network-tool': { severity: 'high', cut: true },
  downloader: { severity: 'high', cut: true },
  'suspicious-port': { severity: 'high', cut: true },
  'shell-spawned': { severity: 'medium', cut: false },
  'listening-socket': { severity: 'medium', cut: false },
  'pids-near-limit': { severity: 'medium', cut: false },
  'memory-near-limit': { severity: 'low', cut: false },
};

interface Alert {
  kind: string;
  severity: string;
  cut: boolean;
  detail: string;
}

let dir: string;
let result: SaferunResult;
let alerts: Alert[];
let report: { exitCode: number; monitor: { alerts: Alert[]; networkCut?: unknown } };

before(async () => {
  await assertEngineReachable();
  dir = tempWorkdir('saferun-alerts-');
  copyFileSync(TRIGGERS, path.join(dir, 'alert_triggers.py'));
  // Docker's bridge gives the container an address of its own (traffic goes only to that address); the monitor on but not cutting (so every later alert still happens).
  writeFileSync(
    path.join(dir, 'watch.yaml'),
    ['extends: normal', 'network: open', 'monitor:', '  cutNetwork: false', 'policy:', '  medium: run', '  high: run', ''].join('\n'),
  );
  const plan = {
    hold: 2.5,
    port: 4444,
    names: ['nc', 'curl', 'sh'],
    minerArgument: ['stratum', '+tcp://pool.invalid:3333'].join(''),
    processes: Math.ceil(PIDS * 0.9) + 1,
    memoryBytes: MEMORY_MIB * 1024 * 1024 * 0.93,
  };
  result = await saferun(['--json', '--profile', 'watch.yaml', '--pids', String(PIDS), '--memory', `${MEMORY_MIB}m`, 'alert_triggers.py'], { cwd: dir, input: JSON.stringify(plan) });
  const start = result.stdout.indexOf('{\n');
  report = JSON.parse(result.stdout.slice(start)) as typeof report;
  alerts = report.monitor.alerts;
});

after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await assertNoSaferunLeftovers();
});

test('the trigger program ran to its end', () => {
  assert.equal(result.exitCode, 0, result.stderr);
  assert.match(result.stdout, /^done$/m, result.stdout.slice(0, 300));
  assert.equal(report.exitCode, 0);
});

for (const [kind, { severity, cut }] of Object.entries(EXPECTED)) {
  test(`${kind}: raised with severity ${severity}, ${cut ? 'cutting' : 'not cutting'} the network`, () => {
    const alert = alerts.find((a) => a.kind === kind);
    assert.ok(alert, `no ${kind} alert among ${JSON.stringify(alerts.map((a) => a.kind))}; program output: ${result.stdout.slice(0, 200)}`);
    assert.equal(alert.severity, severity);
    assert.equal(alert.cut, cut);
    assert.match(result.stderr, new RegExp(`saferun: alert: ${severity} ${kind}`), 'printed as it happened');
  });
}

test('with cutNetwork: false nothing was cut', () => {
  assert.equal(report.monitor.networkCut, undefined);
});
