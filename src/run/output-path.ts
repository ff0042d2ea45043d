/**
 * Which host directory `--output` may name. The program gets write access to it (and, when saferun
 * runs as root, ownership for the run), so the path must be exactly the directory the user named:
 * no symbolic link anywhere on the way, and nowhere near the system, the home directory's
 * configuration or saferun's own state.
 */
import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SaferunError } from '../errors.js';
import { defaultCacheDir } from '../scan/scan-cache.js';
import { defaultStoreDir } from '../snapshot/store.js';
import { packageRoot } from '../util/package-info.js';
import { isInside } from '../util/paths.js';

export interface OutputPathContext {
  /** Where saferun was started (relative --output paths start here). */
  cwd: string;
  /** The working directory as mounted (real path): it stays read-only, so it cannot be the output. */
  workdir: string;
  home: string;
  /** Directories on $PATH: a program that may write one could plant commands. */
  pathDirs: string[];
  /** saferun's snapshot store, scan cache and installation. */
  saferunDirs: string[];
}

/** System trees: nothing at or below them. */
const SYSTEM_TREES = ['/bin', '/boot', '/dev', '/etc', '/lib', '/lib32', '/lib64', '/libx32', '/nix', '/opt', '/proc', '/root', '/run', '/sbin', '/snap', '/sys', '/usr', '/var', '/private', '/System', '/Library', '/Applications', '/cores'];
/** Shared scratch places inside the trees above where a subdirectory is fine. */
const SCRATCH_INSIDE_SYSTEM = ['/var/tmp', '/private/tmp', '/private/var/tmp', '/private/var/folders'];
/** Places that hold other people's or other programs' directories: a subdirectory is fine, the place itself is not. */
const SHARED_PARENTS = ['/', '/home', '/Users', '/tmp', '/mnt', '/media', '/srv', '/Volumes'];
/** Below the home directory: configuration and start-up files (dot-names) and the personal bin. */
const HOME_TREES = ['bin', 'Library'];

const SUGGESTION = 'name a dedicated directory, e.g. ./out, or a new directory under /tmp';

/** Why `dir` (absolute, no symlinks) must not be made writable to the program; undefined when it may. */
export function outputLocationProblem(dir: string, context: Omit<OutputPathContext, 'cwd'>): string | undefined {
  const below = (parent: string): boolean => isInside(dir, parent) && dir !== parent;
  if (SHARED_PARENTS.includes(dir) || SCRATCH_INSIDE_SYSTEM.includes(dir)) return `${dir} is shared by other users and programs`;
  for (const tree of SYSTEM_TREES) {
    if (isInside(dir, tree) && !SCRATCH_INSIDE_SYSTEM.some(below)) return `it is inside the system directory ${tree}`;
  }
  const home = context.home;
  if (home && home !== '/') {
    if (isInside(home, dir)) return dir === home ? 'it is your home directory' : 'it contains your home directory';
    if (below(home)) {
      const first = path.relative(home, dir).split(path.sep)[0]!;
      if (first.startsWith('.')) return `it is inside ${path.join(home, first)}, where programs keep configuration and start-up files`;
      if (HOME_TREES.includes(first)) return `it is inside ${path.join(home, first)}`;
    }
  }
  for (const onPath of context.pathDirs) {
    if (isInside(onPath, dir)) return `${onPath} is on $PATH: the program could plant commands there`;
  }
  for (const own of context.saferunDirs) {
    if (isInside(dir, own) || isInside(own, dir)) return `${own} belongs to saferun (snapshots, scan cache or installation)`;
  }
  if (isInside(context.workdir, dir)) {
    return dir === context.workdir ? 'it is the working directory, which stays read-only' : 'it contains the working directory, which stays read-only';
  }
  return undefined;
}

/**
 * The absolute path for `--output requested`, refused when any part of it the user did not already
 * stand in is a symbolic link, or when the location is one outputLocationProblem refuses.
 * Called before the directory is created and again after (mkdir makes no links, but checking
 * costs a few lstat calls).
 */
export function checkOutputPath(requested: string, context: OutputPathContext): string {
  const absolute = path.resolve(context.cwd, requested);
  const refuse = (why: string, advice = SUGGESTION): never => {
    throw new SaferunError(`--output ${requested}: refusing to make ${absolute} writable to the program: ${why}; ${advice}`);
  };
  const parts = absolute.split(path.sep).filter(Boolean);
  let current: string = path.sep;
  for (const part of parts) {
    current = path.join(current, part);
    // Where saferun was started from is the user's own ground, however they reached it.
    if (isInside(context.cwd, current)) continue;
    const stat = lstatSync(current, { throwIfNoEntry: false });
    if (!stat) break; // the rest does not exist yet: mkdir creates real directories
    if (stat.isSymbolicLink()) {
      let target = '?';
      try {
        target = readlinkSync(current);
      } catch {
        // vanished meanwhile
      }
      let real: string | undefined;
      try {
        real = realpathSync(current);
      } catch {
        real = undefined;
      }
      refuse(
        `${current} is a symbolic link (to ${target}), and the output must be the very directory you name`,
        real ? `if ${real} is really meant, name it directly; otherwise ${SUGGESTION}` : SUGGESTION,
      );
    }
    if (!stat.isDirectory()) refuse(`${current} is not a directory`);
  }
  const problem = outputLocationProblem(absolute, context);
  if (problem) refuse(problem);
  return absolute;
}

/** PATH's directories, absolute ones only. */
export function pathDirectories(pathVariable: string | undefined): string[] {
  return (pathVariable ?? '').split(path.delimiter).filter((dir) => path.isAbsolute(dir)).map((dir) => path.resolve(dir));
}

/** The context for a run started in `cwd` with the working dir `workdir` (real path). */
export function outputPathContext(cwd: string, workdir: string): OutputPathContext {
  return {
    cwd,
    workdir,
    home: os.homedir(),
    pathDirs: pathDirectories(process.env['PATH']),
    saferunDirs: [defaultStoreDir(), defaultCacheDir(), packageRoot()],
  };
}
