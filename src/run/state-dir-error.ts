/**
 * A snapshot that could not be written because of the state directory's file system (full,
 * read-only, missing) becomes one clear message naming the directory and the way out, instead of
 * a raw errno from deep inside the store. The run does not start without its snapshot.
 */
import { accessSync, constants, existsSync } from 'node:fs';
import path from 'node:path';
import { SaferunError } from '../errors.js';

const FILE_SYSTEM_PROBLEMS: Record<string, string> = {
  ENOSPC: 'its file system is full',
  EDQUOT: 'its disk quota is used up',
  EROFS: 'its file system is read-only',
  EACCES: 'it is not writable by you',
  EPERM: 'it is not writable by you',
};

export function stateDirError(error: unknown, stateDir: string): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  const codeInMessage = Object.keys(FILE_SYSTEM_PROBLEMS).find((known) => message.includes(known));
  const problem = FILE_SYSTEM_PROBLEMS[code ?? ''] ?? (codeInMessage ? FILE_SYSTEM_PROBLEMS[codeInMessage] : undefined);
  // mkdir -p on a read-only file system can answer ENOENT: ask the nearest existing directory.
  const probed = problem || !(code === 'ENOENT' && /mkdir/.test(message)) ? undefined : writeProblem(stateDir);
  const shown = problem ? (codeInMessage ?? code) : probed;
  if (!shown) return error;
  return new SaferunError(
    `cannot take the snapshot in ${stateDir}: ${FILE_SYSTEM_PROBLEMS[shown] ?? 'it cannot be created'} (${shown}). Nothing was run. Free space there, point SAFERUN_STATE_DIR elsewhere, or run with --no-snapshot`,
    { cause: error },
  );
}

function writeProblem(dir: string): string | undefined {
  let at = dir;
  while (!existsSync(at) && path.dirname(at) !== at) at = path.dirname(at);
  try {
    accessSync(at, constants.W_OK);
    return undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code;
  }
}
