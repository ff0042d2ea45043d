/**
 * Through the real CLI: escalation really changes the container (its limits from the cgroup and its
 * network), and each stopping signal gives its own exit code and leaves no container behind.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadProfile } from '../../src/config/load-profile.js';
import { packageRoot } from '../../src/util/package-info.js';
import { assertEngineReachable } from '../support/engine.js';
import { assertNoSaferunLeftovers, saferunResourcesOf } from '../support/leftovers.js';
import { parseProbeRun } from '../support/probe.js';
import { saferun, startSaferun, tempWorkdir } from '../support/saferun.js';

const PROBE = path.join(packageRoot(), 'test', 'fixtures', 'probes', 'sandbox_probe.py');

let dir: string;
before(async () => {
  await assertEngineReachable();
  dir = tempWorkdir('saferun-lifecycle-');
  copyFileSync(PROBE, path.join(dir, 'sandbox_probe.py'));
  // The same probe with one medium finding (eval of data it is given): normal escalates it to offline.
  // (each in a directory of its own: a run scans its whole working dir, so one beside the other would escalate the plain probe too)
  mkdirSync(path.join(dir, 'medium'), { mode: 0o755 });
  mkdirSync(path.join(dir, 'plain'), { mode: 0o755 });
  copyFileSync(PROBE, path.join(dir, 'plain', 'sandbox_probe.py'));
  writeFileSync(path.join(dir, 'medium', 'medium_probe.py'), `${readFileSync(PROBE, 'utf8')}\nif len(sys.argv) > 9:\n    eval(sys.argv[9])\n`);
  writeFileSync(path.join(dir, 'sleeper.py'), 'import time\nprint("sleeping", flush=True)\ntime.sleep(120)\nprint("woke up")\n');
});

after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await assertNoSaferunLeftovers();
});

describe('through the CLI', { concurrency: true, timeout: 180_000 }, () => {
  test("normal's medium risk escalates to offline: the container gets offline's limits and network", async () => {
    const [{ profile: normal }, { profile: offline }] = await Promise.all([loadProfile('normal'), loadProfile('offline')]);
    assert.equal(normal.policy.medium.kind === 'escalate' && normal.policy.medium.profile, 'offline', 'the preset still escalates medium to offline');
    const [plain, escalated] = await Promise.all([
      saferun(['--json', '--profile', 'normal', 'sandbox_probe.py'], { cwd: path.join(dir, 'plain') }),
      saferun(['--json', '--yes', '--profile', 'normal', 'medium_probe.py'], { cwd: path.join(dir, 'medium') }),
    ]);
    assert.equal(plain.exitCode, 0, plain.stderr);
    assert.equal(escalated.exitCode, 0, escalated.stderr);
    const before = parseProbeRun(plain.stdout);
    const after = parseProbeRun(escalated.stdout);
    assert.equal(before.report.profile, 'normal');
    assert.equal(after.report.riskLevel, 'medium');
    assert.equal(after.report.profile, 'offline', 'the report names the profile it ran under');
    // What the program sees: normal's cgroup limits before, offline's after.
    assert.equal(Number(before.probe.cgroup.memory), normal.limits.memoryBytes);
    assert.equal(Number(after.probe.cgroup.memory), offline.limits.memoryBytes);
    assert.equal(Number(before.probe.cgroup.pids), normal.limits.pids);
    assert.equal(Number(after.probe.cgroup.pids), offline.limits.pids);
    assert.equal(after.probe.tmpBytes, offline.limits.tmpBytes);
    assert.deepEqual(after.probe.rlimits.fsize, [offline.limits.maxFileSizeBytes, offline.limits.maxFileSizeBytes]);
    // offline has no network: only loopback, whatever normal's network is.
    assert.equal(offline.network, 'none');
    assert.deepEqual(after.probe.interfaces, ['lo']);
    if (normal.network !== 'none') assert.equal(after.report.sandbox?.networkMode, 'none');
    if (normal.network === 'open') assert.deepEqual(before.probe.interfaces, ['eth0', 'lo']);
  });

  for (const [signal, code] of [['SIGTERM', 143], ['SIGHUP', 129], ['SIGINT', 130]] as const) {
    test(`${signal} while the program runs: exit ${code}, the container stopped and removed`, async () => {
      const child = startSaferun(['--profile', 'strict', 'sleeper.py'], { cwd: dir });
      const pid = child.pid!;
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('sleeping')) resolve();
        });
        child.once('exit', () => reject(new Error('saferun ended before the program started')));
      });
      assert.equal((await saferunResourcesOf([pid])).containers.length, 1, 'the program runs in its container');
      child.kill(signal);
      const result = await child;
      assert.equal(result.exitCode, code, String(result.stderr));
      assert.match(String(result.stderr), new RegExp(`interrupted \\(${signal}\\)|interrupted`));
      assert.doesNotMatch(String(result.stdout), /woke up/);
      await assertNoSaferunLeftovers([pid]);
    });
  }
});
