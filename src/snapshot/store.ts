/**
 * The content-addressed store in the user's state dir. New content of a snapshot is appended to
 * one pack file (packs/<id>.pack) with an index (packs/<id>.idx: sha256 → offset, length): one
 * sequential write, like tar, instead of thousands of small files. Everything is written to a temp
 * name and renamed, the manifest last, so a crash leaves nothing that looks complete, and
 * concurrent runs never corrupt each other (each writes its own pack).
 */
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, writeFileSync } from 'node:fs';
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SaferunError } from '../errors.js';
import { SNAPSHOT_ID, validateManifest, type Manifest } from './manifest.js';

export interface ObjectLocation {
  pack: string;
  offset: number;
  length: number;
}

export type PackIndex = Map<string, ObjectLocation>;

interface PackIndexFile {
  version: 1;
  /** [sha256, offset, length] */
  entries: [string, number, number][];
}

interface MergedIndex {
  version: 1;
  /** The packs whose indexes it holds. */
  packs: string[];
  /** [sha256, pack, offset, length] */
  entries: [string, string, number, number][];
}

/** Pack indexes read one by one before the merged index is rewritten. */
const MERGE_AFTER = 16;

export class SnapshotStore {
  readonly root: string;

  constructor(root = defaultStoreDir()) {
    this.root = root;
  }

  /** A directory made by mkdir: present while a prune runs. */
  get pruneLock(): string {
    return path.join(this.root, 'prune.lock');
  }

  get packsDir(): string {
    return path.join(this.root, 'packs');
  }

  get manifestsDir(): string {
    return path.join(this.root, 'manifests');
  }

  get tmpDir(): string {
    return path.join(this.root, 'tmp');
  }

  get activeDir(): string {
    return path.join(this.root, 'active');
  }

  ensure(): void {
    for (const dir of [this.packsDir, this.manifestsDir, this.tmpDir, this.activeDir]) mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  tempPath(): string {
    return path.join(this.tmpDir, `${process.pid}-${randomBytes(6).toString('hex')}`);
  }

  /**
   * Every object of every complete pack. Pack indexes never change once written, so their union is
   * kept in `packs/merged.json` (a cache: rebuilt from the .idx files, entries of pruned packs
   * dropped) and only indexes newer than it are read one by one. Synchronous: a snapshot loads it
   * only once it meets new content, from the middle of its synchronous walk.
   */
  loadIndex(): PackIndex {
    const index: PackIndex = new Map();
    let names: string[] = [];
    try {
      names = readdirSync(this.packsDir).filter((name) => name.endsWith('.idx')).sort();
    } catch {
      // no packs yet
    }
    const present = new Set(names.map((name) => name.slice(0, -4)));
    let merged: MergedIndex = { version: 1, packs: [], entries: [] };
    try {
      merged = JSON.parse(readFileSync(this.mergedIndexFile, 'utf8')) as MergedIndex;
    } catch {
      // none yet, or unreadable: read every pack index
    }
    // the packs whose entries the index now holds: the cache's (still present) and those read below
    const covered = new Set(merged.packs.filter((pack) => present.has(pack)));
    for (const [hash, pack, offset, length] of merged.entries) if (covered.has(pack) && !index.has(hash)) index.set(hash, { pack, offset, length });
    let added = 0;
    for (const name of names) {
      const pack = name.slice(0, -4);
      if (covered.has(pack)) continue;
      const entries = this.readPackIndex(pack);
      if (!entries) continue; // unreadable index: its pack is ignored, content is stored again when needed
      added++;
      covered.add(pack);
      for (const [hash, offset, length] of entries) if (!index.has(hash)) index.set(hash, { pack, offset, length });
    }
    // refresh the cache when it missed several packs or still lists pruned ones (an index that
    // could not be read is not listed as covered: it is tried again next time)
    if (added >= MERGE_AFTER || covered.size < merged.packs.length + added) {
      try {
        this.writeMergedIndex(index, covered);
      } catch {
        // a cache: the pack indexes are read one by one again next time
      }
    }
    return index;
  }

  /** Whether a pack is complete and present (its index is written last and removed first). */
  hasPack(packId: string): boolean {
    return existsSync(path.join(this.packsDir, `${packId}.idx`));
  }

  /** One pack's index entries ([sha256, offset, length]), or undefined when it cannot be read. */
  readPackIndex(packId: string): PackIndexFile['entries'] | undefined {
    try {
      return (JSON.parse(readFileSync(path.join(this.packsDir, `${packId}.idx`), 'utf8')) as PackIndexFile).entries;
    } catch {
      return undefined;
    }
  }

  private get mergedIndexFile(): string {
    return path.join(this.packsDir, 'merged.json');
  }

  private writeMergedIndex(index: PackIndex, packs: Set<string>): void {
    const entries: MergedIndex['entries'] = [];
    for (const [hash, { pack, offset, length }] of index) entries.push([hash, pack, offset, length]);
    this.writeAtomic(this.mergedIndexFile, JSON.stringify({ version: 1, packs: [...packs], entries } satisfies MergedIndex));
  }

  /** Writes a (small) file whole or not at all: to a temp name in the store, then renamed into place. */
  writeAtomic(target: string, data: string): void {
    const temp = this.tempPath();
    writeFileSync(temp, data);
    renameSync(temp, target);
  }

  /** Publishes a finished pack: pack file first, then its index (the index is what makes it visible). */
  async commitPack(tempPack: string, packId: string, entries: [string, number, number][]): Promise<void> {
    await rename(tempPack, path.join(this.packsDir, `${packId}.pack`));
    this.writeAtomic(path.join(this.packsDir, `${packId}.idx`), JSON.stringify({ version: 1, entries } satisfies PackIndexFile));
  }

  async removePack(packId: string): Promise<void> {
    await rm(path.join(this.packsDir, `${packId}.idx`), { force: true });
    await rm(path.join(this.packsDir, `${packId}.pack`), { force: true });
  }

  readObject(location: ObjectLocation): Buffer {
    const fd = openSync(path.join(this.packsDir, `${location.pack}.pack`), 'r');
    try {
      const buffer = Buffer.alloc(location.length);
      let read = 0;
      while (read < location.length) {
        const n = readSync(fd, buffer, read, location.length - read, location.offset + read);
        if (n === 0) throw new SaferunError(`snapshot store: pack ${location.pack} is truncated`);
        read += n;
      }
      return buffer;
    } finally {
      closeSync(fd);
    }
  }

  writeManifest(manifest: Manifest): void {
    this.writeAtomic(path.join(this.manifestsDir, `${manifest.id}.json`), JSON.stringify(manifest));
  }

  /** The snapshot with this id or unique id prefix. */
  async readManifest(id: string): Promise<Manifest> {
    if (!/^[0-9a-z-]{1,64}$/.test(id)) throw new SaferunError(`'${id}' is not a snapshot id (see saferun snapshots list)`);
    const matches = (await this.listIds()).filter((known) => known === id || known.startsWith(id));
    if (matches.length === 0) throw new SaferunError(`no snapshot '${id}' (see saferun snapshots list)`);
    if (matches.length > 1) throw new SaferunError(`'${id}' matches ${matches.length} snapshots; give more of the id`);
    return this.readManifestExactly(matches[0]!);
  }

  /** One manifest by its full id; a damaged one is a clear error naming the file, never a crash. */
  async readManifestExactly(id: string): Promise<Manifest> {
    const file = path.join(this.manifestsDir, `${id}.json`);
    let data: unknown;
    try {
      data = JSON.parse(await readFile(file, 'utf8'));
    } catch (error) {
      const why = error instanceof SyntaxError ? 'not JSON' : ((error as NodeJS.ErrnoException).code ?? String(error));
      throw new SaferunError(`snapshot manifest ${file} rejected: ${why}`);
    }
    const manifest = validateManifest(data, file);
    if (manifest.id !== id) throw new SaferunError(`snapshot manifest ${file} rejected: it names snapshot ${manifest.id}`);
    return manifest;
  }

  /** Every content hash a manifest's text mentions: what a damaged manifest may still need kept. */
  async hashesMentionedBy(id: string): Promise<string[]> {
    const text = await readFile(path.join(this.manifestsDir, `${id}.json`), 'latin1').catch(() => '');
    return text.match(/[0-9a-f]{64}/g) ?? [];
  }

  /** Only complete snapshots: an interrupted one has no manifest. Newest first. */
  async listIds(): Promise<string[]> {
    const names = await readdir(this.manifestsDir).catch(() => [] as string[]);
    return names
      .filter((n) => n.endsWith('.json'))
      .map((n) => n.slice(0, -5))
      .filter((id) => SNAPSHOT_ID.test(id))
      .sort()
      .reverse();
  }

  async removeManifest(id: string): Promise<void> {
    await rm(path.join(this.manifestsDir, `${id}.json`), { force: true });
  }

  /** Marks a snapshot in progress (prune leaves content alone meanwhile); returns the unmark. */
  async markActive(): Promise<() => Promise<void>> {
    const marker = path.join(this.activeDir, `${process.pid}-${randomBytes(4).toString('hex')}`);
    await writeFile(marker, String(process.pid));
    return () => rm(marker, { force: true });
  }

  /** Whether some live process is taking a snapshot now (stale markers are cleared). */
  async snapshotInProgress(): Promise<boolean> {
    for (const name of await readdir(this.activeDir).catch(() => [] as string[])) {
      const pid = Number(name.split('-')[0]);
      try {
        process.kill(pid, 0);
        return true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EPERM') return true;
        await rm(path.join(this.activeDir, name), { force: true });
      }
    }
    return false;
  }
}

export function defaultStoreDir(): string {
  if (process.env['SAFERUN_STATE_DIR']) return path.join(process.env['SAFERUN_STATE_DIR'], 'snapshots');
  const state = process.env['XDG_STATE_HOME'] || path.join(os.homedir(), '.local', 'state');
  return path.join(state, 'saferun', 'snapshots');
}

let sequence = 0;

/** Sortable, unique ids: time to the millisecond, a per-process sequence, then randomness. */
export function newSnapshotId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:TZ.]/g, '');
  sequence = (sequence + 1) % 1000;
  return `${stamp}-${String(sequence).padStart(3, '0')}${randomBytes(3).toString('hex')}`;
}
