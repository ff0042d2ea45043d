/**
 * `snapshots export ID > file.tar` and `snapshots import file.tar`. The tar holds manifest.json and
 * objects/ab/cdef… . An import is checked in full before anything is written to the store: only
 * those names, only regular files, no links, every object's hash verified, the manifest validated.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tarFs from 'tar-fs';
import { extract as tarExtract } from 'tar-stream';
import { SaferunError } from '../errors.js';
import { validateManifest, type Manifest } from './manifest.js';
import { PackWriter } from './pack-writer.js';
import type { SnapshotStore } from './store.js';

const ALLOWED_NAME = /^(manifest\.json|objects\/?|objects\/[0-9a-f]{2}\/?|objects\/[0-9a-f]{2}\/[0-9a-f]{62})$/;

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

async function checkHeaders(file: string): Promise<void> {
  const extract = tarExtract();
  const reading = pipeline(createReadStream(file), extract);
  let refused: SaferunError | undefined;
  try {
    for await (const entry of extract) {
      const { name, type } = entry.header;
      entry.resume();
      if (!ALLOWED_NAME.test(name.replace(/^\.\//, '')) || (type !== 'file' && type !== 'directory')) {
        refused = new SaferunError(`import refused: unexpected entry ${JSON.stringify(name)} (${type}); a snapshot export holds only manifest.json and objects/`);
        break;
      }
    }
  } catch (error) {
    refused ??= new SaferunError(`import refused: ${file} is not a readable tar (${(error as Error).message})`);
  }
  if (refused) {
    extract.destroy();
    await reading.catch(() => undefined);
    throw refused;
  }
  await reading.catch((error: Error) => {
    throw new SaferunError(`import refused: ${file} is not a readable tar (${error.message})`);
  });
}

export async function importSnapshot(store: SnapshotStore, file: string): Promise<Manifest> {
  store.ensure();
  await checkHeaders(file);
  const staging = store.tempPath();
  await mkdir(staging, { recursive: true });
  try {
    await pipeline(createReadStream(file), tarFs.extract(staging, { dmode: 0o700, fmode: 0o600, readable: true, writable: true }));
    let manifestText: string;
    try {
      manifestText = await readFile(path.join(staging, 'manifest.json'), 'utf8');
    } catch {
      throw new SaferunError('import refused: the tar has no manifest.json');
    }
    let data: unknown;
    try {
      data = JSON.parse(manifestText);
    } catch {
      throw new SaferunError('import refused: manifest.json is not JSON');
    }
    const manifest = validateManifest(data, `${file}!/manifest.json`);
    const needed = new Set(manifest.roots.flatMap((r) => r.entries.flatMap((e) => (e.hash ? [e.hash] : []))));
    const index = store.loadIndex();
    const pack = new PackWriter(store);
    try {
      for (const hash of needed) {
        if (index.has(hash)) continue;
        const content = await readFile(path.join(staging, 'objects', hash.slice(0, 2), hash.slice(2))).catch(() => {
          throw new SaferunError(`import refused: object ${hash} is missing from the tar`);
        });
        if (createHash('sha256').update(content).digest('hex') !== hash) throw new SaferunError(`import refused: object ${hash} does not match its hash`);
        pack.append(hash, content);
      }
      if ((await store.listIds()).includes(manifest.id)) throw new SaferunError(`snapshot ${manifest.id} is already in the store`);
      await pack.commit(`import-${manifest.id}`);
    } catch (error) {
      pack.discard();
      throw error;
    }
    store.writeManifest(manifest);
    return manifest;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/**
 * Keeps the newest N snapshots and the content they use: packs nothing uses are deleted, packs
 * partly used are rewritten with only the live objects. Content is left alone while a snapshot is
 * being taken (it may be counting on it).
 */
export async function pruneSnapshots(store: SnapshotStore, keep: number): Promise<{ removed: string[]; objectsRemoved: number; bytesFreed: number; objectsKeptForActive: boolean }> {
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
    if (await store.snapshotInProgress()) return { removed, objectsRemoved: 0, bytesFreed: 0, objectsKeptForActive: true };
    const live = new Set<string>();
    for (const id of ids.slice(0, keep)) for (const root of (await store.readManifest(id)).roots) for (const e of root.entries) if (e.hash) live.add(e.hash);
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
    return { removed, objectsRemoved, bytesFreed, objectsKeptForActive: false };
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}
