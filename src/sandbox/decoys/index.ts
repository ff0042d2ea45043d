/** Decoy credentials for one run: plant them, watch them, remove them. See README "Decoy credentials". */
import { decoyParentDir, decoyRunDir, plantDecoys, type PlantedDecoys } from './plant-decoys.js';

export { plantDecoys, reapDecoyDirs, decoyRunDir, type Decoy, type PlantedDecoys } from './plant-decoys.js';
export { watchDecoys, type DecoyRead, type DecoyWatch } from './watch-decoys.js';

/**
 * Plants the run's decoys in a host directory that no mount of the sandbox shows (so the program
 * cannot find the host copies through its working or output directory). Returns the reason instead
 * when there is no such place or the files cannot be written; the run goes on without decoys.
 */
export function plantRunDecoys(input: { runId: string; home: string; visibleToSandbox: readonly string[]; owner: { uid: number; gid: number } }): PlantedDecoys | { unavailable: string } {
  const parent = decoyParentDir(input.visibleToSandbox);
  if (!parent) return { unavailable: 'every place for them is visible inside the sandbox' };
  try {
    return plantDecoys(decoyRunDir(parent, input.runId), { home: input.home, owner: input.owner });
  } catch (error) {
    return { unavailable: (error as NodeJS.ErrnoException).message };
  }
}
