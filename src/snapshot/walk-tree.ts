/**
 * Lists a tree for snapshots and diffs: lstat only, symlinks recorded not followed, excludes
 * applied. Synchronous on purpose: thousands of metadata calls are far cheaper than thread-pool
 * round trips.
 */
import { lstatSync, readdirSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import type { Ignore } from 'ignore';

export interface TreeEntry {
  path: string;
  absolute: string;
  type: 'file' | 'dir' | 'symlink';
  mode: number;
  size: number;
  mtimeMs: number;
  ino: number;
  target?: string;
}

export interface TreeListing {
  entries: TreeEntry[];
  /** Sockets, FIFOs, devices and unreadable paths, with why. */
  skipped: { path: string; reason: string }[];
}

export function walkTree(root: string, rules: Ignore): TreeListing {
  const entries: TreeEntry[] = [];
  const skipped: { path: string; reason: string }[] = [];
  const stack = [''];
  while (stack.length > 0) {
    const relativeDir = stack.pop()!;
    let names: string[];
    try {
      names = readdirSync(path.join(root, relativeDir));
    } catch (error) {
      skipped.push({ path: relativeDir || '.', reason: `unreadable: ${(error as NodeJS.ErrnoException).code ?? String(error)}` });
      continue;
    }
    for (const name of names) {
      const relative = relativeDir ? `${relativeDir}/${name}` : name;
      const absolute = path.join(root, relative);
      const info = lstatSync(absolute, { throwIfNoEntry: false });
      if (!info) continue;
      const isDir = info.isDirectory();
      if (rules.ignores(isDir ? `${relative}/` : relative)) continue;
      const base = { path: relative, absolute, mode: info.mode & 0o7777, size: info.size, mtimeMs: info.mtimeMs, ino: info.ino };
      if (isDir) {
        entries.push({ ...base, type: 'dir', size: 0 });
        stack.push(relative);
      } else if (info.isFile()) entries.push({ ...base, type: 'file' });
      else if (info.isSymbolicLink()) entries.push({ ...base, type: 'symlink', target: readlinkSync(absolute) });
      else skipped.push({ path: relative, reason: 'not a file, directory or symlink (socket, FIFO or device)' });
    }
  }
  entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { entries, skipped };
}
