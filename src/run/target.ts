/**
 * Where the program is on the host and where it will be in the container. The working directory
 * is mounted at /workspace, so relative paths the script uses keep working.
 */
import { realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { SaferunError } from '../errors.js';
import { CONTAINER_SCRIPT_DIR, CONTAINER_WORKDIR, type BindMount } from '../sandbox/host-config.js';
import { describeFsError } from '../util/fs-errors.js';
import { isInside } from '../util/paths.js';
import { mayReachBeyond } from './import-reach.js';
import type { RunTarget } from './request.js';

export interface ResolvedTarget {
  /** argv inside the container. */
  command: string[];
  /** Extra read-only mounts (the script file alone when it is outside the working dir). */
  mounts: BindMount[];
  /** Host files to scan before running, and code given inline. */
  scanFiles: string[];
  /** What the program can import besides the entry: the directory trees to scan as well. */
  scanRoots: string[];
  inlineCode?: string;
  /** What the report shows as the command. */
  display: string;
}

function toPosix(relative: string): string {
  return relative.split(path.sep).join('/');
}

export function resolveTarget(target: RunTarget, args: string[], workdir: string, workdirMounted: boolean): ResolvedTarget {
  // For -m and -c the working dir is sys.path[0]: everything under it can be imported.
  const workdirRoots = workdirMounted ? [workdir] : [];
  switch (target.kind) {
    case 'code':
      return { command: ['python3', '-c', target.code, ...args], mounts: [], scanFiles: [], scanRoots: workdirRoots, inlineCode: target.code, display: ['python3', '-c', target.code, ...args].join(' ') };
    case 'module': {
      const scanFiles = moduleFiles(target.name, workdir);
      return { command: ['python3', '-m', target.name, ...args], mounts: [], scanFiles, scanRoots: workdirRoots, display: ['python3', '-m', target.name, ...args].join(' ') };
    }
    case 'script': {
      const hostPath = path.resolve(workdir, target.path);
      let real: string;
      try {
        real = realpathSync(hostPath);
        if (!statSync(real).isFile()) throw new SaferunError(`${target.path}: not a file`);
      } catch (error) {
        if (error instanceof SaferunError) throw error;
        throw new SaferunError(`${target.path}: cannot open the script (${describeFsError(error)})`);
      }
      const display = ['python3', target.path, ...args].join(' ');
      if (workdirMounted && isInside(hostPath, workdir) && isInside(real, realpathSync(workdir))) {
        assertReadableBySandbox(workdir, real);
        // python3 puts the script's directory on sys.path; the rest of the working dir counts when the program can reach it
        const scriptDir = path.dirname(real);
        const scanRoots = scriptDir === realpathSync(workdir) || mayReachBeyond(scriptDir) ? workdirRoots : [scriptDir];
        return { command: ['python3', scriptArgument(toPosix(path.relative(workdir, hostPath))), ...args], mounts: [], scanFiles: [real], scanRoots, display };
      }
      // Outside the working dir only the file itself is mounted: its neighbours stay out of reach.
      assertReadableBySandbox(real, real);
      const inside = `${CONTAINER_SCRIPT_DIR}/${mountableName(path.basename(real))}`;
      return {
        command: ['python3', inside, ...args],
        mounts: [{ hostPath: real, containerPath: inside, readOnly: true }],
        scanFiles: [real],
        scanRoots: workdirRoots,
        display,
      };
    }
  }
}

/**
 * A relative script path as python3's argument: a name starting with '-' (`-cprint(1)#.py`) would be
 * read as an option, so it keeps a `./` in front.
 */
export function scriptArgument(relative: string): string {
  return relative.startsWith('-') ? `./${relative}` : relative;
}

/** ':' and ',' separate the fields of a bind; such a name is mounted as script.py. */
function mountableName(name: string): string {
  return /^[^:,]+$/.test(name) ? name : 'script.py';
}

/**
 * Started as root, saferun runs the program as nobody (65534), which reads the mounted tree as
 * "other": say so up front instead of letting python fail with EACCES.
 */
function assertReadableBySandbox(mountRoot: string, script: string): void {
  if (process.getuid?.() !== 0) return;
  const problems: string[] = [];
  const dirs: string[] = [];
  for (let dir = path.dirname(script); isInside(dir, mountRoot); dir = path.dirname(dir)) {
    dirs.push(dir);
    if (dir === mountRoot || dir === path.dirname(dir)) break;
  }
  for (const dir of dirs) if ((statSync(dir).mode & 0o005) !== 0o005) problems.push(`${dir} (mode ${(statSync(dir).mode & 0o777).toString(8)})`);
  if ((statSync(script).mode & 0o004) === 0) problems.push(`${script} (mode ${(statSync(script).mode & 0o777).toString(8)})`);
  if (problems.length > 0) {
    throw new SaferunError(
      `started as root, saferun runs the program as nobody (65534), who cannot read ${problems.join(', ')}; make them readable by others (chmod o+rX) or run saferun as a normal user`,
    );
  }
}

/** A module run with -m from the working dir: scan its file when it is local (not the stdlib). */
function moduleFiles(name: string, workdir: string): string[] {
  const base = path.join(workdir, ...name.split('.'));
  for (const candidate of [`${base}.py`, path.join(base, '__main__.py'), path.join(base, '__init__.py')]) {
    try {
      if (statSync(candidate).isFile()) return [candidate];
    } catch {
      // not local
    }
  }
  return [];
}

export { CONTAINER_WORKDIR };
