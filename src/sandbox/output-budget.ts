/**
 * The per-run output budget (limits.outputSize), enforced from the host while the program runs.
 * A bind-mounted host directory has no quota Docker can set (the engine's --storage-opt size
 * covers the container's own layer only, and project quotas need a file system mounted with
 * them), so saferun measures the writable host dirs instead: once before the start, then again
 * and again while the program runs, and stops the run when they grew by more than the budget.
 * A walk is asynchronous and the next one waits four times as long as the last took (at least
 * MIN_INTERVAL_MS), so a tree of many files slows the checks rather than saferun. Between two
 * checks the program can write past the budget by what it writes in that time.
 */
import type { Dirent } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';

export const MIN_INTERVAL_MS = 200;
/** Entries lstat'ed at once during a walk. */
const BATCH = 64;

/** Disk use of a tree, in bytes: for each entry the larger of its length and its allocated blocks. */
export async function treeBytes(root: string): Promise<number> {
  let total = 0;
  const rootStat = await lstat(root).catch(() => undefined);
  if (!rootStat) return 0;
  const device = rootStat.dev;
  const stack = [root];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      continue; // vanished or unreadable meanwhile
    }
    for (let i = 0; i < entries.length; i += BATCH) {
      const batch = entries.slice(i, i + BATCH).map((entry) => path.join(dir, entry.name));
      const stats = await Promise.all(batch.map((file) => lstat(file).catch(() => undefined)));
      stats.forEach((stat, index) => {
        if (!stat || stat.dev !== device) return;
        total += Math.max(stat.size, stat.blocks * 512);
        if (stat.isDirectory()) stack.push(batch[index]!);
      });
    }
  }
  return total;
}

export interface OutputBudgetWatch {
  stop(): void;
}

/**
 * Watches `roots` (measured at `baseline` bytes before the start); calls `exceeded` once when they
 * hold more than `baseline + budget`.
 */
export function watchOutputBudget(roots: string[], baseline: number, budget: number, exceeded: (grownBy: number) => void): OutputBudgetWatch {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const check = async (): Promise<void> => {
    const t0 = performance.now();
    let used = 0;
    for (const root of roots) used += await treeBytes(root);
    if (stopped) return;
    if (used - baseline > budget) {
      stopped = true;
      exceeded(used - baseline);
      return;
    }
    timer = setTimeout(() => void check(), Math.max(MIN_INTERVAL_MS, 4 * (performance.now() - t0)));
  };
  timer = setTimeout(() => void check(), MIN_INTERVAL_MS);
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

export async function measureRoots(roots: string[]): Promise<number> {
  let used = 0;
  for (const root of roots) used += await treeBytes(root);
  return used;
}
