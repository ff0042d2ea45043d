/** Runs the built CLI as a user would, in a subprocess. */
import { execa, type ResultPromise } from 'execa';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../../src/util/package-info.js';

export const BIN = path.join(packageRoot(), 'dist', 'src', 'bin.js');

export interface SaferunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Snapshots and scan caches of tested runs go to a temp dir, never the user's own. */
let stateDir: string | undefined;
function testStateDir(): string {
  if (!stateDir) {
    stateDir = mkdtempSync(path.join(os.tmpdir(), 'saferun-test-state-'));
    const dir = stateDir;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return stateDir;
}

/** Pids of the saferun processes this test file started: its containers carry them as saferun.owner-pid. */
export const startedPids = new Set<number>();

export function startSaferun(args: string[], options: { cwd: string; input?: string; env?: Record<string, string> }): ResultPromise<{ reject: false }> {
  const child = execa(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    reject: false,
    stripFinalNewline: false,
    env: { SAFERUN_STATE_DIR: testStateDir(), SAFERUN_CACHE_DIR: path.join(testStateDir(), 'cache'), ...options.env, NO_COLOR: '1' },
    ...(options.input === undefined ? { stdin: 'ignore' as const } : { input: options.input }),
    timeout: 120_000,
  }) as ResultPromise<{ reject: false }>;
  if (child.pid !== undefined) startedPids.add(child.pid);
  return child;
}

export async function saferun(args: string[], options: { cwd: string; input?: string; env?: Record<string, string> }): Promise<SaferunResult> {
  const result = await startSaferun(args, options);
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/** A fresh working dir, readable by the sandbox user (nobody when the tests run as root). */
export function tempWorkdir(prefix = 'saferun-it-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  chmodSync(dir, 0o755);
  return dir;
}
