/**
 * The content-addressed store in the user's state dir: objects/ab/cdef… (sha256), one manifest per
 * snapshot, all written to a temp name then renamed, so a crash leaves nothing half-written that
 * looks complete, and concurrent runs never corrupt each other.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SaferunError } from '../errors.js';
import { validateManifest, type Manifest } from './manifest.js';

export class SnapshotStore {
  readonly root: string;

  constructor(root = defaultStoreDir()) {
    this.root = root;
  }

  get objectsDir(): string {
    return path.join(this.root, 'objects');
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
    for (const dir of [this.objectsDir, this.manifestsDir, this.tmpDir, this.activeDir]) mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  /** Marks a snapshot in progress (prune leaves objects alone meanwhile); returns the unmark. */
  async markActive(): Promise<() => Promise<void>> {
    const marker = path.join(this.activeDir, `${process.pid}-${randomBytes(4).toString('hex')}`);
    await writeFile(marker, String(process.pid));
    return () => rm(marker, { force: true });
  }

  /** Whether some live process is taking a snapshot now. */
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

  objectPath(hash: string): string {
    return path.join(this.objectsDir, hash.slice(0, 2), hash.slice(2));
  }

  tempPath(): string {
    return path.join(this.tmpDir, `${process.pid}-${randomBytes(6).toString('hex')}`);
  }

  async hasObject(hash: string): Promise<boolean> {
    return stat(this.objectPath(hash)).then(
      () => true,
      () => false,
    );
  }

  /** Moves a finished temp file into place; if another run stored the same content first, keeps theirs. */
  async commitObject(tempFile: string, hash: string): Promise<boolean> {
    const target = this.objectPath(hash);
    if (await this.hasObject(hash)) {
      await rm(tempFile, { force: true });
      return false;
    }
    await mkdir(path.dirname(target), { recursive: true });
    await rename(tempFile, target);
    return true;
  }

  async writeManifest(manifest: Manifest): Promise<void> {
    const temp = this.tempPath();
    await writeFile(temp, JSON.stringify(manifest));
    await rename(temp, path.join(this.manifestsDir, `${manifest.id}.json`));
  }

  async readManifest(id: string): Promise<Manifest> {
    if (!/^[0-9a-z-]{1,64}$/.test(id)) throw new SaferunError(`'${id}' is not a snapshot id (see saferun snapshots list)`);
    const matches = (await this.listIds()).filter((known) => known === id || known.startsWith(id));
    if (matches.length === 0) throw new SaferunError(`no snapshot '${id}' (see saferun snapshots list)`);
    if (matches.length > 1) throw new SaferunError(`'${id}' matches ${matches.length} snapshots; give more of the id`);
    const file = path.join(this.manifestsDir, `${matches[0]}.json`);
    return validateManifest(JSON.parse(await readFile(file, 'utf8')), file);
  }

  /** Only complete snapshots: an interrupted one has no manifest. Newest first. */
  async listIds(): Promise<string[]> {
    const names = await readdir(this.manifestsDir).catch(() => [] as string[]);
    return names.filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -5)).sort().reverse();
  }

  async removeManifest(id: string): Promise<void> {
    await rm(path.join(this.manifestsDir, `${id}.json`), { force: true });
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
