/**
 * The engine going away mid-run (dockerd restarted or stopped): the program dies with it (no
 * live-restore), the connection saferun waits on breaks, and the container is left "exited".
 * saferun says what happened and removes what it created once the engine answers again.
 */
import type { EngineApi } from './engine-api.js';

const CONNECTION_LOST = new Set(['ECONNRESET', 'ECONNREFUSED', 'ENOENT', 'EPIPE', 'ECONNABORTED']);

/** Whether an error means the engine's socket went away, rather than the engine refusing something. */
export function isEngineGone(error: unknown): boolean {
  const e = error as { code?: string; message?: string } | undefined;
  return CONNECTION_LOST.has(e?.code ?? '') || /socket hang up/.test(e?.message ?? '');
}

export const ENGINE_BACK_WAIT_MS = 30_000;

/**
 * Removes the container (and network) — at once when the engine answers, else as soon as it is
 * back, for at most `waitMs`. Returns whether everything was removed.
 */
export async function removeWhenEngineAnswers(engine: EngineApi, containerId: string | undefined, networkId: string | undefined, waitMs: number): Promise<boolean> {
  const until = Date.now() + waitMs;
  for (;;) {
    try {
      if (containerId) await engine.remove(containerId);
      if (networkId) await engine.removeNetwork(networkId);
      return true;
    } catch (error) {
      if (!isEngineGone(error) || Date.now() >= until) return false;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

/** Whether the engine stops answering within `ms` (polled): a signal exit that came from it stopping. */
export async function engineStopping(engine: EngineApi, ms = 2000): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      await engine.ping();
    } catch (error) {
      if (isEngineGone(error)) return true;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return false;
}
