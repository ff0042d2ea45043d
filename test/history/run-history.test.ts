/** The run history: every report kept, newest first, bounded by count and by size. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RunHistory } from '../../src/history/run-history.js';
import { SaferunError } from '../../src/errors.js';
import { sampleReport } from '../support/run-reports.js';

function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'saferun-history-'));
  test.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function at(minute: number): string {
  return new Date(Date.UTC(2026, 11, 4, 10, minute)).toISOString();
}

test('runs are listed newest first with what a person scans for', () => {
  const history = new RunHistory(tempDir());
  history.keep(sampleReport({ runId: 'aaaa01', startedAt: at(1), command: 'python3 old.py' }));
  history.keep(sampleReport({ runId: 'aaaa03', startedAt: at(3), command: 'python3 new.py', exitReason: 'timeout', exitCode: 124 }));
  history.keep(sampleReport({ runId: 'aaaa02', startedAt: at(2), command: 'python3 mid.py', monitor: undefined }));
  const { entries, unreadable } = history.list();
  assert.equal(unreadable, 0);
  assert.deepEqual(entries.map((e) => e.id), ['aaaa03', 'aaaa02', 'aaaa01']);
  const newest = entries[0]!;
  assert.equal(newest.command, 'python3 new.py');
  assert.equal(newest.exitReason, 'timeout');
  assert.equal(newest.profile, 'normal');
  assert.equal(newest.riskLevel, 'high');
  assert.equal(newest.decision, 'ask-yes');
  assert.deepEqual(newest.peak, { cpuPercent: 180, memoryBytes: 176 * 1024 ** 2, processes: 5 });
  assert.equal(newest.alerts, 1);
  assert.equal(newest.networkCut, true);
  assert.equal(entries[1]!.peak, undefined);
});

test('past the count bound the oldest are dropped', () => {
  const history = new RunHistory(tempDir(), { maxRuns: 3, maxBytes: 1e9 });
  for (let i = 0; i < 6; i++) history.keep(sampleReport({ runId: `bbbb0${i}`, startedAt: at(i) }));
  assert.deepEqual(history.list().entries.map((e) => e.id), ['bbbb05', 'bbbb04', 'bbbb03']);
});

test('past the size bound the oldest are dropped, and the newest is kept even alone past it', () => {
  const dir = tempDir();
  const size = JSON.stringify(sampleReport()).length;
  const history = new RunHistory(dir, { maxRuns: 100, maxBytes: Math.floor(size * 2.5) });
  for (let i = 0; i < 5; i++) history.keep(sampleReport({ runId: `cccc0${i}`, startedAt: at(i) }));
  assert.deepEqual(history.list().entries.map((e) => e.id), ['cccc04', 'cccc03']);
  const tiny = new RunHistory(tempDir(), { maxRuns: 100, maxBytes: 10 });
  tiny.keep(sampleReport({ runId: 'dddd01' }));
  assert.deepEqual(tiny.list().entries.map((e) => e.id), ['dddd01']);
  assert.deepEqual(readdirSync(dir).filter((n) => n.endsWith('.tmp')), [], 'no temp file left');
});

test('show reads a run by id or an unambiguous prefix; bad ids and unreadable files are clear errors', () => {
  const dir = tempDir();
  const history = new RunHistory(dir);
  history.keep(sampleReport({ runId: 'eeee0001', startedAt: at(1) }));
  history.keep(sampleReport({ runId: 'eeee0002', startedAt: at(2) }));
  assert.equal(history.read('eeee0002').runId, 'eeee0002');
  assert.throws(() => history.read('eeee'), (e: unknown) => e instanceof SaferunError && /names 2 runs/.test(e.message));
  assert.throws(() => history.read('ffff'), (e: unknown) => e instanceof SaferunError && /no run ffff/.test(e.message));
  assert.throws(() => history.read('../../etc/passwd'), (e: unknown) => e instanceof SaferunError && /not a run id/.test(e.message));
  writeFileSync(path.join(dir, '20261204T100500000Z-abcdef01.json'), '{"half": ');
  assert.equal(history.list().unreadable, 1);
  assert.throws(() => history.read('abcdef01'), (e: unknown) => e instanceof SaferunError && /cannot be read/.test(e.message));
});
