/**
 * Integration tests talk to a real engine. They never skip: with no engine reachable they fail
 * with a message saying how to start one (under CI=true and elsewhere alike).
 */
import Docker from 'dockerode';

let checked: Promise<void> | undefined;

export function assertEngineReachable(): Promise<void> {
  checked ??= new Docker().ping().then(
    () => undefined,
    (error: unknown) => {
      const hint = process.env['CI'] === 'true' ? ' (CI=true: Docker tests must not be skipped)' : '';
      throw new Error(`Docker engine not reachable${hint}: start dockerd, or run .ci/run. ${String(error)}`);
    },
  );
  return checked;
}
