/**
 * Lists a tree for snapshots and diffs: lstat only, symlinks recorded not followed, excludes
 * applied. Metadata calls are synchronous on purpose: thousands of them are far cheaper than
 * thread-pool round trips. The snapshot's walk hands each file over as it is found (so its content
 * is stored while the listing goes on) and yields now and then so progress can be drawn.
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
  const listing: TreeListing = { entries: [], skipped: [] };
  const stack = [''];
  while (stack.length > 0) listDirectory(root, stack.pop()!, rules, listing, stack);
  return sorted(listing);
}

/** walkTree, handing each file to `onFile` as soon as it is found. */
export async function walkTreeFeeding(root: string, rules: Ignore, onFile: (file: TreeEntry) => void): Promise<TreeListing> {
  const listing: TreeListing = { entries: [], skipped: [] };
  const stack = [''];
  let fed = 0;
  let sinceYield = 0;
  while (stack.length > 0) {
    listDirectory(root, stack.pop()!, rules, listing, stack);
    for (; fed < listing.entries.length; fed++) {
      const entry = listing.entries[fed]!;
      if (entry.type !== 'file') continue;
      onFile(entry);
      if (++sinceYield >= 500) {
        sinceYield = 0;
        await new Promise((resolve) => setImmediate(resolve)); // progress view, finished writes
      }
    }
  }
  return sorted(listing);
}

function listDirectory(root: string, relativeDir: string, rules: Ignore, listing: TreeListing, stack: string[]): void {
  let names: string[];
  try {
    names = readdirSync(path.join(root, relativeDir));
  } catch (error) {
    listing.skipped.push({ path: relativeDir || '.', reason: `unreadable: ${(error as NodeJS.ErrnoException).code ?? String(error)}` });
    return;
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
      listing.entries.push({ ...base, type: 'dir', size: 0 });
      stack.push(relative);
    } else if (info.isFile()) listing.entries.push({ ...base, type: 'file' });
    else if (info.isSymbolicLink()) listing.entries.push({ ...base, type: 'symlink', target: readlinkSync(absolute) });
    else listing.skipped.push({ path: relative, reason: 'not a file, directory or symlink (socket, FIFO or device)' });
  }
}

function sorted(listing: TreeListing): TreeListing {
  listing.entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return listing;
}
