/** Stage 4: the recovery snapshot of what the program can read or write, before it starts. */
import type { SnapshotSummary } from '../../snapshot/take-snapshot.js';
import { isInside } from '../../util/paths.js';
import { runPhases } from '../phases.js';

export interface SnapshotStageInput {
  workdir: string;
  workdirMounted: boolean;
  outputDir: string | undefined;
  visible: boolean;
}

/** The working dir when it is mounted, and the output dir when it lies outside it. */
export function snapshotRoots(workdir: string, workdirMounted: boolean, outputDir: string | undefined): string[] {
  const roots = workdirMounted ? [workdir] : [];
  if (outputDir && !(workdirMounted && isInside(outputDir, workdir))) roots.push(outputDir);
  return roots;
}

export async function snapshotStage(input: SnapshotStageInput): Promise<SnapshotSummary | undefined> {
  const roots = snapshotRoots(input.workdir, input.workdirMounted, input.outputDir);
  if (roots.length === 0) return undefined;
  const { snapshotBeforeRun } = await import('../../snapshot/index.js');
  let summary: SnapshotSummary | undefined;
  await runPhases(
    [
      {
        title: 'Snapshot',
        run: async (setTitle) => {
          summary = await snapshotBeforeRun(roots, { onProgress: (done, total) => setTitle(`Snapshot: ${done}/${total} files`) });
          setTitle(`Snapshot ${summary.id}: ${summary.files} files, ${summary.bytesAdded} new bytes (${summary.durationMs} ms)`);
        },
      },
    ],
    input.visible,
  );
  return summary;
}
