/**
 * The per-run directory that holds the proxy socket and the forwarder script, mounted read-only
 * into the sandbox. Its name carries saferun's pid, so the directories of a saferun that died
 * (SIGKILL) are removed at the next start, as the reaper does for containers.
 */
import { chownSync, lstatSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FORWARDER_NAME, FORWARDER_SOURCE, PROXY_SOCKET_NAME } from './forwarder-script.js';
import { isProcessAlive } from '../util/process-alive.js';

const PREFIX = 'saferun-net-';
/** sun_path holds 108 bytes; keep room for the socket's own name. */
const MAX_DIR_LENGTH = 90;

export interface RunDir {
  path: string;
  socketPath: string;
  remove(): void;
}

function baseDir(): string {
  const tmp = os.tmpdir();
  return tmp.length + PREFIX.length + 40 <= MAX_DIR_LENGTH ? tmp : '/tmp';
}


/**
 * Makes the directory (mode 0700, owned by the sandbox's user) with the forwarder in it.
 * `sandboxUid` differs from ours only when saferun runs as root (the sandbox then runs as nobody).
 */
export function createRunDir(runId: string, sandboxUid: number, sandboxGid: number): RunDir {
  const dir = path.join(baseDir(), `${PREFIX}${process.pid}-${runId}`);
  mkdirSync(dir, { mode: 0o700 });
  const remove = (): void => rmSync(dir, { recursive: true, force: true });
  try {
    writeFileSync(path.join(dir, FORWARDER_NAME), FORWARDER_SOURCE, { mode: 0o444 });
    // The sandbox's user must reach the socket; nobody else on the host needs to.
    if (process.getuid?.() === 0 && sandboxUid !== 0) chownSync(dir, sandboxUid, sandboxGid);
  } catch (error) {
    remove();
    throw error;
  }
  return { path: dir, socketPath: path.join(dir, PROXY_SOCKET_NAME), remove };
}

/** Removes run directories whose saferun is gone. Returns how many. */
export function reapRunDirs(): number {
  const base = baseDir();
  let entries: string[];
  try {
    entries = readdirSync(base);
  } catch {
    return 0;
  }
  const myUid = process.getuid?.();
  let removed = 0;
  for (const entry of entries) {
    const match = /^saferun-net-(\d+)-[0-9a-f]+$/.exec(entry);
    if (!match || isProcessAlive(Number(match[1]))) continue;
    const dir = path.join(base, entry);
    try {
      const stat = lstatSync(dir);
      // Only real directories this user (or, as root, anyone's saferun) made.
      if (!stat.isDirectory() || (myUid !== 0 && stat.uid !== myUid)) continue;
      rmSync(dir, { recursive: true, force: true });
      removed++;
    } catch {
      // gone meanwhile, or not ours
    }
  }
  return removed;
}
