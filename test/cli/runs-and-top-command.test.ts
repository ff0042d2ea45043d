/** `saferun runs` and `saferun top --json` as a user runs them, without a container. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { saferun } from '../support/saferun.js';
import { RunHistory } from '../../src/history/run-history.js';
import { publishRun, type Publication } from '../../src/live/channel.js';
import { RunStatusBoard } from '../../src/live/run-status.js';
import { sampleReport } from '../support/run-reports.js';

let base: string;
let env: Record<string, string>;
before(() => {
  base = mkdtempSync(path.join(os.tmpdir(), 'saferun-runscli-'));
  env = { SAFERUN_STATE_DIR: base };
  const history = new RunHistory(path.join(base, 'runs'));
  history.keep(sampleReport({ runId: '0123456789ab', startedAt: '2026-12-04T10:00:00.000Z', command: 'python3 first.py' }));
  history.keep(sampleReport({ runId: 'ba9876543210', startedAt: '2026-12-04T11:00:00.000Z', command: 'python3 second.py', exitReason: 'oom', exitCode: 123 }));
});
after(() => rmSync(base, { recursive: true, force: true }));

test('runs list: newest first with profile, risk, decision, exit reason and peaks; --json for scripts', async () => {
  const text = await saferun(['runs', 'list'], { cwd: base, env });
  assert.equal(text.exitCode, 0, text.stderr);
  const lines = text.stdout.trim().split('\n');
  assert.match(lines[0]!, /^ba9876543210 .* normal +risk high +ask-yes oom 123 .*peak 180% CPU 176M 5p .*python3 second\.py$/);
  assert.match(lines[1]!, /^0123456789ab .*exited 0 .*python3 first\.py$/);
  const json = await saferun(['runs', 'list', '--json'], { cwd: base, env });
  const entries = JSON.parse(json.stdout) as { id: string; exitReason: string }[];
  assert.deepEqual(entries.map((e) => [e.id, e.exitReason]), [['ba9876543210', 'oom'], ['0123456789ab', 'exited']]);
});

test('runs show: a summary, the whole report with --json, the page with --html; unknown ids are clear errors', async () => {
  const text = await saferun(['runs', 'show', '0123'], { cwd: base, env });
  assert.match(text.stdout, /run 0123456789ab .*python3 first\.py/);
  assert.match(text.stdout, /alert at 6\.0s: high suspicious-port/);
  assert.match(text.stdout, /saferun snapshots restore 20261204100000000-001abcdef/);
  const json = await saferun(['runs', 'show', 'ba9876543210', '--json'], { cwd: base, env });
  assert.equal((JSON.parse(json.stdout) as { monitor: { timeline: unknown[] } }).monitor.timeline.length, 40);
  const html = await saferun(['runs', 'show', 'ba9876543210', '--html'], { cwd: base, env });
  assert.match(html.stdout, /^<!DOCTYPE html>/);
  assert.match(html.stdout, /data-chart="memory"/);
  const missing = await saferun(['runs', 'show', 'ffff'], { cwd: base, env });
  assert.equal(missing.exitCode, 121);
  assert.match(missing.stderr, /^saferun: no run ffff in the history/);
  const both = await saferun(['runs', 'show', 'ba98', '--json', '--html'], { cwd: base, env });
  assert.equal(both.exitCode, 2);
});

test('top --json prints one snapshot of the running runs; without a terminal top prints them once', async () => {
  const board = new RunStatusBoard({ runId: 'feedbeef0001', pid: process.pid, script: 'python3 busy.py', profile: 'strict', network: 'none', monitored: true }, { timeoutMs: 60_000, cpus: 1, memoryBytes: 256 * 1024 ** 2, pids: 32 });
  board.record({ atMs: 100, cpuPercent: 97, memoryBytes: 64 * 1024 ** 2, pids: 4, rxBytes: 0, txBytes: 0 });
  const published = (await publishRun(path.join(base, 'live'), 'feedbeef0001', { status: () => board.snapshot(), cut: async () => 'cut', stop: () => 'stopping' })) as Publication;
  try {
    const json = await saferun(['top', '--json'], { cwd: base, env });
    assert.equal(json.exitCode, 0, json.stderr);
    const snapshot = JSON.parse(json.stdout) as { version: number; runs: { runId: string; profile: string; sample: { cpuPercent: number }; limits: { pids: number } }[] };
    assert.equal(snapshot.version, 1);
    assert.deepEqual(snapshot.runs.map((r) => [r.runId, r.profile, r.sample.cpuPercent, r.limits.pids]), [['feedbeef0001', 'strict', 97, 32]]);
    const text = await saferun(['top'], { cwd: base, env });
    assert.match(text.stdout, /feedbeef0001 +python3 busy\.py +profile strict/);
    assert.match(text.stdout, /CPU \[█+·*\] 97%\/100% +mem \[█+·+\] 64M\/256M +pids 4\/32/);
  } finally {
    await published.close();
  }
  const none = await saferun(['top', '--json'], { cwd: base, env });
  assert.deepEqual(JSON.parse(none.stdout), { version: 1, runs: [] });
});
