/**
 * Stage 5a: decoy credentials in the sandbox's home (README "Decoy credentials"), planted just
 * before the container is created and removed with it. A run without them says why and goes on.
 * Their canaries (`planted.canaries`) are for the network layer: one seen in traffic cuts it.
 */
import type { Profile } from '../../config/profile.js';
import { CONTAINER_HOME } from '../../sandbox/host-config.js';
import { say } from '../messages.js';

export type PlantedDecoys = import('../../sandbox/decoys/index.js').PlantedDecoys;

export interface DecoysStageInput {
  runId: string;
  profile: Profile;
  quiet: boolean;
  /** Host paths the sandbox can see (working dir, output dir, script dir): the decoys' host copies must be elsewhere. */
  visibleToSandbox: string[];
  owner: { uid: number; gid: number };
}

export async function decoysStage(input: DecoysStageInput): Promise<PlantedDecoys | undefined> {
  if (!input.profile.monitor.enabled || !input.profile.monitor.decoys) return undefined;
  const { plantRunDecoys } = await import('../../sandbox/decoys/index.js');
  const planted = plantRunDecoys({ runId: input.runId, home: CONTAINER_HOME, visibleToSandbox: input.visibleToSandbox.filter(Boolean), owner: input.owner });
  if ('unavailable' in planted) {
    if (!input.quiet) say(`saferun: warning: no decoy credentials for this run: ${planted.unavailable}`);
    return undefined;
  }
  return planted;
}
