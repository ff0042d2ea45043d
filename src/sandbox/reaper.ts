/**
 * Removes what a crashed saferun left behind: containers and networks labelled with an owner pid
 * that no longer runs, and the decoy credential directories named after such a pid. Called at the start of every run; cheap (one list call each).
 */
import type { EngineApi } from './engine-api.js';
import { LABEL_OWNER_PID } from './host-config.js';
import { reapDecoyDirs } from './decoys/plant-decoys.js';
import { isProcessAlive } from '../util/process-alive.js';


export async function reapOrphans(engine: EngineApi): Promise<{ containers: number; networks: number }> {
  const [containers, networks] = await Promise.all([engine.listContainers(LABEL_OWNER_PID), engine.listNetworks(LABEL_OWNER_PID)]);
  const deadContainers = containers.filter((c) => !isProcessAlive(Number(c.Labels[LABEL_OWNER_PID])));
  const deadNetworks = networks.filter((n) => !isProcessAlive(Number(n.Labels?.[LABEL_OWNER_PID])));
  await Promise.all(deadContainers.map((c) => engine.remove(c.Id).catch(() => undefined)));
  await Promise.all(deadNetworks.map((n) => engine.removeNetwork(n.Id).catch(() => undefined)));
  reapDecoyDirs();
  return { containers: deadContainers.length, networks: deadNetworks.length };
}
