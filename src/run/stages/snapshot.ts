/** Stage 4: the recovery snapshot of what the program can read or write, before it starts. */
import type { WorkdirAccess } from '../../config/profile.js';
import { rootsOfRun } from '../../snapshot/snapshot-roots.js';
import type { SnapshotSummary } from '../../snapshot/take-snapshot.js';
import { runPhases } from '../phases.js';
import { stateDirError } from '../state-dir-error.js';

export interface SnapshotStageInput {
  workdir: string;
  /** How the working dir is mounted: it is a root unless 'none', and the program can write it when 'read-write'. */
  workdirAccess: WorkdirAccess;
  outputDir: string | undefined;
  visible: boolean;
}

export async function snapshotStage(input: SnapshotStageInput): Promise<SnapshotSummary | undefined> {
  // each root says whether the program can write it: only what it cannot write may exclude anything
  const roots = rootsOfRun(input.workdir, input.workdirAccess, input.outputDir);
  if (roots.length === 0) return undefined;
  const { snapshotBeforeRun, defaultStoreDir } = await import('../../snapshot/index.js');
  let summary: SnapshotSummary | undefined;
  await runPhases(
    [
      {
        title: 'Snapshot',
        run: async (setTitle) => {
          summary = await snapshotBeforeRun(roots, { onProgress: (done, total) => setTitle(`Snapshot: ${done}/${total} files`) }).catch((error: unknown) => {
            throw stateDirError(error, defaultStoreDir());
          });
          setTitle(`Snapshot ${summary.id}: ${summary.files} files, ${summary.bytesAdded} new bytes (${summary.durationMs} ms)`);
        },
      },
    ],
    input.visible,
  );
  return summary;
}
