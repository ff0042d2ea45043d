/**
 * Lists a tree for snapshots and diffs: lstat only, symlinks recorded not followed, excludes
 * applied. Metadata calls are synchronous on purpose: thousands of them are far cheaper than
 * thread-pool round trips. The snapshot's walk hands each file over as it is found (so its content
 * is stored while the listing goes on) and yields now and then so progress can be drawn.
 */
import { lstatSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { decodeName, fsPath, namesIn } from './file-names.js';
import type { Excludes } from './ignore-rules.js';

export interface TreeEntry {
  path: string;
  absolute: string;
  type: 'file' | 'dir' | 'symlink';
  mode: number;
  size: number;
  mtimeMs: number;
  /** Set by the kernel on every change; userspace cannot set it back (os.utime moves only mtime). */
  ctimeMs: number;
  ino: number;
  target?: string;
}

export interface TreeListing {
  entries: TreeEntry[];
  /** Sockets, FIFOs, devices and unreadable paths, with why. */
  skipped: { path: string; reason: string }[];
}

export function walkTree(root: string, rules: Excludes): TreeListing {
  const listing: TreeListing = { entries: [], skipped: [] };
  const stack = [''];
  while (stack.length > 0) listDirectory(root, stack.pop()!, rules, listing, stack);
  return sorted(listing);
}

/** walkTree, handing each file to `onFile` as soon as it is found. */
export async function walkTreeFeeding(root: string, rules: Excludes, onFile: (file: TreeEntry) => void): Promise<TreeListing> {
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

function listDirectory(root: string, relativeDir: string, rules: Excludes, listing: TreeListing, stack: string[]): void {
  const directory = path.join(root, relativeDir);
  let names: string[];
  try {
    names = namesIn(directory);
  } catch (error) {
    listing.skipped.push({ path: relativeDir || '.', reason: `unreadable: ${(error as NodeJS.ErrnoException).code ?? String(error)}` });
    return;
  }
  const prefix = directory.endsWith(path.sep) ? directory : directory + path.sep;
  for (const name of names) {
    const relative = relativeDir ? `${relativeDir}/${name}` : name;
    const absolute = prefix + name;
    // one entry that cannot be read is reported and skipped; it never stops the walk
    try {
      const info = lstatSync(fsPath(absolute), { throwIfNoEntry: false });
      if (!info) continue;
      const isDir = info.isDirectory();
      if (rules.excludes(relative, name, isDir)) continue;
      const type = isDir ? 'dir' : info.isFile() ? 'file' : info.isSymbolicLink() ? 'symlink' : undefined;
      if (!type) {
        listing.skipped.push({ path: relative, reason: 'not a file, directory or symlink (socket, FIFO or device)' });
        continue;
      }
      const entry: TreeEntry = { path: relative, absolute, type, mode: info.mode & 0o7777, size: isDir ? 0 : info.size, mtimeMs: info.mtimeMs, ctimeMs: info.ctimeMs, ino: info.ino };
      if (type === 'symlink') entry.target = decodeName(readlinkSync(fsPath(absolute), { encoding: 'buffer' }));
      else if (isDir) stack.push(relative);
      listing.entries.push(entry);
    } catch (error) {
      listing.skipped.push({ path: relative, reason: `unreadable: ${(error as NodeJS.ErrnoException).code ?? String(error)}` });
    }
  }
}

function sorted(listing: TreeListing): TreeListing {
  listing.entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return listing;
}
