/**
 * Manifest vs current tree → what differs, and what restoring means. Pure: the caller supplies
 * the current tree and the hashes of the files it had to compare by content.
 */
import type { ManifestEntry } from './manifest.js';

export interface CurrentEntry {
  path: string;
  type: 'file' | 'dir' | 'symlink';
  mode: number;
  size: number;
  mtimeMs: number;
  ctimeMs?: number;
  ino?: number;
  target?: string;
}

export interface TreeDiff {
  added: string[];
  changed: string[];
  deleted: string[];
}

export interface RestorePlan {
  /** Paths to delete, deepest first (created since, or of another type now). */
  remove: string[];
  /** Directories to create, shallowest first. */
  mkdirs: ManifestEntry[];
  /** Files whose content must be written. */
  writes: ManifestEntry[];
  links: ManifestEntry[];
  /** Mode (and mtime) fixes for entries whose content is right. */
  attributes: ManifestEntry[];
}

/**
 * Whether a file's content differs. Unchanged without reading it only when size, mtime, ctime and
 * inode are all as recorded (an mtime can be put back by the program, a ctime cannot); otherwise
 * the hashes decide. A manifest without ctimes (an earlier version) always compares hashes.
 */
function contentChanged(before: ManifestEntry, now: CurrentEntry, currentHash: (path: string) => string | undefined): boolean {
  if (before.size !== now.size) return true;
  if (before.ctimeMs !== undefined && before.ctimeMs === now.ctimeMs && before.mtimeMs === now.mtimeMs && before.ino === now.ino) return false;
  return currentHash(now.path) !== before.hash;
}

function differs(before: ManifestEntry, now: CurrentEntry | undefined, currentHash: (path: string) => string | undefined): 'missing' | 'type' | 'content' | 'attributes' | 'same' {
  if (!now) return 'missing';
  if (now.type !== before.type) return 'type';
  if (before.type === 'file' && contentChanged(before, now, currentHash)) return 'content';
  if (before.type === 'symlink' && before.target !== now.target) return 'content';
  if (before.type !== 'symlink' && before.mode !== now.mode) return 'attributes';
  return 'same';
}

export function diffTrees(manifest: ManifestEntry[], current: CurrentEntry[], currentHash: (path: string) => string | undefined): TreeDiff {
  const before = new Map(manifest.map((e) => [e.path, e]));
  const now = new Map(current.map((e) => [e.path, e]));
  const diff: TreeDiff = { added: [], changed: [], deleted: [] };
  for (const entry of current) if (!before.has(entry.path)) diff.added.push(entry.path);
  for (const entry of manifest) {
    const state = differs(entry, now.get(entry.path), currentHash);
    if (state === 'missing') diff.deleted.push(entry.path);
    else if (state !== 'same') diff.changed.push(entry.path);
  }
  return diff;
}

export function planRestore(manifest: ManifestEntry[], current: CurrentEntry[], currentHash: (path: string) => string | undefined): RestorePlan {
  const before = new Map(manifest.map((e) => [e.path, e]));
  const now = new Map(current.map((e) => [e.path, e]));
  const plan: RestorePlan = { remove: [], mkdirs: [], writes: [], links: [], attributes: [] };
  for (const entry of current) {
    const wanted = before.get(entry.path);
    if (!wanted || wanted.type !== entry.type || (entry.type === 'symlink' && wanted.target !== entry.target)) plan.remove.push(entry.path);
  }
  // Removing a directory removes what is under it: keep only the topmost of nested removals.
  plan.remove.sort();
  plan.remove = plan.remove.filter((p, i, all) => !all.slice(0, i).some((parent) => p.startsWith(`${parent}/`)));
  plan.remove.sort((a, b) => b.split('/').length - a.split('/').length);
  const removed = (p: string): boolean => plan.remove.some((r) => p === r || p.startsWith(`${r}/`));
  for (const entry of manifest) {
    const existing = removed(entry.path) ? undefined : now.get(entry.path);
    const state = differs(entry, existing, currentHash);
    if (entry.type === 'dir') {
      if (state === 'missing' || state === 'type') plan.mkdirs.push(entry);
      if (state !== 'same') plan.attributes.push(entry);
    } else if (entry.type === 'file') {
      if (state === 'missing' || state === 'type' || state === 'content') plan.writes.push(entry);
      else if (state === 'attributes') plan.attributes.push(entry);
    } else if (state !== 'same') plan.links.push(entry);
  }
  plan.mkdirs.sort((a, b) => a.path.split('/').length - b.path.split('/').length);
  return plan;
}

export function isEmptyPlan(plan: RestorePlan): boolean {
  return plan.remove.length + plan.mkdirs.length + plan.writes.length + plan.links.length + plan.attributes.length === 0;
}
