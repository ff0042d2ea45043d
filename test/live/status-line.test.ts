/** The live status line's text: every figure against its limit, '—' for what nobody counts yet. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatStatusLine } from '../../src/live/status-line.js';
import { RunStatusBoard, type RunStatus } from '../../src/live/run-status.js';

function status(over: Partial<RunStatus> = {}): RunStatus {
  return {
    version: 1,
    runId: 'abc123',
    pid: 1,
    script: 'python3 job.py',
    profile: 'normal',
    network: 'open',
    startedAt: '2026-01-01T00:00:00.000Z',
    monitored: true,
    limits: { timeoutMs: 300_000, cpus: 2, memoryBytes: 512 * 1024 ** 2, pids: 128 },
    elapsedMs: 75_000,
    sample: { atMs: 75_000, cpuPercent: 150.4, memoryBytes: 256 * 1024 ** 2, pids: 3, rxBytes: 2048, txBytes: 1536 },
    alerts: 0,
    ...over,
  };
}

test('elapsed vs timeout, CPU, memory and pids vs limits, traffic, connections not counted yet', () => {
  const line = formatStatusLine(status(), 200, { color: false });
  assert.equal(line, 'saferun ⏱ 1m15s/5m00s │ CPU 150%/200% │ mem 256M/512M │ pids 3/128 │ net ↑1.5K ↓2.0K │ conn ✓— ✗—');
});

test('connections from a counter, the last alert and the cut', () => {
  const board = new RunStatusBoard({ runId: 'abc123', pid: 1, script: 's', profile: 'normal', network: 'open', monitored: true }, status().limits);
  board.countConnectionsWith({ connectionCounts: () => ({ allowed: 4, denied: 2 }) });
  board.event({ atMs: 10, type: 'alert', detail: 'high suspicious-port: a connection to 10.0.0.1:4444' });
  board.event({ atMs: 12, type: 'network-cut', detail: 'suspicious-port: …' });
  const line = formatStatusLine(board.snapshot(), 300, { color: false });
  assert.match(line, /conn ✓4 ✗2/);
  assert.match(line, /net ↑— ↓— CUT/);
  assert.match(line, /⚠ high suspicious-port: a connection to 10\.0\.0\.1:4444$/);
});

test('a narrow terminal drops the last figures whole and cuts only the alert', () => {
  const withAlert = status({ alerts: 1, lastAlert: { severity: 'high', kind: 'downloader', detail: 'x'.repeat(200), atMs: 1 } });
  for (const columns of [30, 60, 100, 140]) {
    const line = formatStatusLine(withAlert, columns, { color: false });
    assert.ok([...line].length <= columns, `${columns}: ${line}`);
    assert.doesNotMatch(line, /CPU 1…|mem 2…/);
  }
  assert.match(formatStatusLine(withAlert, 140, { color: false }), /⚠ high downloader: x+…$/);
});

test('colour marks figures near their limit; NO_COLOR output has no escape codes', () => {
  const hot = status({ sample: { atMs: 1, cpuPercent: 195, memoryBytes: 500 * 1024 ** 2, pids: 3, rxBytes: 0, txBytes: 0 } });
  assert.match(formatStatusLine(hot, 200, { color: true }), /\u001b\[31mCPU 195%\/200%/);
  assert.doesNotMatch(formatStatusLine(hot, 200, { color: false }), /\u001b/);
});
