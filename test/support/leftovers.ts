/**
 * Asserts that saferun left nothing behind on the engine: nothing labelled by a saferun this test
 * file started (others run theirs on the same engine at the same time).
 */
import assert from 'node:assert/strict';
import Docker from 'dockerode';
import { startedPids } from './saferun.js';

const ours = (labels: Record<string, string> | undefined): boolean => startedPids.has(Number(labels?.['saferun.owner-pid']));

export async function assertNoSaferunLeftovers(): Promise<void> {
  const docker = new Docker();
  const filters = JSON.stringify({ label: ['saferun.run'] });
  const containers = await docker.listContainers({ all: true, filters });
  const networks = await docker.listNetworks({ filters });
  assert.deepEqual(containers.filter((c) => ours(c.Labels)).map((c) => c.Names.join(',')), [], 'no container labelled saferun.run remains');
  assert.deepEqual(networks.filter((n) => ours(n.Labels)).map((n) => n.Name), [], 'no network labelled saferun.run remains');
}
