/**
 * What the last snapshot of a root saw of each file: (size, mtime, ctime, inode) → content hash and the
 * pack holding it, so an unchanged file is not read again and its content is known to be stored
 * without loading the store's whole index (a pack is complete while its index file exists; prune
 * replaces packs, and a file whose pack is gone is simply read again).
 *
 * One small file per root (`statcache/<sha1 of the root>.json`): a snapshot loads only its own
 * roots' caches, and each is rewritten from the current listing, so deleted files and roots that
 * are gone do not make every later snapshot slower. Rows are arrays: they parse several times
 * faster than objects keyed by path. The ctime is in the key because the mtime is not proof: a
 * program can rewrite a file at the same length and put the old mtime back with os.utime, but any
 * change moves the ctime, and userspace cannot set it.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { SnapshotStore } from './store.js';

export interface StatEntry {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
  hash: string;
  pack: string;
}

/** absolute path → what it was */
export type StatCache = Map<string, StatEntry>;

interface StatCacheFile {
  version: 3;
  /** [absolute path, size, mtimeMs, ctimeMs, ino, sha256, pack] */
  files: [string, number, number, number, number, string, string][];
}

function cacheFile(store: SnapshotStore, root: string): string {
  return path.join(store.root, 'statcache', `${createHash('sha1').update(path.resolve(root)).digest('hex')}.json`);
}

/** The caches of these roots (a root never snapshotted has none: `unseen`). */
export function loadStatCaches(store: SnapshotStore, roots: string[]): { cache: StatCache; unseen: string[]; counts: Map<string, number> } {
  const cache: StatCache = new Map();
  const unseen: string[] = [];
  const counts = new Map<string, number>();
  for (const root of roots) {
    try {
      const data = JSON.parse(readFileSync(cacheFile(store, root), 'utf8')) as StatCacheFile;
      if (data.version !== 3 || !Array.isArray(data.files)) throw new Error('an earlier format');
      counts.set(root, data.files.length);
      for (const [absolute, size, mtimeMs, ctimeMs, ino, hash, pack] of data.files) cache.set(absolute, { size, mtimeMs, ctimeMs, ino, hash, pack });
    } catch {
      unseen.push(root); // none yet, unreadable or an earlier format: the files are simply read again
    }
  }
  return { cache, unseen, counts };
}

/** A file as the cache remembers it. */
export type StatRow = StatCacheFile['files'][number];

export function saveStatCache(store: SnapshotStore, root: string, files: StatRow[]): void {
  mkdirSync(path.dirname(cacheFile(store, root)), { recursive: true, mode: 0o700 });
  store.writeAtomic(cacheFile(store, root), JSON.stringify({ version: 3, files } satisfies StatCacheFile));
  rmSync(path.join(store.root, 'statcache.json'), { force: true }); // the single file of earlier versions
}
