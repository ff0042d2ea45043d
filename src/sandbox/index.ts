/**
 * What the rest of saferun may use of the sandbox. Only src/sandbox/ talks to Docker.
 * The run path uses the light EngineApi; dockerode (image builds) loads only when needed.
 */
import path from 'node:path';
import { SaferunError } from '../errors.js';
import { EngineApi, EngineApiError } from './engine-api.js';
import { CONTAINER_OUTPUT, CONTAINER_WORKDIR } from './host-config.js';

export { EngineApi } from './engine-api.js';
export { buildCreateOptions, describeSandbox, sandboxUser, CONTAINER_WORKDIR, type SandboxSpec } from './host-config.js';
export { runSandbox, type SandboxOutcome, type SandboxEvent, type ExitReason } from './run-container.js';
export { reapOrphans } from './reaper.js';

export function connectRunEngine(): EngineApi {
  try {
    return new EngineApi();
  } catch (error) {
    throw new SaferunError(error instanceof Error ? error.message : String(error), { cause: error });
  }
}

/** Pings the engine; a clear error (with the fix) when it is not reachable. */
export async function requireRunEngine(engine: EngineApi): Promise<void> {
  try {
    await engine.ping();
  } catch (cause) {
    const why = cause instanceof EngineApiError ? cause.message : ((cause as NodeJS.ErrnoException).code ?? String(cause));
    throw new SaferunError(
      `no Docker engine is reachable (${why}): start one (e.g. \`sudo systemctl start docker\` or \`sudo dockerd &\`) and check with \`saferun doctor\``,
      { cause },
    );
  }
}

/** The image saferun runs in by default (a pure function of the recipe). */
export async function defaultImageName(): Promise<string> {
  // image-recipe is pure and cheap; image.js (the builder) pulls in execa and tar-fs.
  return (await import('./image-recipe.js')).sandboxImageName();
}

/** Builds the default image (first use); progress lines go to onProgress. */
export async function buildDefaultImage(onProgress: (line: string) => void): Promise<void> {
  const [{ connectEngine }, { ensureImage }] = await Promise.all([import('./engine.js'), import('./image.js')]);
  await ensureImage(connectEngine(), { onProgress });
}

/** The output dir appears where the script expects it when it is inside the working dir, else at /output. */
export function outputMountPath(workdir: string, outputHostPath: string, workdirMounted: boolean): string {
  const relative = path.relative(workdir, outputHostPath);
  if (workdirMounted && relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative)) {
    return `${CONTAINER_WORKDIR}/${relative.split(path.sep).join('/')}`;
  }
  return CONTAINER_OUTPUT;
}
