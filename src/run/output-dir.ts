/**
 * The one writable host path. When saferun runs as root the program runs as nobody (65534), so the
 * directory is lent to that user for the run and everything the program created is handed back
 * to the directory's owner afterwards.
 */
import { chownSync, lchownSync as lchown, lstatSync, mkdirSync, readdirSync, realpathSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SaferunError } from '../errors.js';

export interface PreparedOutputDir {
  hostPath: string;
  /** Undo the ownership loan; safe to call twice. */
  release(): void;
}

export function prepareOutputDir(requested: string, cwd: string, sandboxUid: number, sandboxGid: number): PreparedOutputDir {
  const absolute = path.resolve(cwd, requested);
  try {
    mkdirSync(absolute, { recursive: true });
  } catch (error) {
    throw new SaferunError(`--output ${requested}: cannot create it (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  const real = realpathSync(absolute);
  if (!lstatSync(real).isDirectory()) throw new SaferunError(`--output ${requested}: not a directory`);
  const forbidden = new Set(['/', os.homedir(), '/etc', '/usr', '/var', '/bin', '/lib', '/boot', '/root', '/home']);
  if (forbidden.has(real)) throw new SaferunError(`--output ${requested}: refusing to make ${real} writable to the program; use a dedicated directory`);
  const isRoot = process.getuid?.() === 0;
  if (!isRoot) return { hostPath: real, release: () => undefined };
  const original = lstatSync(real);
  chownSync(real, sandboxUid, sandboxGid);
  let released = false;
  return {
    hostPath: real,
    release() {
      if (released) return;
      released = true;
      returnOwnership(real, sandboxUid, original.uid, original.gid);
      chownSync(real, original.uid, original.gid);
    },
  };
}

/** Walks without following symlinks; only entries the sandbox user owns change owner. */
function returnOwnership(dir: string, sandboxUid: number, uid: number, gid: number): void {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of entries) {
    const entry = path.join(dir, name);
    const stat = lstatSync(entry, { throwIfNoEntry: false });
    if (!stat) continue;
    if (stat.uid === sandboxUid) {
      try {
        // lchown semantics: a symlink itself, never its target
        (stat.isSymbolicLink() ? lchown : chownSync)(entry, uid, gid);
      } catch {
        // a file that vanished meanwhile
      }
    }
    if (stat.isDirectory()) returnOwnership(entry, sandboxUid, uid, gid);
  }
}


