/**
 * Stage 5: the container. The Docker side loads while the checks run; the spec is built from the
 * decided profile; the snapshot is taken while the container is created, and the program starts
 * only once it is done.
 */
import type { Profile, ResourceLimits } from '../../config/profile.js';
import { CONTAINER_HOME, type SandboxNetwork, type SandboxSpec } from '../../sandbox/host-config.js';
import type { RunRequest } from '../request.js';
import type { ResolvedTarget } from '../target.js';
import type { PlantedDecoys } from './decoys.js';

/** Where an installed package environment appears in the sandbox. */
export const PACKAGES_DIR = '/saferun/env';

export type SandboxModule = typeof import('../../sandbox/index.js');
export type RunEngine = InstanceType<SandboxModule['EngineApi']>;

export interface PreparedSandbox {
  sandbox: SandboxModule;
  engine: RunEngine;
}

/** Loads the sandbox code, checks the engine and reaps what a dead saferun left behind (containers, proxy directories). */
export async function prepareSandbox(): Promise<PreparedSandbox> {
  const sandbox = await import('../../sandbox/index.js');
  const engine = sandbox.connectRunEngine();
  await sandbox.requireRunEngine(engine);
  await Promise.all([
    sandbox.reapOrphans(engine),
    import('../../network/run-dir.js').then(({ reapRunDirs }) => reapRunDirs()),
    // Loaded now, while the checks run, so that starting the proxy later costs only the listen.
    import('../../network/egress-proxy.js'),
  ]);
  return { sandbox, engine };
}

export interface SpecInput {
  runId: string;
  request: RunRequest;
  profile: Profile;
  limits: ResourceLimits;
  sandboxNetwork: SandboxNetwork;
  target: ResolvedTarget;
  workdir: string;
  user: string;
  outputHostPath: string;
  image: string;
  sandbox: SandboxModule;
  packagesEnv?: string;
  decoys?: PlantedDecoys | undefined;
}

export function buildSpec(input: SpecInput): SandboxSpec {
  const { request, profile, target, sandbox, decoys } = input;
  const mounts = [...target.mounts, ...(decoys?.mounts ?? [])];
  // Compiled files are looked up under PYTHONPYCACHEPREFIX (empty), never in the mounted trees'
  // __pycache__: a planted .pyc would run in place of the source that was scanned.
  const env: Record<string, string> = { HOME: CONTAINER_HOME, LANG: 'C.UTF-8', PYTHONDONTWRITEBYTECODE: '1', PYTHONPYCACHEPREFIX: '/tmp/.pycache', PYTHONUNBUFFERED: '1' };
  if (input.outputHostPath) {
    const inside = sandbox.outputMountPath(input.workdir, input.outputHostPath, profile.workdir !== 'none');
    mounts.push({ hostPath: input.outputHostPath, containerPath: inside, readOnly: false });
    env['SAFERUN_OUTPUT'] = inside;
  }
  if (input.packagesEnv) {
    // pip --target layout: modules at the top, console scripts in bin/
    mounts.push({ hostPath: input.packagesEnv, containerPath: PACKAGES_DIR, readOnly: true });
    env['PYTHONPATH'] = PACKAGES_DIR;
    env['PATH'] = `${PACKAGES_DIR}/bin:/usr/local/bin:/usr/bin:/bin`;
  }
  Object.assign(env, request.env);
  // What the output budget watches: every host dir the program can write.
  const writableRoots = [...(input.outputHostPath ? [input.outputHostPath] : []), ...(profile.workdir === 'read-write' ? [input.workdir] : [])];
  const tty = process.stdin.isTTY === true && process.stdout.isTTY === true && !request.json;
  return {
    runId: input.runId,
    ownerPid: process.pid,
    image: input.image,
    command: target.command,
    user: input.user,
    workdir: { hostPath: input.workdir, access: profile.workdir },
    containerCwd: sandbox.CONTAINER_WORKDIR,
    mounts,
    env,
    limits: input.limits,
    network: input.sandboxNetwork,
    tty,
    ...(writableRoots.length > 0 ? { outputBudget: { roots: writableRoots, bytes: input.limits.outputBytes } } : {}),
    ...(profile.monitor.enabled ? { monitor: { cutNetwork: profile.monitor.cutNetwork } } : {}),
    ...(decoys ? { decoys: decoys.decoys, writableDirs: decoys.writableDirs } : {}),
  };
}
