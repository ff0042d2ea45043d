/** The sandbox image: built once (offline when no registry), reused, non-root, no setuid. */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import Docker from 'dockerode';
import { ensureImage, sandboxImageName } from '../../src/sandbox/image.js';
import { assertEngineReachable } from '../support/engine.js';

before(async () => {
  await assertEngineReachable();
});

test('ensureImage returns the cached image without rebuilding', async () => {
  const docker = new Docker();
  const first = await ensureImage(docker);
  const t0 = performance.now();
  const lines: string[] = [];
  const second = await ensureImage(docker, { onProgress: (line) => lines.push(line) });
  assert.equal(second.id, first.id);
  assert.equal(second.name, sandboxImageName());
  assert.deepEqual(lines, [], 'nothing was built');
  assert.ok(performance.now() - t0 < 2000);
});

test('the image runs python3 as a non-root user and has no setuid or setgid files', async () => {
  const docker = new Docker();
  const container = await docker.createContainer({
    Image: sandboxImageName(),
    Cmd: ['python3', '-c', 'import os, subprocess; print(os.getuid()); print(subprocess.run(["find", "/", "-xdev", "-perm", "/6000", "-type", "f"], capture_output=True, text=True).stdout.strip() or "none")'],
    Labels: { 'saferun.test': '1' },
  });
  try {
    const stream = await container.attach({ stream: true, stdout: true, stderr: true });
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    const ended = new Promise<void>((resolve) => stream.once('end', () => resolve()));
    await container.start();
    await container.wait();
    await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, 5000))]);
    const text = Buffer.concat(chunks).toString('utf8').replace(/[\u0000-\u0008]/g, '');
    assert.match(text, /^.*10001\s*$/m, 'the image user is sandbox (10001)');
    assert.match(text, /none/, 'no setuid/setgid files');
  } finally {
    await container.remove({ force: true });
  }
});
