/**
 * Carries out a restore plan inside one target directory. Every path is checked before use: it
 * must stay inside the target, and every ancestor must be a real directory (never a symlink), so
 * nothing is ever written through a link. Files are written to a temp name and renamed into place;
 * a temp file is removed again when anything about it fails.
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { chmod, lstat, mkdir, rename, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SaferunError } from '../errors.js';
import { displayName, fsPath } from './file-names.js';
import { legacyRules, rulesFor, type Excludes } from './ignore-rules.js';
import { isSafeRelativePath, type ManifestRoot } from './manifest.js';
import { diffTrees, planRestore, type CurrentEntry, type RestorePlan, type TreeDiff } from './plan-restore.js';
import type { SnapshotStore } from './store.js';
import { walkTree } from './walk-tree.js';

/** The target must be a real directory (or absent): a root swapped for a symlink would lead the walk (and removals) out. */
async function requireRealDirectory(target: string): Promise<boolean> {
  const info = await lstat(fsPath(target)).catch(() => undefined);
  if (info && !info.isDirectory()) throw new SaferunError(`restore refused: ${displayName(target)} is not a directory (a symlink or file where the snapshot's directory was); move it away and retry`);
  return info !== undefined;
}

/**
 * The excludes as they were when the snapshot was taken, never the tree's own now (a program could
 * write a .saferunignore that hides what it dropped). Manifests of earlier versions did not record
 * them: their snapshot's own .saferunignore is read from the store.
 */
function rulesAtSnapshot(root: ManifestRoot, store?: SnapshotStore): Excludes {
  if (root.excludes !== undefined) return rulesFor(root);
  const saved = root.entries.find((e) => e.path === '.saferunignore' && e.type === 'file');
  const location = saved?.hash && store ? store.loadIndex().get(saved.hash) : undefined;
  return legacyRules(location && store ? store.readObject(location).toString('utf8') : '');
}

function hashFile(absolute: string): string {
  const hasher = createHash('sha256');
  const fd = openSync(fsPath(absolute), 'r');
  try {
    const chunk = Buffer.allocUnsafe(1024 * 1024);
    for (let n = readSync(fd, chunk, 0, chunk.length, null); n > 0; n = readSync(fd, chunk, 0, chunk.length, null)) hasher.update(chunk.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hasher.digest('hex');
}

/**
 * The tree as it is now, and the hashes of the files whose content must be compared: a file counts
 * as untouched only when its size, mtime, ctime and inode are all as recorded. The ctime is the cheap
 * pre-filter that makes this safe: a program can put an old mtime back, never an old ctime.
 * Nothing is created: a target that is gone is an empty tree.
 */
async function currentState(target: string, root: ManifestRoot, store?: SnapshotStore): Promise<{ entries: CurrentEntry[]; hashOf: (p: string) => string | undefined }> {
  if (!(await requireRealDirectory(target))) return { entries: [], hashOf: () => undefined };
  const { entries } = walkTree(target, rulesAtSnapshot(root, store));
  const byPath = new Map(root.entries.map((e) => [e.path, e]));
  const hashes = new Map<string, string>();
  for (const entry of entries) {
    const before = byPath.get(entry.path);
    if (entry.type !== 'file' || before?.type !== 'file' || before.size !== entry.size) continue;
    if (before.ctimeMs === entry.ctimeMs && before.mtimeMs === entry.mtimeMs && before.ino === entry.ino) continue;
    try {
      hashes.set(entry.path, hashFile(entry.absolute));
    } catch {
      // unreadable now: counted as changed (no hash), so restore writes it back
    }
  }
  return { entries, hashOf: (p) => hashes.get(p) };
}

/** With `store`, the excludes of a manifest of an earlier version are read from the snapshot's own .saferunignore. */
export async function diffAgainst(root: ManifestRoot, target = root.path, store?: SnapshotStore): Promise<TreeDiff> {
  const { entries, hashOf } = await currentState(target, root, store);
  return diffTrees(root.entries, entries, hashOf);
}

export async function planRestoreOf(root: ManifestRoot, target = root.path, store?: SnapshotStore): Promise<RestorePlan> {
  const { entries, hashOf } = await currentState(target, root, store);
  return planRestore(root.entries, entries, hashOf);
}

/** Resolves a relative path inside the target, refusing anything that could lead out of it. */
async function safePath(target: string, relative: string): Promise<string | Buffer> {
  if (!isSafeRelativePath(relative)) throw new SaferunError(`restore refused: unsafe path ${JSON.stringify(relative)}`);
  const parts = relative.split('/');
  let current = target;
  for (const part of parts.slice(0, -1)) {
    current = path.join(current, part);
    const info = await lstat(fsPath(current)).catch(() => undefined);
    if (info && !info.isDirectory()) throw new SaferunError(`restore refused: ${displayName(path.relative(target, current))} is not a directory (a symlink or file where a directory belongs)`);
  }
  return fsPath(path.join(target, relative));
}

/** Writes one file to a temp name beside its place, sets its mode and mtime, and renames it in. */
async function writeInPlace(destination: string | Buffer, data: Buffer, mode: number, mtimeMs: number): Promise<void> {
  const suffix = `.saferun-restore-${randomBytes(4).toString('hex')}`;
  const temp = typeof destination === 'string' ? path.join(path.dirname(destination), suffix) : Buffer.concat([parentOf(destination), Buffer.from(`/${suffix}`)]);
  await writeFile(temp, data, { mode: 0o600 });
  try {
    await chmod(temp, mode);
    await utimes(temp, new Date(), new Date(mtimeMs));
    await rename(temp, destination);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

function parentOf(bytes: Buffer): Buffer {
  const slash = bytes.lastIndexOf(0x2f);
  return slash <= 0 ? Buffer.from('/') : bytes.subarray(0, slash);
}

export async function executeRestore(plan: RestorePlan, store: SnapshotStore, target: string): Promise<void> {
  const index = store.loadIndex();
  for (const file of plan.writes) {
    if (!index.has(file.hash!)) throw new SaferunError(`restore refused: the snapshot store lacks the content of ${displayName(file.path)} (was it pruned?); nothing was changed`);
  }
  if (!(await requireRealDirectory(target))) await mkdir(fsPath(target), { recursive: true, mode: 0o700 });
  for (const relative of plan.remove) await rm(await safePath(target, relative), { recursive: true, force: true });
  for (const dir of plan.mkdirs) await mkdir(await safePath(target, dir.path), { mode: 0o700 });
  for (const file of plan.writes) {
    const destination = await safePath(target, file.path);
    const data = store.readObject(index.get(file.hash!)!);
    if (createHash('sha256').update(data).digest('hex') !== file.hash) throw new SaferunError(`restore failed: stored content of ${displayName(file.path)} is corrupt`);
    await writeInPlace(destination, data, file.mode, file.mtimeMs);
  }
  for (const link of plan.links) {
    const destination = await safePath(target, link.path);
    await rm(destination, { force: true, recursive: true });
    await symlink(fsPath(link.target!), destination);
  }
  // Modes last, deepest first: a read-only directory must not stop the writes above.
  const attributes = [...plan.attributes].sort((a, b) => b.path.split('/').length - a.path.split('/').length);
  for (const entry of attributes) {
    const destination = await safePath(target, entry.path);
    await chmod(destination, entry.mode);
    if (entry.type === 'file') await utimes(destination, new Date(), new Date(entry.mtimeMs));
  }
  for (const dir of plan.mkdirs.filter((d) => !plan.attributes.includes(d))) await chmod(await safePath(target, dir.path), dir.mode);
}
