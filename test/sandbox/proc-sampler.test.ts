/** The /proc sampler's bounds: capped reads, a process tree built without recursion, a time budget. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { readCapped, READ_CAPS, type StatLine } from '../../src/sandbox/monitor/proc-files.js';
import { descendantsOf, MAX_PROCESSES, ProcSampler, readOrder } from '../../src/sandbox/monitor/proc-sampler.js';

const stat = (pid: number, ppid: number): StatLine => ({ pid, ppid, comm: `p${pid}`, cpuTicks: 0, rssPages: 0, startTicks: pid });

test('readCapped never returns more than its cap, and undefined for what cannot be read', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'saferun-capped-'));
  try {
    const big = path.join(dir, 'big');
    writeFileSync(big, Buffer.alloc(3 * 1024 * 1024, 65));
    assert.equal((await readCapped(big, 100_000))!.length, 100_000);
    assert.equal((await readCapped(big, 10, true))!.toString(), 'AAAAAAAAAA');
    assert.equal(await readCapped(path.join(dir, 'missing'), 10), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('descendantsOf: the root and everything below it, nothing else, at most MAX_PROCESSES', () => {
  const all = [stat(1, 0), stat(10, 1), stat(11, 10), stat(12, 11), stat(20, 1), stat(30, 20), stat(99, 98)];
  assert.deepEqual(descendantsOf(stat(10, 1), all).map((p) => p.pid), [10, 11, 12]);
  const chain = Array.from({ length: MAX_PROCESSES + 50 }, (_, i) => stat(i + 2, i + 1));
  assert.equal(descendantsOf(stat(1, 0), chain).length, MAX_PROCESSES);
});

test('a sample of a process whose child has a huge command line reads only the capped bytes, and reads it once', async () => {
  const arg = 'B'.repeat(120 * 1024);
  const child = spawn('sh', ['-c', 'sleep 30', 'x', ...Array.from({ length: 8 }, () => arg)], { stdio: 'ignore' });
  try {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const sampler = new ProcSampler(process.pid, () => 0);
    const first = await sampler.sample(1000);
    const sleeper = first!.processes.find((p) => p.pid === child.pid);
    assert.ok(sleeper, 'the child is among the descendants');
    assert.ok(sleeper.cmdline.startsWith('sh -c sleep 30 x BBBB'));
    assert.ok(sleeper.cmdline.length <= READ_CAPS.cmdline, `cmdline of ${sleeper.cmdline.length} chars`);
    const second = await sampler.sample(1000);
    assert.equal(second!.processes.find((p) => p.pid === child.pid)?.cmdline, sleeper.cmdline, 'the cached command line');
    // a budget already spent: the sample still comes back, with what fitted
    const hurried = await new ProcSampler(process.pid, () => 0).sample(0);
    assert.ok(hurried && hurried.processes.length >= 1);
  } finally {
    child.kill();
  }
});

test('readOrder: the container\'s known pids first, then the newest', () => {
  assert.deepEqual(readOrder(['1', '2', '30', '400', '5000', '61'], new Set([30, 61])), ['30', '61', '5000', '400', '2', '1']);
});

test("the container's processes come from its cgroup.procs when the host shows it; the host cgroup root is never used", async () => {
  const { cgroupPids, cgroupProcsFile } = await import('../../src/sandbox/monitor/proc-files.js');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'saferun-cgroup-'));
  try {
    const file = path.join(dir, 'cgroup.procs');
    writeFileSync(file, '12\n345\n\nnot-a-pid\n');
    assert.deepEqual(await cgroupPids(file), ['12', '345']);
    assert.deepEqual(await cgroupPids(path.join(dir, 'missing')), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // this test runs in the host's root cgroup ('/'): listing it would be every host process, so it is not used
  const own = readFileSync('/proc/self/cgroup', 'utf8');
  if (own.trim().split('\n').every((line) => line.split(':')[2] === '/')) assert.equal(cgroupProcsFile(process.pid), undefined);
});
