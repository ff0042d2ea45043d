/**
 * Takes a snapshot of one or more roots. Unchanged files (same size, mtime, ctime and inode as last time,
 * content still in the store) are not re-read; new content is read, hashed, and appended once to
 * this snapshot's packs while the tree is still being listed (see ContentPacker). The manifest is
 * written last: an interrupted snapshot leaves no manifest and is not listed.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import { SaferunError } from '../errors.js';
import { formatBytes } from '../config/units.js';
import { excludesFor, readUserSnapshotIgnore, rulesFor, userSnapshotIgnoreFile } from './ignore-rules.js';
import type { Manifest, ManifestEntry } from './manifest.js';
import { ContentPacker } from './content-packer.js';
import { loadStatCaches, saveStatCache, type StatRow } from './stat-cache.js';
import { planRoots, type SnapshotRoot } from './snapshot-roots.js';
import { newSnapshotId, SnapshotStore } from './store.js';
import { walkTreeFeeding, type TreeEntry } from './walk-tree.js';

export interface SnapshotSummary {
  id: string;
  files: number;
  bytesAdded: number;
  durationMs: number;
}

export interface SnapshotOptions {
  store?: SnapshotStore;
  maxBytes?: number;
  /** The user's own excludes (gitignore syntax); read from their snapshotignore file when not given. */
  userExcludes?: string;
  onProgress?: (done: number, total: number) => void;
}

export const DEFAULT_MAX_SNAPSHOT_BYTES = 2 * 1024 ** 3;

/**
 * `roots` say which the program can write: only the user's snapshotignore and the .saferunignore of
 * a root it cannot write may exclude anything (a bare path is a root it cannot write).
 */
export async function takeSnapshot(roots: (string | SnapshotRoot)[], options: SnapshotOptions = {}): Promise<SnapshotSummary> {
  const started = performance.now();
  const store = options.store ?? new SnapshotStore();
  store.ensure();
  const unmark = await store.markActive();
  try {
    await waitForPrune(store);
    return await snapshotRoots(store, roots, options, started);
  } finally {
    await unmark();
  }
}

const PRUNE_WAIT_MS = 30_000;

/**
 * A prune that began before this snapshot marked itself active may be deleting packs right now;
 * content it drops must not be counted on. Our marker is already down, so any later prune keeps
 * content; we only wait for one already running. A lock older than the wait is a crashed prune.
 */
async function waitForPrune(store: SnapshotStore): Promise<void> {
  const lock = store.pruneLock;
  const deadline = Date.now() + PRUNE_WAIT_MS;
  while (existsSync(lock) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
}

async function snapshotRoots(store: SnapshotStore, given: (string | SnapshotRoot)[], options: SnapshotOptions, started: number): Promise<SnapshotSummary> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_SNAPSHOT_BYTES;
  const userExcludes = options.userExcludes ?? readUserSnapshotIgnore();
  const roots = planRoots(given).map((root) => ({ ...root, excludes: excludesFor(root, userExcludes) }));
  const { cache, unseen, counts } = loadStatCaches(store, roots.map((root) => root.path));
  // A root never snapshotted before brings much new content: its pack thread starts at once, so
  // its start-up overlaps the listing.
  const packer = new ContentPacker(store, { parallel: os.availableParallelism() > 1, expectMuch: unseen.length > 0 });
  const packPresent = new Map<string, boolean>();
  const stillStored = (pack: string): boolean => packPresent.get(pack) ?? packPresent.set(pack, store.hasPack(pack)).get(pack)!;
  /** absolute path → where its content is */
  const contents = new Map<string, { hash: string; pack: string }>();
  const manifestEntry = (e: TreeEntry): ManifestEntry => {
    const entry: ManifestEntry = { path: e.path, type: e.type, mode: e.mode, size: e.size, mtimeMs: e.mtimeMs, ctimeMs: e.ctimeMs, ino: e.ino };
    if (e.type === 'file') entry.hash = contents.get(e.absolute)!.hash;
    else if (e.type === 'symlink') entry.target = e.target!;
    return entry;
  };
  let files = 0;
  let total = 0;
  let reread = 0;
  const id = newSnapshotId();
  let packed;
  const listings = [];
  try {
    for (const root of roots) {
      const listing = await walkTreeFeeding(root.path, rulesFor(root), (file) => {
        files++;
        total += file.size;
        if (total > maxBytes) return; // over the cap: keep listing for the message, store nothing more
        const cached = cache.get(file.absolute);
        const unchanged = cached && cached.size === file.size && cached.mtimeMs === file.mtimeMs && cached.ctimeMs === file.ctimeMs && cached.ino === file.ino;
        if (unchanged && stillStored(cached.pack)) contents.set(file.absolute, { hash: cached.hash, pack: cached.pack });
        else {
          reread++;
          packer.add(file);
        }
        if (files % 500 === 0) options.onProgress?.(files, files);
      });
      listings.push({ root, listing });
    }
    if (total > maxBytes) {
      throw new SaferunError(
        `the snapshot would hold ${formatBytes(total)}, more than the ${formatBytes(maxBytes)} cap; exclude large paths in .saferunignore (gitignore syntax; in a directory the program can write, only ${userSnapshotIgnoreFile()} counts) or run with --no-snapshot`,
      );
    }
    packed = await packer.finish(id);
  } catch (error) {
    await packer.discard();
    throw error;
  }
  for (const { file, hash, pack } of packed.packed) contents.set(file.absolute, { hash, pack });
  options.onProgress?.(files, files);
  const manifest: Manifest = {
    version: 1,
    id,
    createdAt: new Date().toISOString(),
    roots: listings.map(({ root, listing }) => ({
      path: root.path,
      ...(root.writable ? { writable: true } : {}),
      ...(root.writableDirs.length > 0 ? { writableDirs: root.writableDirs } : {}),
      excludes: root.excludes,
      entries: listing.entries.map(manifestEntry),
    })),
    files,
    bytes: total,
  };
  store.writeManifest(manifest);
  // each root's cache is rewritten from this listing when anything was re-read or has gone
  for (const { root, listing } of listings) {
    const rows: StatRow[] = [];
    for (const e of listing.entries) {
      if (e.type !== 'file') continue;
      const { hash, pack } = contents.get(e.absolute)!;
      rows.push([e.absolute, e.size, e.mtimeMs, e.ctimeMs, e.ino, hash, pack]);
    }
    if (reread === 0 && counts.get(root.path) === rows.length) continue;
    saveStatCache(store, root.path, rows);
  }
  return { id, files, bytesAdded: packed.bytes, durationMs: Math.round(performance.now() - started) };
}
