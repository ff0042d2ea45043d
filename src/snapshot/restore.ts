/**
 * Carries out a restore plan inside one target directory. Every path is checked before use: it
 * must stay inside the target, and every ancestor must be a real directory (never a symlink), so
 * nothing is ever written through a link. Files are written to a temp name and renamed into place.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmod, lstat, mkdir, readFile, rename, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SaferunError } from '../errors.js';
import { isSafeRelativePath, type ManifestRoot } from './manifest.js';
import { diffTrees, planRestore, type CurrentEntry, type RestorePlan, type TreeDiff } from './plan-restore.js';
import type { SnapshotStore } from './store.js';
import { loadIgnore } from './ignore-rules.js';
import { walkTree } from './walk-tree.js';

/** The target itself must be a real directory: a root swapped for a symlink would lead the walk (and removals) out. */
async function requireRealDirectory(target: string): Promise<void> {
  const info = await lstat(target).catch(() => undefined);
  if (info && !info.isDirectory()) throw new SaferunError(`restore refused: ${target} is not a directory (a symlink or file where the snapshot's directory was); move it away and retry`);
}

/**
 * The excludes as they were when the snapshot was taken: the snapshot's own .saferunignore, never
 * the one in the tree now (a program could write one that hides what it dropped).
 */
async function rulesAtSnapshot(target: string, root: ManifestRoot, store?: SnapshotStore): Promise<ReturnType<typeof loadIgnore>> {
  if (!store) return loadIgnore(target);
  const saved = root.entries.find((e) => e.path === '.saferunignore' && e.type === 'file');
  const location = saved?.hash ? store.loadIndex().get(saved.hash) : undefined;
  return loadIgnore(target, location ? store.readObject(location).toString('utf8') : '');
}

async function currentState(target: string, root: ManifestRoot, store?: SnapshotStore): Promise<{ entries: CurrentEntry[]; hashOf: (p: string) => string | undefined }> {
  await requireRealDirectory(target);
  await mkdir(target, { recursive: true });
  const { entries } = walkTree(target, await rulesAtSnapshot(target, root, store));
  const byPath = new Map(root.entries.map((e) => [e.path, e]));
  const hashes = new Map<string, string>();
  // Hash only files whose size or mtime moved: the rest is taken as unchanged.
  for (const entry of entries) {
    const before = byPath.get(entry.path);
    if (entry.type === 'file' && before?.type === 'file' && (before.size !== entry.size || before.mtimeMs !== entry.mtimeMs) && before.size === entry.size) {
      hashes.set(entry.path, createHash('sha256').update(await readFile(entry.absolute)).digest('hex'));
    }
  }
  return { entries, hashOf: (p) => hashes.get(p) };
}

/** With `store`, the excludes are the snapshot's own; without, the tree's current .saferunignore. */
export async function diffAgainst(root: ManifestRoot, target = root.path, store?: SnapshotStore): Promise<TreeDiff> {
  const { entries, hashOf } = await currentState(target, root, store);
  return diffTrees(root.entries, entries, hashOf);
}

export async function planRestoreOf(root: ManifestRoot, target = root.path, store?: SnapshotStore): Promise<RestorePlan> {
  const { entries, hashOf } = await currentState(target, root, store);
  return planRestore(root.entries, entries, hashOf);
}

/** Resolves a relative path inside the target, refusing anything that could lead out of it. */
async function safePath(target: string, relative: string): Promise<string> {
  if (!isSafeRelativePath(relative)) throw new SaferunError(`restore refused: unsafe path ${JSON.stringify(relative)}`);
  const parts = relative.split('/');
  let current = target;
  for (const part of parts.slice(0, -1)) {
    current = path.join(current, part);
    const info = await lstat(current).catch(() => undefined);
    if (info && !info.isDirectory()) throw new SaferunError(`restore refused: ${path.relative(target, current)} is not a directory (a symlink or file where a directory belongs)`);
  }
  return path.join(target, relative);
}

export async function executeRestore(plan: RestorePlan, store: SnapshotStore, target: string): Promise<void> {
  await requireRealDirectory(target);
  const index = store.loadIndex();
  for (const file of plan.writes) {
    if (!index.has(file.hash!)) throw new SaferunError(`restore refused: the snapshot store lacks the content of ${file.path} (was it pruned?); nothing was changed`);
  }
  for (const relative of plan.remove) await rm(await safePath(target, relative), { recursive: true, force: true });
  for (const dir of plan.mkdirs) await mkdir(await safePath(target, dir.path), { mode: 0o700 });
  for (const file of plan.writes) {
    const destination = await safePath(target, file.path);
    const data = store.readObject(index.get(file.hash!)!);
    if (createHash('sha256').update(data).digest('hex') !== file.hash) throw new SaferunError(`restore failed: stored content of ${file.path} is corrupt`);
    const temp = path.join(path.dirname(destination), `.saferun-restore-${randomBytes(4).toString('hex')}`);
    await writeFile(temp, data, { mode: 0o600 });
    await chmod(temp, file.mode);
    await utimes(temp, new Date(), new Date(file.mtimeMs));
    await rename(temp, destination);
  }
  for (const link of plan.links) {
    const destination = await safePath(target, link.path);
    await rm(destination, { force: true, recursive: true });
    await symlink(link.target!, destination);
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
