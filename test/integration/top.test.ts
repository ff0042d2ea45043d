/**
 * `saferun top` against real runs: it lists them with their figures, its c key cuts the selected
 * run's network through the run's monitor, its k key stops the run. The run's report keeps the
 * timeline and the cut, and is kept in the history; --report FILE.html writes the page.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assertEngineReachable } from '../support/engine.js';
import { assertNoSaferunLeftovers } from '../support/leftovers.js';
import { BIN, saferun, startSaferun, tempWorkdir } from '../support/saferun.js';
import { defaultLiveDirIn, listLiveRuns, request } from '../../src/live/channel.js';
import { openPane, quote, type Pane } from '../support/tmux.js';

let dir: string;
let state: string;
let env: Record<string, string>;
const panes: Pane[] = [];

before(async () => {
  await assertEngineReachable();
  dir = tempWorkdir('saferun-top-');
  state = mkdtempSync(path.join(os.tmpdir(), 'saferun-top-state-'));
  env = { SAFERUN_STATE_DIR: state, SAFERUN_CACHE_DIR: path.join(state, 'cache') };
  // waits until only loopback is left (the cut), says so, then waits to be stopped
  const waits = [
    'import os, time',
    'print("interfaces", sorted(os.listdir("/sys/class/net")), flush=True)',
    'for _ in range(600):',
    '    if sorted(os.listdir("/sys/class/net")) == ["lo"]: break',
    '    time.sleep(0.1)',
    'print("cut seen", sorted(os.listdir("/sys/class/net")), flush=True)',
    'time.sleep(60)',
  ];
  writeFileSync(path.join(dir, 'wait_for_cut.py'), `${waits.join('\n')}\n`);
  writeFileSync(path.join(dir, 'open.yaml'), 'extends: normal\nnetwork: open\n');
  writeFileSync(path.join(dir, 'sleeper.py'), 'import time\nprint("up", flush=True)\ntime.sleep(60)\n');
  writeFileSync(path.join(dir, 'busy.py'), 'import time\nx = []\nend = time.time() + 2\nwhile time.time() < end:\n    x.append(bytearray(100000))\nprint("done", len(x))\n');
});
after(async () => {
  for (const pane of panes) await pane.kill();
  rmSync(dir, { recursive: true, force: true });
  rmSync(state, { recursive: true, force: true });
  await assertNoSaferunLeftovers();
});

test('top shows a running run; c cuts its network through its monitor and k stops it', { timeout: 180_000 }, async () => {
  const run = startSaferun(['--json', '--yes', '--profile', 'open.yaml', 'wait_for_cut.py'], { cwd: dir, env });
  const pane = await openPane({ columns: 160, rows: 20, cwd: dir, env: { ...env, NO_COLOR: '1' } });
  panes.push(pane);
  await pane.keys(`${quote(process.execPath)} ${quote(BIN)} top`, 'Enter');
  const listed = await pane.waitFor((s) => s.some((l) => /^▶ [0-9a-f]{12} +python3 wait_for_cut\.py +profile \S+ +network open/.test(l)) && s.some((l) => /mem \[.*\] \d/.test(l)), 'the run in top');
  assert.ok(listed.some((l) => /CPU \[[█·]+\] \d+%\/200% +mem \[[█·]+\] \S+\/2\.0G +pids \d+\/\d+ +net ↑\S+ ↓\S+ conn ✓— ✗— +no alerts/.test(l)), listed.join('\n'));
  await pane.keys('c');
  await pane.waitFor((s) => s.some((l) => /: network cut$/.test(l)) && s.some((l) => / CUT /.test(l)), 'the cut to be confirmed');
  await pane.keys('k');
  const result = await run;
  await pane.waitFor((s) => s.some((l) => /no saferun run is running/.test(l)), 'the run to leave top');
  await pane.keys('q');
  await pane.waitFor((s) => s.some((l) => l.startsWith('$ ')) && !s.some((l) => /saferun top/.test(l)), 'top to quit and leave the alternate screen');
  assert.equal(result.exitCode, 143, String(result.stderr));
  const stdout = String(result.stdout);
  assert.match(stdout, /cut seen \['lo'\]/);
  const report = JSON.parse(stdout.slice(stdout.indexOf('{\n'))) as { exitReason: string; events: { type: string; detail?: string }[]; monitor: { networkCut: { reason: string } } };
  assert.equal(report.exitReason, 'killed');
  assert.equal(report.monitor.networkCut.reason, 'cut from saferun top');
  assert.ok(report.events.some((e) => e.type === 'network-cut' && e.detail === 'cut from saferun top'));
});

test('the report keeps the timeline at the sampling rate; --report FILE.html writes the page; the history keeps the run', { timeout: 120_000 }, async () => {
  const page = path.join(dir, 'report.html');
  const result = await saferun(['--json', '--yes', '--report', page, 'busy.py'], { cwd: dir, env });
  assert.equal(result.exitCode, 0, result.stderr);
  assert.doesNotMatch(result.stderr, /\u001b|saferun ⏱/, 'no status line when stderr is not a terminal');
  const report = JSON.parse(result.stdout.slice(result.stdout.indexOf('{\n'))) as { runId: string; monitor: { samples: number; peak: { memoryBytes: number }; timeline: { atMs: number; memoryBytes: number; cpuPercent: number; pids: number; rxBytes: number; txBytes: number }[] } };
  const { timeline, samples, peak } = report.monitor;
  assert.equal(timeline.length, samples, 'one point per sample');
  assert.ok(samples >= 6, `${samples} samples in about 2 s`);
  assert.ok(timeline.every((p, i) => i === 0 || p.atMs > timeline[i - 1]!.atMs));
  assert.equal(Math.max(...timeline.map((p) => p.memoryBytes)), peak.memoryBytes);
  assert.deepEqual(Object.keys(timeline[0]!).sort(), ['atMs', 'cpuPercent', 'memoryBytes', 'pids', 'rxBytes', 'txBytes']);
  const html = readFileSync(page, 'utf8');
  assert.match(html, /^<!DOCTYPE html>/);
  assert.equal(html.match(/<svg class="chart"/g)?.length, 4);
  const listed = await saferun(['runs', 'list', '--json'], { cwd: dir, env });
  assert.equal((JSON.parse(listed.stdout) as { id: string }[])[0]!.id, report.runId, 'the newest run first');
});

test('under the allowlist (egress proxy) the cut from top goes through the same kill switch, and the proxy counts connections', { timeout: 120_000 }, async () => {
  const run = startSaferun(['--json', '--yes', '--profile', 'normal', 'sleeper.py'], { cwd: dir, env });
  let live: Awaited<ReturnType<typeof listLiveRuns>>[number] | undefined;
  for (let i = 0; i < 300 && !live?.status.sample; i++) {
    live = (await listLiveRuns(defaultLiveDirIn(state))).find((r) => r.status.script === 'python3 sleeper.py');
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.ok(live?.status.sample, 'the run shows up with figures');
  assert.equal(live.status.network, 'allowlist');
  assert.deepEqual(live.status.connections, { allowed: 0, denied: 0 }, 'counted by the proxy, so not "—"');
  assert.deepEqual(await request(live.socketPath, 'cut'), { ok: true, message: 'network cut' });
  assert.deepEqual(await request(live.socketPath, 'cut'), { ok: true, message: 'the network was already cut' });
  assert.equal((await request(live.socketPath, 'status')).status?.networkCut?.reason, 'cut from saferun top');
  await request(live.socketPath, 'stop');
  const result = await run;
  assert.equal(result.exitCode, 143);
  const stdout = String(result.stdout);
  const report = JSON.parse(stdout.slice(stdout.indexOf('{\n'))) as { network: { cut: { reason: string } | null }; monitor: { networkCut: { reason: string } } };
  assert.equal(report.monitor.networkCut.reason, 'cut from saferun top');
  assert.match(report.network.cut?.reason ?? '', /cut from saferun top/);
});
