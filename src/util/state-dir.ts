import os from 'node:os';
import path from 'node:path';

/** saferun's state directory: $SAFERUN_STATE_DIR, else $XDG_STATE_HOME/saferun (~/.local/state/saferun). */
export function stateDir(): string {
  if (process.env['SAFERUN_STATE_DIR']) return process.env['SAFERUN_STATE_DIR'];
  const state = process.env['XDG_STATE_HOME'] || path.join(os.homedir(), '.local', 'state');
  return path.join(state, 'saferun');
}
