/**
 * The roots a snapshot is taken of, and which of them the program can write. A root inside another
 * is not walked twice: it becomes a writable directory of the outer root (an output dir inside a
 * read-only working dir), or nothing more when the outer root is writable already.
 */
import path from 'node:path';
import type { WorkdirAccess } from '../config/profile.js';

export interface SnapshotRoot {
  path: string;
  /** Whether the program can write it during the run (the output dir, a read-write working dir). */
  writable: boolean;
}

export interface PlannedRoot extends SnapshotRoot {
  /** Directories inside a read-only root that the program can write, relative and '/'-separated. */
  writableDirs: string[];
}

/** A run's roots: the working dir when it is mounted, and the output dir, which the program can always write. */
export function rootsOfRun(workdir: string, access: WorkdirAccess, outputDir: string | undefined): SnapshotRoot[] {
  const roots = access === 'none' ? [] : [{ path: workdir, writable: access === 'read-write' }];
  return outputDir ? [...roots, { path: outputDir, writable: true }] : roots;
}

function isInside(child: string, parent: string): boolean {
  const relative = path.relative(parent, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/** A bare path is a root the program can only read (tests and tools that snapshot a tree themselves). */
export function planRoots(roots: (string | SnapshotRoot)[]): PlannedRoot[] {
  const given = roots.map((root) => (typeof root === 'string' ? { path: path.resolve(root), writable: false } : { path: path.resolve(root.path), writable: root.writable }));
  // outer roots first, so that each nested one finds the root it lies in
  const byDepth = given.map((root, order) => ({ ...root, order })).sort((a, b) => a.path.length - b.path.length);
  const planned: (PlannedRoot & { order: number })[] = [];
  for (const root of byDepth) {
    const outer = planned.find((kept) => isInside(root.path, kept.path));
    if (!outer) {
      planned.push({ ...root, writableDirs: [] });
      continue;
    }
    if (!root.writable || outer.writable) continue;
    const relative = path.relative(outer.path, root.path).split(path.sep).join('/');
    if (relative === '') outer.writable = true;
    else outer.writableDirs.push(relative);
  }
  return planned.sort((a, b) => a.order - b.order).map(({ order: _order, ...root }) => root);
}
