/**
 * Takes a snapshot of one or more roots. Unchanged files (same size, mtime and inode as last time,
 * content still in the store) are not re-read; new content is read, hashed, and appended once to
 * this snapshot's pack. The manifest is written last: an interrupted snapshot
 * leaves no manifest and is not listed.
 */
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, existsSync, openSync, readSync } from 'node:fs';
import os from 'node:os';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { SaferunError } from '../errors.js';
import { formatBytes } from '../config/units.js';
import { loadIgnore } from './ignore-rules.js';
import type { Manifest, ManifestEntry } from './manifest.js';
import { PackWriter } from './pack-writer.js';
import { PackWorkers } from './parallel-pack.js';
import { newSnapshotId, SnapshotStore, type PackIndex } from './store.js';
import { walkTree, type TreeEntry } from './walk-tree.js';

export interface SnapshotSummary {
  id: string;
  files: number;
  bytesAdded: number;
  durationMs: number;
}

export interface SnapshotOptions {
  store?: SnapshotStore;
  maxBytes?: number;
  onProgress?: (done: number, total: number) => void;
}

export const DEFAULT_MAX_SNAPSHOT_BYTES = 2 * 1024 ** 3;
const WHOLE_FILE_LIMIT = 8 * 1024 * 1024;
/** Below this much new content a worker thread costs more than it saves. */
const PARALLEL_THRESHOLD_BYTES = 32 * 1024 * 1024;

type StatCache = Record<string, { size: number; mtimeMs: number; ino: number; hash: string }>;

async function loadStatCache(store: SnapshotStore): Promise<StatCache> {
  try {
    return JSON.parse(await readFile(path.join(store.root, 'statcache.json'), 'utf8')) as StatCache;
  } catch {
    return {};
  }
}

async function saveStatCache(store: SnapshotStore, cache: StatCache): Promise<void> {
  await store.writeAtomic(path.join(store.root, 'statcache.json'), JSON.stringify(cache));
}

/** Whether the stat cache knows any file under this root (a root seen by an earlier snapshot). */
function hasEntryUnder(cache: StatCache, root: string): boolean {
  const prefix = root.endsWith(path.sep) ? root : root + path.sep;
  for (const key in cache) if (key.startsWith(prefix)) return true;
  return false;
}

function readError(file: TreeEntry, error: unknown): SaferunError {
  return new SaferunError(`snapshot: cannot read ${file.absolute} (${(error as NodeJS.ErrnoException).code ?? String(error)}); fix its permissions or exclude it in .saferunignore`, { cause: error });
}

export async function takeSnapshot(roots: string[], options: SnapshotOptions = {}): Promise<SnapshotSummary> {
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

async function snapshotRoots(store: SnapshotStore, roots: string[], options: SnapshotOptions, started: number): Promise<SnapshotSummary> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_SNAPSHOT_BYTES;
  const [cache, index] = await Promise.all([loadStatCache(store), store.loadIndex()]);
  // Roots never seen before will likely bring much new content: start the pack threads now, so
  // their start-up overlaps the listing below. They are stopped again if they are not needed.
  const unseen = roots.some((root) => !hasEntryUnder(cache, root));
  let workers = unseen && os.availableParallelism() > 1 ? new PackWorkers() : undefined;
  let listings;
  try {
    listings = roots.map((root) => ({ root, listing: walkTree(root, loadIgnore(root)) }));
  } catch (error) {
    await workers?.cancel();
    throw error;
  }
  const allFiles = listings.flatMap(({ listing }) => listing.entries.filter((e) => e.type === 'file'));
  const total = allFiles.reduce((sum, f) => sum + f.size, 0);
  if (total > maxBytes) {
    await workers?.cancel();
    throw new SaferunError(
      `the snapshot would hold ${formatBytes(total)}, more than the ${formatBytes(maxBytes)} cap; exclude large paths in .saferunignore (gitignore syntax) or run with --no-snapshot`,
    );
  }
  const hashes = new Map<string, string>();
  const toRead: TreeEntry[] = [];
  for (const file of allFiles) {
    const cached = cache[file.absolute];
    if (cached && cached.size === file.size && cached.mtimeMs === file.mtimeMs && cached.ino === file.ino && index.has(cached.hash)) hashes.set(file.absolute, cached.hash);
    else toRead.push(file);
  }
  const id = newSnapshotId();
  let bytesAdded: number;
  const newBytes = toRead.reduce((sum, f) => sum + f.size, 0);
  const parallel = newBytes >= PARALLEL_THRESHOLD_BYTES && toRead.every((f) => f.size <= WHOLE_FILE_LIMIT) && os.availableParallelism() > 1;
  if (!parallel) await workers?.cancel();
  if (parallel) {
    workers ??= new PackWorkers();
    const stored = await workers.store(store, id, toRead, index);
    if ('unreadable' in stored) throw readError({ absolute: stored.unreadable.path } as TreeEntry, { code: stored.unreadable.code });
    for (const { file, hash } of stored.packed) {
      hashes.set(file.absolute, hash);
      cache[file.absolute] = { size: file.size, mtimeMs: file.mtimeMs, ino: file.ino, hash };
    }
    bytesAdded = stored.bytes;
  } else {
    const pack = new PackWriter(store);
    try {
      await storeNewContent(toRead, pack, index, hashes, cache, (done) => options.onProgress?.(allFiles.length - toRead.length + done, allFiles.length));
      await pack.commit(id);
    } catch (error) {
      pack.discard();
      throw error;
    }
    bytesAdded = pack.bytesWritten;
  }
  options.onProgress?.(allFiles.length, allFiles.length);
  const manifest: Manifest = {
    version: 1,
    id,
    createdAt: new Date().toISOString(),
    roots: listings.map(({ root, listing }) => ({
      path: root,
      entries: listing.entries.map((e): ManifestEntry => ({
        path: e.path,
        type: e.type,
        mode: e.mode,
        size: e.size,
        mtimeMs: e.mtimeMs,
        ...(e.type === 'file' ? { hash: hashes.get(e.absolute)! } : {}),
        ...(e.type === 'symlink' ? { target: e.target! } : {}),
      })),
    })),
    files: allFiles.length,
    bytes: total,
  };
  await store.writeManifest(manifest);
  if (toRead.length > 0) await saveStatCache(store, cache); // nothing re-read: the cache is as it was
  return { id, files: allFiles.length, bytesAdded, durationMs: Math.round(performance.now() - started) };
}

/** Reads a small file whole, sized from its lstat; a file that changed size meanwhile is read to its end. */
function readSmallFile(file: TreeEntry): Buffer {
  const fd = openSync(file.absolute, 'r');
  try {
    const expected = Buffer.allocUnsafe(file.size);
    let length = 0;
    while (length < file.size) {
      const n = readSync(fd, expected, length, file.size - length, null);
      if (n === 0) return expected.subarray(0, length); // shrank
      length += n;
    }
    const probe = Buffer.allocUnsafe(64 * 1024);
    const extra: Buffer[] = [];
    for (let n = readSync(fd, probe, 0, probe.length, null); n > 0; n = readSync(fd, probe, 0, probe.length, null)) extra.push(Buffer.from(probe.subarray(0, n)));
    return extra.length ? Buffer.concat([expected, ...extra]) : expected; // grew
  } finally {
    closeSync(fd);
  }
}

/** Reads and hashes on this thread (small files: synchronous calls are cheapest); pack writes overlap in the pool. */
async function storeNewContent(files: TreeEntry[], pack: PackWriter, index: PackIndex, hashes: Map<string, string>, cache: StatCache, progress: (done: number) => void): Promise<void> {
  const inPack = new Set<string>();
  for (let i = 0; i < files.length; i++) {
    const file = files[i]!;
    let hash: string;
    if (file.size <= WHOLE_FILE_LIMIT) {
      let data: Buffer;
      try {
        data = readSmallFile(file);
      } catch (error) {
        throw readError(file, error);
      }
      hash = createHash('sha256').update(data).digest('hex');
      if (!index.has(hash) && !inPack.has(hash)) {
        pack.append(hash, data);
        inPack.add(hash);
      }
    } else hash = await appendLargeFile(file, pack, index, inPack);
    hashes.set(file.absolute, hash);
    cache[file.absolute] = { size: file.size, mtimeMs: file.mtimeMs, ino: file.ino, hash };
    if (i % 200 === 199) {
      progress(i + 1);
      await new Promise((resolve) => setImmediate(resolve)); // let the progress view and pending writes run
    }
  }
}

/** Large files are hashed while streaming, then appended only when new (a second read). */
async function appendLargeFile(file: TreeEntry, pack: PackWriter, index: PackIndex, inPack: Set<string>): Promise<string> {
  const hasher = createHash('sha256');
  try {
    for await (const chunk of createReadStream(file.absolute)) hasher.update(chunk as Buffer);
  } catch (error) {
    throw readError(file, error);
  }
  const hash = hasher.digest('hex');
  if (index.has(hash) || inPack.has(hash)) return hash;
  pack.append(hash, await readFile(file.absolute));
  inPack.add(hash);
  return hash;
}
