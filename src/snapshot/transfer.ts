/**
 * `snapshots export ID > file.tar`, `snapshots import file.tar` and `snapshots prune`. The tar holds
 * manifest.json and objects/ab/cdef… . An import is checked in full before anything is written to
 * the store (see read-export-tar.ts and validateManifest).
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tarFs from 'tar-fs';
import { SaferunError } from '../errors.js';
import { validateManifest, type Manifest } from './manifest.js';
import { PackWriter } from './pack-writer.js';
import { readExportTar } from './read-export-tar.js';
import type { SnapshotStore } from './store.js';

export async function exportSnapshot(store: SnapshotStore, id: string, out: Writable): Promise<Manifest> {
  const manifest = await store.readManifest(id);
  const index = store.loadIndex();
  const hashes = [...new Set(manifest.roots.flatMap((r) => r.entries.flatMap((e) => (e.hash ? [e.hash] : []))))];
  // Stage the objects as plain files so tar-fs can pack them; the staging dir goes away after.
  const staging = store.tempPath();
  try {
    for (const hash of hashes) {
      const location = index.get(hash);
      if (!location) throw new SaferunError(`export failed: the store lacks object ${hash} (was it pruned?)`);
      await mkdir(path.join(staging, 'objects', hash.slice(0, 2)), { recursive: true });
      await writeFile(path.join(staging, 'objects', hash.slice(0, 2), hash.slice(2)), store.readObject(location));
    }
    await mkdir(staging, { recursive: true });
    await writeFile(path.join(staging, 'manifest.json'), JSON.stringify(manifest));
    await pipeline(tarFs.pack(staging, { entries: ['manifest.json', ...hashes.map((h) => `objects/${h.slice(0, 2)}/${h.slice(2)}`)] }), out);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return manifest;
}

/**
 * Adds an exported snapshot to the store. Every field is checked (see validateManifest, imported
 * mode), every file entry's size must be its content's length and the totals must add up. The
 * stored manifest says when it was imported: such a snapshot is restored only into a directory the
 * user names (`--to`) or confirms, never silently onto the root the tar claims.
 */
export async function importSnapshot(store: SnapshotStore, file: string, now = new Date()): Promise<Manifest> {
  store.ensure();
  const staging = store.tempPath();
  await mkdir(staging, { mode: 0o700 });
  try {
    const { manifestText, objects } = await readExportTar(file, staging);
    let data: unknown;
    try {
      data = JSON.parse(manifestText);
    } catch {
      throw new SaferunError('import refused: manifest.json is not JSON');
    }
    const manifest = validateManifest(data, `${file}!/manifest.json`, { imported: true, now: now.getTime() });
    const index = store.loadIndex();
    checkSizes(manifest, (hash) => objects.get(hash) ?? index.get(hash)?.length);
    if ((await store.listIds()).includes(manifest.id)) throw new SaferunError(`snapshot ${manifest.id} is already in the store`);
    const pack = new PackWriter(store);
    try {
      const needed = new Set(manifest.roots.flatMap((r) => r.entries.flatMap((e) => (e.hash ? [e.hash] : []))));
      for (const hash of needed) if (!index.has(hash)) pack.append(hash, await readFile(path.join(staging, hash)));
      await pack.commit(`import-${manifest.id}`);
    } catch (error) {
      pack.discard();
      throw error;
    }
    const stored: Manifest = { ...manifest, importedAt: now.toISOString() };
    store.writeManifest(stored);
    return stored;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** Each file's size is its content's length; `files` and `bytes` are the totals of the entries. */
function checkSizes(manifest: Manifest, lengthOf: (hash: string) => number | undefined): void {
  let files = 0;
  let bytes = 0;
  for (const root of manifest.roots) {
    for (const entry of root.entries) {
      if (entry.type !== 'file') continue;
      const length = lengthOf(entry.hash!);
      if (length === undefined) throw new SaferunError(`import refused: object ${entry.hash} is missing from the tar`);
      if (length !== entry.size) throw new SaferunError(`import refused: ${JSON.stringify(entry.path)} says ${entry.size} bytes, its content has ${length}`);
      files++;
      bytes += entry.size;
    }
  }
  if (files !== manifest.files || bytes !== manifest.bytes) throw new SaferunError(`import refused: the manifest claims ${manifest.files} files of ${manifest.bytes} bytes, its entries hold ${files} files of ${bytes} bytes`);
}

/**
 * Keeps the newest N snapshots and the content they use: packs nothing uses are deleted, packs
 * partly used are rewritten with only the live objects. Content is left alone while a snapshot is
 * being taken (it may be counting on it).
 */
export interface PruneResult {
  removed: string[];
  objectsRemoved: number;
  bytesFreed: number;
  objectsKeptForActive: boolean;
  /** Kept snapshots whose manifest cannot be read: reported, and every hash their text mentions is kept. */
  damaged: { id: string; reason: string }[];
}

export async function pruneSnapshots(store: SnapshotStore, keep: number): Promise<PruneResult> {
  const lock = store.pruneLock;
  store.ensure();
  try {
    await mkdir(lock);
  } catch {
    throw new SaferunError('another prune is running (remove the prune.lock directory in the store if it is stale)');
  }
  try {
    const ids = await store.listIds();
    const removed = ids.slice(keep);
    for (const id of removed) await store.removeManifest(id);
    if (await store.snapshotInProgress()) return { removed, objectsRemoved: 0, bytesFreed: 0, objectsKeptForActive: true, damaged: [] };
    const live = new Set<string>();
    const damaged: PruneResult['damaged'] = [];
    for (const id of ids.slice(0, keep)) {
      try {
        for (const root of (await store.readManifestExactly(id)).roots) for (const e of root.entries) if (e.hash) live.add(e.hash);
      } catch (error) {
        // one bad manifest must not stop the prune, nor lose content it might still describe
        damaged.push({ id, reason: (error as Error).message });
        for (const hash of await store.hashesMentionedBy(id)) live.add(hash);
      }
    }
    let objectsRemoved = 0;
    let bytesFreed = 0;
    for (const name of await readdir(store.packsDir).catch(() => [] as string[])) {
      if (!name.endsWith('.idx')) continue;
      const packId = name.slice(0, -4);
      const entries = store.readPackIndex(packId);
      if (!entries) continue; // unreadable: left alone, as loadIndex leaves it out
      const dead = entries.filter(([hash]) => !live.has(hash));
      if (dead.length === 0) continue;
      objectsRemoved += dead.length;
      bytesFreed += dead.reduce((sum, [, , length]) => sum + length, 0);
      const keepEntries = entries.filter(([hash]) => live.has(hash));
      if (keepEntries.length > 0) {
        const repacked = new PackWriter(store);
        for (const [hash, offset, length] of keepEntries) repacked.append(hash, store.readObject({ pack: packId, offset, length }));
        await repacked.commit(`${packId}-r${Date.now()}`);
      }
      await store.removePack(packId);
    }
    return { removed, objectsRemoved, bytesFreed, objectsKeptForActive: false, damaged };
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}
