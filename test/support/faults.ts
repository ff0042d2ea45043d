/** Helpers for fault tests: a small tmpfs the test mounts itself, and host processes by command line. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Mounts a tmpfs (e.g. 'size=1m' or 'size=1m,ro'), runs fn on it, always unmounts and removes it. Needs root. */
export async function withTmpfs<T>(options: string, fn: (mountPoint: string) => Promise<T>): Promise<T> {
  const mountPoint = mkdtempSync(path.join(os.tmpdir(), 'saferun-tmpfs-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `${options},mode=0777`, 'saferun-test', mountPoint]);
  try {
    return await fn(mountPoint);
  } finally {
    execFileSync('umount', ['-l', mountPoint]);
    rmSync(mountPoint, { recursive: true, force: true });
  }
}

/** Host processes whose command line contains text (for "nothing left running" checks). */
export function hostProcessesMatching(text: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    if (Number(pid) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      if (cmdline.includes(text)) found.push(`${pid} ${cmdline.slice(0, 120)}`);
    } catch {
      // gone
    }
  }
  return found;
}
