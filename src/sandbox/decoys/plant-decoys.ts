/**
 * Plants the run's decoy credentials: files in a private host directory, bind-mounted read-only
 * into the sandbox's home, so that the program sees ~/.ssh/id_rsa and friends and saferun, on the
 * host, sees every open of them (inotify watches the inode, whichever mount the read comes
 * through). The directory is removed on every exit path; one left by a saferun that was killed is
 * removed by the next run (reapDecoyDirs).
 */
import { chmodSync, chownSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BindMount } from '../host-config.js';
import { decoyContents, type RandomBytes } from './decoy-contents.js';
import { isProcessAlive } from '../../util/process-alive.js';

export interface Decoy {
  name: string;
  containerPath: string;
  hostPath: string;
}

export interface PlantedDecoys {
  /** Read-only binds to add to the sandbox. */
  mounts: BindMount[];
  /** Every canary value of this run (for the egress proxy: one seen in traffic cuts the network). */
  canaries: string[];
  decoys: Decoy[];
  /** Directories under the home that need a writable tmpfs so the program can still write beside the decoys. */
  writableDirs: string[];
  /** Removes everything planted; safe to call more than once. */
  remove(): void;
}

const DIR_PREFIX = 'saferun-decoys-';

/** Where a run's decoys live: a directory naming its owner pid, so a later run can reap it. */
export function decoyRunDir(parent: string, runId: string, ownerPid = process.pid): string {
  return path.join(parent, `${DIR_PREFIX}${ownerPid}-${runId}`);
}

/** Where decoy directories may go: the temp dir, else saferun's state dir (SAFERUN_STATE_DIR, XDG_STATE_HOME). */
export function decoyParentCandidates(): string[] {
  const state = process.env['SAFERUN_STATE_DIR'] || path.join(process.env['XDG_STATE_HOME'] || path.join(os.homedir(), '.local', 'state'), 'saferun');
  return [os.tmpdir(), path.join(state, 'decoys')];
}

/** The first candidate parent that no mount of the sandbox contains (the program must not see the host copies). */
export function decoyParentDir(visibleToSandbox: readonly string[], candidates: readonly string[] = decoyParentCandidates()): string | undefined {
  const inside = (child: string, parent: string): boolean => {
    const relative = path.relative(parent, child);
    return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
  };
  return candidates.find((candidate) => !visibleToSandbox.some((mounted) => inside(candidate, mounted)));
}

/**
 * Writes the decoys into `runDir` (created, 0700) for the sandbox's `home`, owned by the sandbox
 * user when saferun is root (a 0600 key the program could not read would give the game away).
 */
export function plantDecoys(runDir: string, options: { home: string; owner?: { uid: number; gid: number }; random?: RandomBytes }): PlantedDecoys {
  mkdirSync(path.dirname(runDir), { recursive: true, mode: 0o700 });
  mkdirSync(runDir, { mode: 0o700 });
  const remove = (): void => rmSync(runDir, { recursive: true, force: true });
  try {
    const decoys: Decoy[] = [];
    const canaries: string[] = [];
    for (const content of decoyContents(options.random)) {
      const hostPath = path.join(runDir, content.name);
      writeFileSync(hostPath, content.text, { mode: 0o600 });
      chmodSync(hostPath, 0o600);
      if (options.owner && process.getuid?.() === 0) chownSync(hostPath, options.owner.uid, options.owner.gid);
      decoys.push({ name: content.name, containerPath: path.posix.join(options.home, content.homePath), hostPath });
      canaries.push(...content.canaries);
    }
    // Docker creates the directories of a bind's mount point owned by root: ~/.config must stay writable
    const config = `${options.home}/.config`;
    const writableDirs = decoys.some((d) => d.containerPath.startsWith(`${config}/`)) ? [config] : [];
    return { mounts: decoys.map((d) => ({ hostPath: d.hostPath, containerPath: d.containerPath, readOnly: true })), canaries, decoys, writableDirs, remove };
  } catch (error) {
    remove();
    throw error;
  }
}


/** Removes decoy directories whose saferun no longer runs; returns how many. */
export function reapDecoyDirs(parents: readonly string[] = decoyParentCandidates()): number {
  return parents.reduce((sum, parent) => sum + reapUnder(parent), 0);
}

function reapUnder(parent: string): number {
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return 0;
  }
  let reaped = 0;
  for (const name of names) {
    const owner = /^saferun-decoys-(\d+)-[0-9a-f]+$/.exec(name);
    if (!owner || isProcessAlive(Number(owner[1]))) continue;
    rmSync(path.join(parent, name), { recursive: true, force: true });
    reaped++;
  }
  return reaped;
}
