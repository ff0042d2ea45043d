/** Asserts that saferun left nothing behind on the engine. */
import assert from 'node:assert/strict';
import Docker from 'dockerode';

export async function assertNoSaferunLeftovers(): Promise<void> {
  const docker = new Docker();
  const filters = JSON.stringify({ label: ['saferun.run'] });
  const containers = await docker.listContainers({ all: true, filters });
  const networks = await docker.listNetworks({ filters });
  assert.deepEqual(containers.map((c) => c.Names.join(',')), [], 'no container labelled saferun.run remains');
  assert.deepEqual(networks.map((n) => n.Name), [], 'no network labelled saferun.run remains');
}
