/**
 * `snapshots export ID > file.tar` and `snapshots import file.tar`. The tar holds manifest.json and
 * objects/ab/cdef… . An import is checked in full before anything is written to the store: only
 * those names, only regular files, no links, every object's hash verified, the manifest validated.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tarFs from 'tar-fs';
import { extract as tarExtract } from 'tar-stream';
import { SaferunError } from '../errors.js';
import { validateManifest, type Manifest } from './manifest.js';
import type { SnapshotStore } from './store.js';

const ALLOWED_NAME = /^(manifest\.json|objects\/?|objects\/[0-9a-f]{2}\/?|objects\/[0-9a-f]{2}\/[0-9a-f]{62})$/;

export async function exportSnapshot(store: SnapshotStore, id: string, out: Writable): Promise<Manifest> {
  const manifest = await store.readManifest(id);
  const hashes = [...new Set(manifest.roots.flatMap((r) => r.entries.flatMap((e) => (e.hash ? [e.hash] : []))))];
  const entries = hashes.map((h) => path.relative(store.root, store.objectPath(h)));
  const pack = tarFs.pack(store.root, {
    entries,
    finalize: false,
    finish(stream) {
      stream.entry({ name: 'manifest.json', mode: 0o600 }, JSON.stringify(manifest));
      stream.finalize();
    },
  });
  await pipeline(pack, out);
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
    for (const hash of needed) {
      const staged = path.join(staging, 'objects', hash.slice(0, 2), hash.slice(2));
      if (await store.hasObject(hash)) continue;
      const content = await readFile(staged).catch(() => {
        throw new SaferunError(`import refused: object ${hash} is missing from the tar`);
      });
      if (createHash('sha256').update(content).digest('hex') !== hash) throw new SaferunError(`import refused: object ${hash} does not match its hash`);
    }
    for (const hash of needed) {
      if (await store.hasObject(hash)) continue;
      await mkdir(path.dirname(store.objectPath(hash)), { recursive: true });
      await rename(path.join(staging, 'objects', hash.slice(0, 2), hash.slice(2)), store.objectPath(hash));
    }
    if ((await store.listIds()).includes(manifest.id)) throw new SaferunError(`snapshot ${manifest.id} is already in the store`);
    await store.writeManifest(manifest);
    return manifest;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/**
 * Keeps the newest N snapshots; content still used by them stays. Objects are collected only when
 * no snapshot is in progress, and never those younger than a minute.
 */
export async function pruneSnapshots(store: SnapshotStore, keep: number): Promise<{ removed: string[]; objectsRemoved: number; bytesFreed: number; objectsKeptForActive: boolean }> {
  const lock = path.join(store.root, 'prune.lock');
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
    const live = new Set<string>();
    for (const id of ids.slice(0, keep)) for (const root of (await store.readManifest(id)).roots) for (const e of root.entries) if (e.hash) live.add(e.hash);
    let objectsRemoved = 0;
    let bytesFreed = 0;
    if (await store.snapshotInProgress()) return { removed, objectsRemoved, bytesFreed, objectsKeptForActive: true };
    const cutoff = Date.now() - 60_000;
    for (const prefix of await readdir(store.objectsDir).catch(() => [] as string[])) {
      for (const rest of await readdir(path.join(store.objectsDir, prefix)).catch(() => [] as string[])) {
        const hash = prefix + rest;
        if (live.has(hash)) continue;
        const file = path.join(store.objectsDir, prefix, rest);
        const info = await stat(file).catch(() => undefined);
        if (!info || info.mtimeMs > cutoff) continue;
        await rm(file, { force: true });
        objectsRemoved++;
        bytesFreed += info.size;
      }
    }
    return { removed, objectsRemoved, bytesFreed, objectsKeptForActive: false };
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}
