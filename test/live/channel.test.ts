/** The control socket between a run and `saferun top`: status, cut, stop; dead runs' sockets cleaned up. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { listLiveRuns, publishRun, request, type Publication } from '../../src/live/channel.js';
import { RunStatusBoard } from '../../src/live/run-status.js';

function board(runId: string): RunStatusBoard {
  return new RunStatusBoard({ runId, pid: process.pid, script: `python3 ${runId}.py`, profile: 'normal', network: 'open', monitored: true }, { timeoutMs: 60_000, cpus: 1, memoryBytes: 1 << 30, pids: 64 });
}

test('top lists every run that answers, and its cut and stop reach the run\'s own handlers', async () => {
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'saferun-live-')), 'live');
  const calls: string[] = [];
  const published: Publication[] = [];
  try {
    for (const runId of ['aaaa11', 'bbbb22']) {
      const b = board(runId);
      b.record({ atMs: 5, cpuPercent: 50, memoryBytes: 1234, pids: 3, rxBytes: 10, txBytes: 20 });
      const p = await publishRun(dir, runId, {
        status: () => b.snapshot(),
        cut: async () => {
          calls.push(`cut ${runId}`);
          return 'network cut';
        },
        stop: () => {
          calls.push(`stop ${runId}`);
          return 'stopping';
        },
      });
      assert.ok(!('problem' in p), JSON.stringify(p));
      published.push(p as Publication);
    }
    assert.equal(statSync(dir).mode & 0o777, 0o700, 'the directory of sockets is private');
    const runs = await listLiveRuns(dir);
    assert.deepEqual(runs.map((r) => r.status.runId).sort(), ['aaaa11', 'bbbb22']);
    const a = runs.find((r) => r.status.runId === 'aaaa11')!;
    assert.equal(a.status.sample?.memoryBytes, 1234);
    assert.equal(a.status.script, 'python3 aaaa11.py');
    assert.deepEqual(await request(a.socketPath, 'cut'), { ok: true, message: 'network cut' });
    assert.deepEqual(await request(a.socketPath, 'stop'), { ok: true, message: 'stopping' });
    assert.deepEqual(calls, ['cut aaaa11', 'stop aaaa11']);
    const bogus = await request(a.socketPath, 'rm -rf' as 'cut');
    assert.equal(bogus.ok, false);
  } finally {
    for (const p of published) await p.close();
    rmSync(path.dirname(dir), { recursive: true, force: true });
  }
  assert.ok(published.every((p) => !existsSync(p.socketPath)), 'closing removes the socket');
});

test('the socket of a run that died is removed; one of a live process that does not answer is left', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'saferun-live-'));
  try {
    const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const deadPid = Number(child.stdout);
    writeFileSync(path.join(dir, `dead01-${deadPid}.sock`), '');
    writeFileSync(path.join(dir, `live01-${process.pid}.sock`), '');
    assert.deepEqual(await listLiveRuns(dir), []);
    assert.ok(!existsSync(path.join(dir, `dead01-${deadPid}.sock`)));
    assert.ok(existsSync(path.join(dir, `live01-${process.pid}.sock`)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a state directory too long for a socket path is refused with the reason', async () => {
  const long = path.join(os.tmpdir(), 'x'.repeat(120));
  const result = await publishRun(long, 'abcd12', { status: () => board('abcd12').snapshot(), cut: async () => '', stop: () => '' });
  assert.ok('problem' in result && /too long/.test(result.problem));
});
