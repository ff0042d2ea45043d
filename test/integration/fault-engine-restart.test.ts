/**
 * The engine restarts mid-run. A PRIVATE dockerd (own socket, data and exec roots) is started for
 * this test and restarted — never the shared engine. saferun must say what happened, exit 121, and
 * remove its container once the engine is back.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Docker from 'dockerode';
import { assertEngineReachable } from '../support/engine.js';
import { startSaferun, tempWorkdir } from '../support/saferun.js';
import { PrivateDockerd } from '../support/private-dockerd.js';
import { sandboxImageName } from '../../src/sandbox/image-recipe.js';

const engine = new PrivateDockerd();
let dir: string;

before(async () => {
  await assertEngineReachable();
  dir = tempWorkdir('saferun-restart-');
  writeFileSync(path.join(dir, 'long.py'), 'import time\nprint("started", flush=True)\ntime.sleep(300)\n');
  await engine.start();
  await engine.loadImage(sandboxImageName());
});
after(async () => {
  await engine.dispose();
  rmSync(dir, { recursive: true, force: true });
});

test('dockerd restarted mid-run: exit 121, "the Docker engine went away", the container removed once it is back', async () => {
  const child = startSaferun(['--no-snapshot', '--network', 'none', 'long.py'], { cwd: dir, env: { DOCKER_HOST: engine.host } });
  let restarting: Promise<void> | undefined;
  child.stdout?.on('data', (chunk: Buffer) => {
    if (!restarting && chunk.toString().includes('started')) restarting = engine.restart();
  });
  const result = await child;
  await restarting;
  assert.equal(result.exitCode, 121, String(result.stderr));
  assert.match(String(result.stderr), /the Docker engine went away during the run \(\w+\): it was stopped or restarted, and the program was stopped with it/);
  assert.doesNotMatch(String(result.stderr), /\n\s+at /, 'no stack trace');
  const left = await new Docker({ socketPath: engine.socket }).listContainers({ all: true, filters: JSON.stringify({ label: [`saferun.owner-pid=${child.pid}`] }) });
  assert.deepEqual(left.map((c) => c.Names.join(',')), [], 'its container was removed after the restart');
});
