/**
 * What the last snapshot of a root saw of each file: (size, mtime, inode) → content hash, so an
 * unchanged file is not read again. One small file per root (`statcache/<sha1 of the root>.json`):
 * a snapshot loads only its own roots' caches, and each is rewritten from the current listing, so
 * deleted files and roots that are gone do not make every later snapshot slower.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { SnapshotStore } from './store.js';

export interface StatEntry {
  size: number;
  mtimeMs: number;
  ino: number;
  hash: string;
}

/** absolute path → what it was */
export type StatCache = Record<string, StatEntry>;

function cacheFile(store: SnapshotStore, root: string): string {
  return path.join(store.root, 'statcache', `${createHash('sha1').update(path.resolve(root)).digest('hex')}.json`);
}

/** The caches of these roots (a root never snapshotted has none: `unseen`). */
export function loadStatCaches(store: SnapshotStore, roots: string[]): { cache: StatCache; unseen: string[]; counts: Map<string, number> } {
  const cache: StatCache = {};
  const unseen: string[] = [];
  const counts = new Map<string, number>();
  for (const root of roots) {
    try {
      const entries = JSON.parse(readFileSync(cacheFile(store, root), 'utf8')) as StatCache;
      counts.set(root, Object.keys(entries).length);
      Object.assign(cache, entries);
    } catch {
      unseen.push(root); // none yet, or unreadable: the files are simply read again
    }
  }
  return { cache, unseen, counts };
}

export async function saveStatCache(store: SnapshotStore, root: string, entries: StatCache): Promise<void> {
  mkdirSync(path.dirname(cacheFile(store, root)), { recursive: true, mode: 0o700 });
  await store.writeAtomic(cacheFile(store, root), JSON.stringify(entries));
  rmSync(path.join(store.root, 'statcache.json'), { force: true }); // the single file of earlier versions
}
