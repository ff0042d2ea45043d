/**
 * Faults real users meet, each ending with a clear message, a documented exit code and nothing
 * left behind (checked by this test's own saferun processes, never others' runs on the engine).
 * The engine restarting mid-run is in fault-engine-restart.test.ts (a private dockerd).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assertEngineReachable } from '../support/engine.js';
import { saferun, startSaferun, tempWorkdir } from '../support/saferun.js';
import { saferunResourcesOf } from '../support/runtimes.js';
import { hostProcessesMatching, withTmpfs } from '../support/faults.js';

let dir: string;
before(async () => {
  await assertEngineReachable();
  dir = tempWorkdir('saferun-faults-');
  writeFileSync(path.join(dir, 'hello.py'), 'print("hello")\n');
  writeFileSync(path.join(dir, 'data.bin'), Buffer.alloc(3 * 1024 * 1024, 7));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('no engine at start: exit 121, says how to start one, nothing written', async () => {
  const state = mkdtempSync(path.join(os.tmpdir(), 'saferun-nostate-'));
  try {
    const result = await saferun(['hello.py'], { cwd: dir, env: { DOCKER_HOST: `unix://${path.join(state, 'no-engine.sock')}`, SAFERUN_STATE_DIR: state } });
    assert.equal(result.exitCode, 121);
    assert.match(result.stderr, /no Docker engine is reachable \(ENOENT\): start one .*saferun doctor/);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  } finally {
    rmSync(state, { recursive: true, force: true });
  }
});

for (const [name, options, expected] of [
  ['full', 'size=1m', /ENOSPC|no space left/i],
  ['read-only', 'size=1m,ro', /EROFS|read-only/i],
] as const) {
  test(`the state dir on a ${name} file system: exit 121, a clear message, no partial snapshot listed`, async () => {
    await withTmpfs(options, async (mountPoint) => {
      const child = startSaferun(['hello.py'], { cwd: dir, env: { SAFERUN_STATE_DIR: mountPoint } });
      const result = await child;
      assert.equal(result.exitCode, 121, String(result.stderr));
      assert.match(String(result.stderr), expected);
      assert.doesNotMatch(String(result.stderr), /\n\s+at /, 'no stack trace');
      assert.doesNotMatch(String(result.stdout), /hello/, 'the program did not run without its snapshot');
      const listed = await saferun(['snapshots', 'list', '--json'], { cwd: dir, env: { SAFERUN_STATE_DIR: mountPoint } });
      assert.doesNotMatch(listed.stdout, /"id"/, `no snapshot is listed: ${listed.stdout}`);
      assert.deepEqual(await saferunResourcesOf(child.pid!), []);
    });
  });
}

test('the output dir fills up: the program sees ENOSPC, its exit code passes through, the host disk is untouched', async () => {
  await withTmpfs('size=1m', async (mountPoint) => {
    const out = path.join(mountPoint, 'out');
    mkdirSync(out);
    const script = 'import os, sys\ntry:\n    open(os.path.join(os.environ["SAFERUN_OUTPUT"], "big"), "wb").write(b"x" * 4 * 1024 * 1024)\nexcept OSError as e:\n    print("write failed", e.errno == 28)\n    sys.exit(3)\n';
    writeFileSync(path.join(dir, 'fill.py'), script);
    const child = startSaferun(['-q', '--no-snapshot', '-o', out, 'fill.py'], { cwd: dir });
    const result = await child;
    assert.equal(result.exitCode, 3, String(result.stderr));
    assert.match(String(result.stdout), /write failed True/);
    assert.deepEqual(await saferunResourcesOf(child.pid!), []);
  });
});

test('a program ignoring SIGTERM: the timeout kills it (124), and so does SIGTERM to saferun (143)', async () => {
  const marker = `ignore-term-${process.pid}`;
  writeFileSync(path.join(dir, 'stubborn.py'), `import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\nprint("${marker}", flush=True)\ntime.sleep(600)\n`);
  const timedOut = await saferun(['--no-snapshot', '--timeout', '2s', 'stubborn.py'], { cwd: dir });
  assert.equal(timedOut.exitCode, 124, timedOut.stderr);
  assert.match(timedOut.stderr, /timed out after 2s/);
  const child = startSaferun(['--no-snapshot', 'stubborn.py'], { cwd: dir });
  child.stdout?.on('data', (chunk: Buffer) => {
    if (chunk.toString().includes(marker)) child.kill('SIGTERM');
  });
  const started = Date.now();
  const result = await child;
  assert.equal(result.exitCode, 143, String(result.stderr));
  assert.match(String(result.stderr), /interrupted \(SIGTERM\); the container was stopped and removed/);
  assert.ok(Date.now() - started < 60_000);
  assert.deepEqual(await saferunResourcesOf(child.pid!), []);
  assert.deepEqual(hostProcessesMatching('stubborn.py'), []);
});

test('a daemonised child does not outlive the program: the run ends with it, no process remains', async () => {
  const marker = `daemon-${process.pid}-${Date.now()}`;
  writeFileSync(
    path.join(dir, 'daemon.py'),
    `import os, sys, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n        sys.argv[0] = "${marker}"\n        time.sleep(300)\n    os._exit(0)\nprint("parent done")\n`,
  );
  const started = Date.now();
  const child = startSaferun(['-q', '--no-snapshot', 'daemon.py'], { cwd: dir });
  const result = await child;
  assert.equal(result.exitCode, 0, String(result.stderr));
  assert.match(String(result.stdout), /parent done/);
  assert.ok(Date.now() - started < 60_000, 'saferun did not wait for the daemon');
  assert.deepEqual(await saferunResourcesOf(child.pid!), []);
  assert.deepEqual(hostProcessesMatching('daemon.py'), [], 'the daemon died with the container');
});

for (const count of [2, 10]) {
  test(`${count} runs at once in the same directory all succeed, each with its own snapshot, nothing left`, async () => {
    const state = mkdtempSync(path.join(os.tmpdir(), 'saferun-concurrent-'));
    try {
      writeFileSync(path.join(dir, 'who.py'), 'import sys\nprint("run", sys.argv[1])\n');
      const children = Array.from({ length: count }, (_, i) => startSaferun(['-q', 'who.py', String(i)], { cwd: dir, env: { SAFERUN_STATE_DIR: state } }));
      const results = await Promise.all(children);
      results.forEach((result, i) => {
        assert.equal(result.exitCode, 0, `run ${i}: ${String(result.stderr)}`);
        assert.equal(String(result.stdout).trim(), `run ${i}`);
      });
      for (const child of children) assert.deepEqual(await saferunResourcesOf(child.pid!), []);
      const listed = await saferun(['snapshots', 'list', '--json'], { cwd: dir, env: { SAFERUN_STATE_DIR: state } });
      assert.equal(listed.exitCode, 0, listed.stderr);
      assert.equal((listed.stdout.match(/"id"/g) ?? []).length, count, 'one complete snapshot per run');
      assert.deepEqual(readdirSync(state).filter((name) => /tmp|partial/i.test(name)), []);
    } finally {
      rmSync(state, { recursive: true, force: true });
    }
  });
}

