/**
 * Asserts that saferun left nothing behind on the engine — scoped to the saferun processes this
 * test file started (their pids are the `saferun.owner-pid` label of what they create), so that
 * other suites running on the same engine at the same time never make this fail or pass.
 */
import assert from 'node:assert/strict';
import Docker from 'dockerode';
import { startedPids } from './saferun.js';

/** Containers and networks labelled with one of `ownerPids` (default: every saferun this process started). */
export async function saferunResourcesOf(ownerPids: Iterable<number> = startedPids): Promise<{ containers: string[]; networks: string[] }> {
  const owners = new Set([...ownerPids].map(String));
  if (owners.size === 0) return { containers: [], networks: [] };
  const docker = new Docker();
  const filters = JSON.stringify({ label: ['saferun.owner-pid'] });
  const [containers, networks] = await Promise.all([docker.listContainers({ all: true, filters }), docker.listNetworks({ filters })]);
  return {
    containers: containers.filter((c) => owners.has(c.Labels['saferun.owner-pid'] ?? '')).map((c) => c.Names.join(',')),
    networks: networks.filter((n) => owners.has(n.Labels?.['saferun.owner-pid'] ?? '')).map((n) => n.Name),
  };
}

export async function assertNoSaferunLeftovers(ownerPids: Iterable<number> = startedPids): Promise<void> {
  const left = await saferunResourcesOf(ownerPids);
  assert.deepEqual(left.containers, [], 'no container of the saferun runs this test started remains');
  assert.deepEqual(left.networks, [], 'no network of the saferun runs this test started remains');
}
