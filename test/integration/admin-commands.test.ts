/** doctor, image status, profiles and help, as a user runs them. */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertEngineReachable } from '../support/engine.js';
import { assertNoSaferunLeftovers } from '../support/leftovers.js';
import { saferun, tempWorkdir } from '../support/saferun.js';

let dir: string;
before(async () => {
  await assertEngineReachable();
  dir = tempWorkdir();
});

test('doctor --json reports the engine ok, verifies limits and leaves nothing behind', async () => {
  const result = await saferun(['doctor', '--json'], { cwd: dir });
  const report = JSON.parse(result.stdout) as { version: number; checks: { name: string; status: string }[] };
  const status = Object.fromEntries(report.checks.map((c) => [c.name, c.status]));
  assert.equal(status['engine'], 'ok');
  assert.equal(status['limits'], 'ok');
  assert.equal(status['seccomp'], 'ok');
  assert.equal(status['monitor'], 'ok', 'a local engine: the monitor sees the container from /proc');
  assert.equal(result.exitCode, report.checks.some((c) => c.status === 'fail') ? 1 : 0);
  await assertNoSaferunLeftovers();
});

test('image status names the recipe-tagged image and says it is present', async () => {
  const result = await saferun(['image', 'status', '--json'], { cwd: dir });
  assert.equal(result.exitCode, 0, result.stderr);
  const status = JSON.parse(result.stdout) as { name: string; present: boolean };
  assert.match(status.name, /^saferun-python:[0-9a-f]{12}$/);
  assert.equal(status.present, true);
});

test('--help is instant and lists every command; bad subcommands are usage errors', async () => {
  const t0 = performance.now();
  const help = await saferun(['--help'], { cwd: dir });
  const elapsed = performance.now() - t0;
  assert.equal(help.exitCode, 0);
  for (const command of ['run', 'scan', 'deps', 'profiles', 'image', 'doctor']) assert.match(help.stdout, new RegExp(`^  ${command} `, 'm'), command);
  assert.ok(elapsed < 1500, `help took ${elapsed} ms`);
  const bad = await saferun(['image', 'polish'], { cwd: dir });
  assert.equal(bad.exitCode, 2);
  const runHelp = await saferun(['run', '--help'], { cwd: dir });
  assert.match(runHelp.stdout, /--profile/);
  assert.match(runHelp.stdout, /--dry-run/);
});

test("the README's first command works: npx saferun examples/hello.py", async () => {
  const { execa } = await import('execa');
  const { packageRoot } = await import('../../src/util/package-info.js');
  const result = await execa('npx', ['saferun', '--quiet', 'examples/hello.py'], { cwd: packageRoot(), reject: false, stdin: 'ignore', env: { SAFERUN_STATE_DIR: dir } });
  assert.equal(result.exitCode, 0, String(result.stderr));
  assert.match(String(result.stdout), /^Hello from Python .* in the saferun sandbox\.$/m);
});
