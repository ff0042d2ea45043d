/**
 * A sandbox that cannot start under gVisor: a clear message, exit 121, and nothing left — no
 * container, no containerd shim, runsc sandbox or gofer. dockerd 20.10 leaves the shim and runsc's
 * processes behind when runsc fails after its sandbox was created; saferun removes them.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import Docker from 'dockerode';
import { assertEngineReachable } from '../support/engine.js';
import { startSaferun, tempWorkdir } from '../support/saferun.js';
import { assertRuntimeRegistered, runtimeProcessesOf, saferunResourcesOf, strayRuntimeContainerIds } from '../support/runtimes.js';
import { removeRuntimeLeftovers } from '../../src/sandbox/runtime-leftovers.js';
import { sandboxImageName } from '../../src/sandbox/image-recipe.js';

before(async () => {
  await assertEngineReachable();
  await assertRuntimeRegistered('runsc');
});

test('runsc cannot create the sandbox (6m of memory): exit 121, the reason, nothing left', async () => {
  const straysBefore = new Set(await strayRuntimeContainerIds());
  const child = startSaferun(['-q', '-p', 'strict', '--no-snapshot', '--runtime', 'runsc', '--memory', '6m', '-c', 'print(1)'], { cwd: tempWorkdir() });
  const result = await child;
  assert.equal(result.exitCode, 121, String(result.stderr));
  assert.match(String(result.stderr), /the sandbox did not start under runtime runsc: .*OCI runtime/);
  assert.doesNotMatch(String(result.stderr), /\n\s+at /, 'no stack trace');
  assert.deepEqual(await saferunResourcesOf(child.pid!), []);
  assert.deepEqual((await strayRuntimeContainerIds()).filter((id) => !straysBefore.has(id)), []);
});

test("runsc fails after its sandbox started: the shim, sandbox and gofer dockerd leaves are removed", async () => {
  const docker = new Docker();
  // No init and a missing program: runsc has built its sandbox when the start fails.
  const container = await docker.createContainer({
    Image: sandboxImageName(),
    Cmd: ['/no/such/program'],
    Labels: { 'saferun.run': `leftover-test-${process.pid}`, 'saferun.owner-pid': String(process.pid) },
    HostConfig: { Runtime: 'runsc', NetworkMode: 'none', Init: false },
  });
  await assert.rejects(container.start(), /no such file or directory/);
  await container.remove({ force: true });
  assert.notDeepEqual(runtimeProcessesOf(container.id), [], 'the engine bug this guards against: runtime processes outlive the container');
  assert.deepEqual(await removeRuntimeLeftovers(container.id), [], 'saferun could stop all of them');
  assert.deepEqual(runtimeProcessesOf(container.id), []);
});
