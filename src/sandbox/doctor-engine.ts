/**
 * `saferun doctor`'s engine checks: which engine answers (Docker or Podman, rootless or not), the
 * runtimes it lists, and whether gVisor really starts a container (registered is not enough: a
 * wrong platform or a network namespace makes runsc fail or hang on some hosts).
 */
import os from 'node:os';
import type Docker from 'dockerode';
import type { ContainerCreateOptions } from 'dockerode';
import { adaptForPodman } from './podman.js';
import type { Check } from './doctor-checks.js';
import { isGvisor } from './runtime-choice.js';
import { LABEL_OWNER_PID, LABEL_RUN } from './host-config.js';

export type { EngineKind } from './engine-api.js';
import type { EngineKind } from './engine-api.js';

/** Doctor's test containers get what saferun's own runs get on this engine kind. */
export function forEngine(kind: EngineKind, options: ContainerCreateOptions): ContainerCreateOptions {
  return kind === 'podman' ? adaptForPodman(options) : options;
}

export interface EngineIdentity {
  kind: EngineKind;
  version: string;
  apiVersion: string;
}

/** Podman's compat API names itself in the version's components ("Podman Engine"). */
export function engineIdentity(version: { Version?: string; ApiVersion?: string; Components?: { Name?: string; Version?: string }[] }): EngineIdentity {
  const podman = (version.Components ?? []).find((c) => /podman/i.test(c.Name ?? ''));
  return podman
    ? { kind: 'podman', version: podman.Version ?? version.Version ?? '?', apiVersion: version.ApiVersion ?? '?' }
    : { kind: 'docker', version: version.Version ?? '?', apiVersion: version.ApiVersion ?? '?' };
}

export function engineCheck(identity: EngineIdentity): Check {
  const name = identity.kind === 'podman' ? 'Podman' : 'Docker';
  return { name: 'engine', status: 'ok', detail: `${name} ${identity.version} (API ${identity.apiVersion}) reachable` };
}

export function rootlessCheck(identity: EngineIdentity, securityOptions: string[]): Check {
  const rootless = securityOptions.some((s) => s.includes('rootless'));
  if (rootless) return { name: 'rootless', status: 'ok', detail: `the engine runs rootless: a container escape lands as an unprivileged user` };
  const fix = identity.kind === 'podman' ? 'run `podman system service` as an ordinary user and point DOCKER_HOST at its socket' : 'consider rootless Docker or rootless Podman for extra isolation';
  return { name: 'rootless', status: 'warn', detail: 'the engine runs as root: a container escape would be root on this host', fix };
}

export function runtimesCheck(runtimes: Record<string, string>, defaultRuntime: string): Check {
  const names = Object.keys(runtimes);
  const gvisor = names.find((name) => isGvisor(name, runtimes[name]));
  return {
    name: 'runtimes',
    status: 'ok',
    detail: `available: ${names.join(', ') || 'runc'} (default ${defaultRuntime || 'runc'})${gvisor ? `; gVisor as '${gvisor}'` : '; no gVisor (runsc): strict uses runc'}`,
    ...(gvisor ? {} : { fix: 'install gVisor for a stronger boundary: README, "gVisor (runsc)"' }),
  };
}

/** Starts a tiny container under gVisor, with no network, and reads gVisor's kernel back from it. */
export async function gvisorStartCheck(engine: Docker, image: string | undefined, runtimes: Record<string, string>, kind: EngineKind): Promise<Check | undefined> {
  const gvisor = Object.keys(runtimes).find((name) => isGvisor(name, runtimes[name]));
  if (!gvisor) return undefined;
  if (kind === 'podman') {
    return { name: 'gvisor', status: 'warn', detail: `${gvisor} is listed, but Podman's Docker-compatible API runs every container with the default runtime`, fix: 'set runtime = "runsc" under [engine] in containers.conf to run everything under gVisor' };
  }
  if (!image) return { name: 'gvisor', status: 'warn', detail: `${gvisor} listed; not verified (no image yet)`, fix: '`saferun image build`, then run doctor again' };
  const started = Date.now();
  let container: Docker.Container | undefined;
  try {
    container = await engine.createContainer(
      forEngine(kind, {
        Image: image,
        Cmd: ['python3', '-c', 'import os; print(os.uname().release)'],
        User: '65534:65534',
        Labels: { [LABEL_RUN]: `doctor-${process.pid}`, [LABEL_OWNER_PID]: String(process.pid) },
        HostConfig: { Runtime: gvisor, NetworkMode: 'none', CapDrop: ['ALL'], ReadonlyRootfs: true, Memory: 256 * 1024 * 1024, PidsLimit: 128, Ulimits: [{ Name: 'nofile', Soft: 1024, Hard: 1024 }] },
      }),
    );
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no exit within 30 s (a hanging platform such as kvm?)')), 30_000).unref());
    await Promise.race([container.start(), timeout]);
    const { StatusCode } = (await Promise.race([container.wait(), timeout])) as { StatusCode: number };
    const logs = String(await container.logs({ stdout: true, stderr: true })).replace(/[\x00-\x08]/g, '').trim();
    if (StatusCode !== 0) throw new Error(`exit ${StatusCode}: ${logs.slice(-200)}`);
    const kernel = logs.split('\n').pop() ?? '';
    // gVisor answers with its own kernel release; the host's means the runtime was not used.
    if (kernel === os.release() && isLocalEngine()) throw new Error(`the container saw the host's kernel ${kernel}: it did not run under gVisor`);
    return { name: 'gvisor', status: 'ok', detail: `${gvisor} starts a container in ${Date.now() - started} ms (kernel ${kernel}, network none only)` };
  } catch (error) {
    const why = (error as Error).message.split('\n')[0];
    return {
      name: 'gvisor',
      status: 'fail',
      detail: `${gvisor} is listed but does not start a container: ${why}`,
      fix: `register it with runtimeArgs ["--network=none", "--platform=ptrace", "--host-uds=open"] (README, "gVisor (runsc)"), or remove it`,
    };
  } finally {
    if (container) {
      const id = container.id;
      await container.remove({ force: true }).catch(() => undefined);
      const { removeRuntimeLeftovers } = await import('./runtime-leftovers.js');
      await removeRuntimeLeftovers(id).catch(() => undefined);
    }
  }
}

function isLocalEngine(): boolean {
  const host = process.env['DOCKER_HOST'];
  return !host || host.startsWith('unix://');
}
