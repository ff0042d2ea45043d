/**
 * Takes a snapshot of one or more roots. Unchanged files (same size, mtime and inode as last time)
 * are not re-read; new content is hashed while it is copied and stored once for all snapshots.
 * The manifest is written last: an interrupted snapshot leaves no manifest and is not listed.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile, rename, writeFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { SaferunError } from '../errors.js';
import { formatBytes } from '../config/units.js';
import { loadIgnore } from './ignore-rules.js';
import type { Manifest, ManifestEntry } from './manifest.js';
import { newSnapshotId, SnapshotStore } from './store.js';
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
const CONCURRENCY = 8;

type StatCache = Record<string, { size: number; mtimeMs: number; ino: number; hash: string }>;

async function loadStatCache(store: SnapshotStore): Promise<StatCache> {
  try {
    return JSON.parse(await readFile(path.join(store.root, 'statcache.json'), 'utf8')) as StatCache;
  } catch {
    return {};
  }
}

async function saveStatCache(store: SnapshotStore, cache: StatCache): Promise<void> {
  const temp = store.tempPath();
  await writeFile(temp, JSON.stringify(cache));
  await rename(temp, path.join(store.root, 'statcache.json'));
}

/**
 * Hashes a file and, when the store lacks that content, stores it. Returns the hash and bytes added.
 * `claimed` holds the hashes this snapshot already stored or is storing, so concurrent workers
 * meeting the same content store and count it once.
 */
async function storeFile(store: SnapshotStore, file: TreeEntry, claimed: Set<string>): Promise<{ hash: string; added: number }> {
  if (file.size <= WHOLE_FILE_LIMIT) {
    const data = await readFile(file.absolute);
    const hash = createHash('sha256').update(data).digest('hex');
    if (claimed.has(hash)) return { hash, added: 0 };
    claimed.add(hash);
    if (await store.hasObject(hash)) return { hash, added: 0 };
    const temp = store.tempPath();
    await writeFile(temp, data, { mode: 0o600 });
    return { hash, added: (await store.commitObject(temp, hash)) ? data.length : 0 };
  }
  const temp = store.tempPath();
  const hasher = createHash('sha256');
  let size = 0;
  try {
    await pipeline(
      createReadStream(file.absolute),
      async function* (source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
          hasher.update(chunk);
          size += chunk.length;
          yield chunk;
        }
      },
      createWriteStream(temp, { mode: 0o600 }),
    );
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  const hash = hasher.digest('hex');
  if (claimed.has(hash)) {
    await rm(temp, { force: true });
    return { hash, added: 0 };
  }
  claimed.add(hash);
  return { hash, added: (await store.commitObject(temp, hash)) ? size : 0 };
}

export async function takeSnapshot(roots: string[], options: SnapshotOptions = {}): Promise<SnapshotSummary> {
  const started = performance.now();
  const store = options.store ?? new SnapshotStore();
  store.ensure();
  const unmark = await store.markActive();
  try {
    return await snapshotRoots(store, roots, options, started);
  } finally {
    await unmark();
  }
}

async function snapshotRoots(store: SnapshotStore, roots: string[], options: SnapshotOptions, started: number): Promise<SnapshotSummary> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_SNAPSHOT_BYTES;
  const listings = await Promise.all(roots.map(async (root) => ({ root, listing: await walkTree(root, loadIgnore(root)) })));
  const allFiles = listings.flatMap(({ listing }) => listing.entries.filter((e) => e.type === 'file'));
  const total = allFiles.reduce((sum, f) => sum + f.size, 0);
  if (total > maxBytes) {
    throw new SaferunError(
      `the snapshot would hold ${formatBytes(total)}, more than the ${formatBytes(maxBytes)} cap; exclude large paths in .saferunignore (gitignore syntax) or run with --no-snapshot`,
    );
  }
  const cache = await loadStatCache(store);
  const hashes = new Map<string, string>();
  const claimed = new Set<string>();
  let bytesAdded = 0;
  let done = 0;
  const queue = [...allFiles];
  const worker = async (): Promise<void> => {
    for (let file = queue.shift(); file; file = queue.shift()) {
      const cached = cache[file.absolute];
      let hash: string;
      if (cached && cached.size === file.size && cached.mtimeMs === file.mtimeMs && cached.ino === file.ino && (await store.hasObject(cached.hash))) hash = cached.hash;
      else {
        try {
          const stored = await storeFile(store, file, claimed);
          hash = stored.hash;
          bytesAdded += stored.added;
        } catch (error) {
          throw new SaferunError(`snapshot: cannot read ${file.absolute} (${(error as NodeJS.ErrnoException).code ?? String(error)}); fix its permissions or exclude it in .saferunignore`, { cause: error });
        }
        cache[file.absolute] = { size: file.size, mtimeMs: file.mtimeMs, ino: file.ino, hash };
      }
      hashes.set(file.absolute, hash);
      if (++done % 200 === 0) options.onProgress?.(done, allFiles.length);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  options.onProgress?.(allFiles.length, allFiles.length);
  const manifest: Manifest = {
    version: 1,
    id: newSnapshotId(),
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
  return { id: manifest.id, files: allFiles.length, bytesAdded, durationMs: Math.round(performance.now() - started) };
}
