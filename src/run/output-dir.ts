/**
 * The one writable host path. When saferun runs as root the program runs as nobody (65534), so for
 * the run the tree is lent to that user (every entry chowned, owners recorded), and afterwards each
 * entry goes back to its owner; what the program created goes to the directory's owner. Symlinks
 * are never followed (lchown), other file systems mounted below are not entered, and a file with
 * more than one hard link is left alone: its other names may be anywhere, so changing its owner
 * would change a file outside the directory the user named.
 */
import { lchownSync, lstatSync, mkdirSync, realpathSync } from 'node:fs';
import { SaferunError } from '../errors.js';
import { walkEntries } from '../util/walk-entries.js';
import { checkOutputPath, type OutputPathContext } from './output-path.js';

export interface PreparedOutputDir {
  hostPath: string;
  /** Undo the ownership loan; safe to call twice. */
  release(): void;
}

interface Owner {
  uid: number;
  gid: number;
  ino: number;
}


function tryChown(file: string, uid: number, gid: number): void {
  try {
    lchownSync(file, uid, gid);
  } catch {
    // vanished meanwhile
  }
}

export function prepareOutputDir(requested: string, context: OutputPathContext, sandboxUid: number, sandboxGid: number): PreparedOutputDir {
  const absolute = checkOutputPath(requested, context);
  try {
    mkdirSync(absolute, { recursive: true });
  } catch (error) {
    throw new SaferunError(`--output ${requested}: cannot create it (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  checkOutputPath(requested, context);
  const real = realpathSync(absolute);
  if (!lstatSync(real).isDirectory()) throw new SaferunError(`--output ${requested}: not a directory`);
  if (process.getuid?.() !== 0) return { hostPath: real, release: () => undefined };

  const owners = new Map<string, Owner>();
  walkEntries(real, (entry, stat) => {
    owners.set(entry, { uid: stat.uid, gid: stat.gid, ino: stat.ino });
    tryChown(entry, sandboxUid, sandboxGid);
  });
  const top = owners.get(real)!;
  let released = false;
  return {
    hostPath: real,
    release() {
      if (released) return;
      released = true;
      walkEntries(real, (entry, stat) => {
        const before = owners.get(entry);
        const owner = before && before.ino === stat.ino ? before : top;
        if (stat.uid !== owner.uid || stat.gid !== owner.gid) tryChown(entry, owner.uid, owner.gid);
      });
    },
  };
}
