/**
 * Takes a snapshot of one or more roots. Unchanged files (same size, mtime and inode as last time,
 * content still in the store) are not re-read; new content is read, hashed, and appended once to
 * this snapshot's pack. The manifest is written last: an interrupted snapshot
 * leaves no manifest and is not listed.
 */
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, existsSync, openSync, readSync, rmSync } from 'node:fs';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { PackWorkerInput, PackWorkerOutput } from './pack-worker.js';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { SaferunError } from '../errors.js';
import { formatBytes } from '../config/units.js';
import { loadIgnore } from './ignore-rules.js';
import type { Manifest, ManifestEntry } from './manifest.js';
import { PackWriter } from './pack-writer.js';
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
  const listings = roots.map((root) => ({ root, listing: walkTree(root, loadIgnore(root)) }));
  const allFiles = listings.flatMap(({ listing }) => listing.entries.filter((e) => e.type === 'file'));
  const total = allFiles.reduce((sum, f) => sum + f.size, 0);
  if (total > maxBytes) {
    throw new SaferunError(
      `the snapshot would hold ${formatBytes(total)}, more than the ${formatBytes(maxBytes)} cap; exclude large paths in .saferunignore (gitignore syntax) or run with --no-snapshot`,
    );
  }
  const [cache, index] = await Promise.all([loadStatCache(store), store.loadIndex()]);
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
  if (newBytes >= PARALLEL_THRESHOLD_BYTES && toRead.every((f) => f.size <= WHOLE_FILE_LIMIT) && os.availableParallelism() > 1) {
    bytesAdded = await storeInParallel(store, id, toRead, index, hashes, cache);
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
  await saveStatCache(store, cache);
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

/**
 * Large first snapshots use two worker threads, each with its own pack. Files are shared out by
 * size parity: identical contents have identical sizes, so they meet in one worker and are stored once.
 */
async function storeInParallel(store: SnapshotStore, id: string, files: TreeEntry[], index: PackIndex, hashes: Map<string, string>, cache: StatCache): Promise<number> {
  const shares = [files.filter((f) => f.size % 2 === 0), files.filter((f) => f.size % 2 === 1)];
  const temps = shares.map(() => store.tempPath());
  const known = [...index.keys()];
  try {
    const outputs = await Promise.all(
      shares.map(
        (share, i) =>
          new Promise<PackWorkerOutput>((resolve, reject) => {
            const input: PackWorkerInput = { files: share.map((f) => ({ absolute: f.absolute, size: f.size })), known, packTemp: temps[i]! };
            const worker = new Worker(new URL('./pack-worker.js', import.meta.url), { workerData: input });
            worker.once('message', (output: PackWorkerOutput) => resolve(output));
            worker.once('error', reject);
            worker.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`snapshot worker exited with ${code}`))));
          }),
      ),
    );
    const failed = outputs.find((o) => o.error);
    if (failed?.error) throw readError({ absolute: failed.error.path } as TreeEntry, { code: failed.error.code });
    let bytes = 0;
    for (let i = 0; i < shares.length; i++) {
      const output = outputs[i]!;
      shares[i]!.forEach((file, k) => {
        const hash = output.hashes[k]!;
        hashes.set(file.absolute, hash);
        cache[file.absolute] = { size: file.size, mtimeMs: file.mtimeMs, ino: file.ino, hash };
      });
      if (output.entries.length > 0) await store.commitPack(temps[i]!, `${id}-${i}`, output.entries);
      bytes += output.bytes;
    }
    return bytes;
  } finally {
    for (const temp of temps) rmSync(temp, { force: true });
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
