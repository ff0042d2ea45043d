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
import type { RunTarget } from './request.js';

export interface ResolvedTarget {
  /** argv inside the container. */
  command: string[];
  /** Extra read-only mounts (the script's directory when it is outside the working dir). */
  mounts: BindMount[];
  /** Host files to scan before running, and code given inline. */
  scanFiles: string[];
  inlineCode?: string;
  /** What the report shows as the command. */
  display: string;
}

function toPosix(relative: string): string {
  return relative.split(path.sep).join('/');
}

export function resolveTarget(target: RunTarget, args: string[], workdir: string, workdirMounted: boolean): ResolvedTarget {
  switch (target.kind) {
    case 'code':
      return { command: ['python3', '-c', target.code, ...args], mounts: [], scanFiles: [], inlineCode: target.code, display: ['python3', '-c', target.code, ...args].join(' ') };
    case 'module': {
      const scanFiles = moduleFiles(target.name, workdir);
      return { command: ['python3', '-m', target.name, ...args], mounts: [], scanFiles, display: ['python3', '-m', target.name, ...args].join(' ') };
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
        return { command: ['python3', toPosix(path.relative(workdir, hostPath)), ...args], mounts: [], scanFiles: [real], display };
      }
      const dir = path.dirname(real);
      assertReadableBySandbox(dir, real);
      return {
        command: ['python3', `${CONTAINER_SCRIPT_DIR}/${path.basename(real)}`, ...args],
        mounts: [{ hostPath: dir, containerPath: CONTAINER_SCRIPT_DIR, readOnly: true }],
        scanFiles: [real],
        display,
      };
    }
  }
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
