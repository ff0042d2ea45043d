/**
 * Which OCI runtime a run uses (runc, gVisor's runsc, or any runtime the engine lists), and why.
 * Pure: the engine's runtime list comes in as data, so every rule is a table-driven test.
 */
import type { NetworkMode } from '../config/profile.js';
import { UsageError } from '../errors.js';

/** The profile value that means "gVisor when the engine has it, else the engine's default". */
export const PREFER_GVISOR = 'auto';

export interface EngineRuntimes {
  /** name → the runtime's binary path as the engine reports it (may be empty). */
  runtimes: Record<string, string>;
  defaultRuntime: string;
  /**
   * false when the engine runs every container with its default runtime whatever the request says
   * (Podman 4's Docker-compatible API ignores HostConfig.Runtime: measured with 4.3.1).
   */
  perContainer?: boolean;
}

const PODMAN_HINT = "Podman's Docker-compatible API runs every container with its default runtime; to use gVisor with Podman, set runtime = \"runsc\" under [engine] in containers.conf";

export interface RuntimeChoice {
  runtime: string;
  /** gVisor: the program runs on gVisor's user-space kernel; the host cannot see its processes. */
  gvisor: boolean;
  why: string;
}

export interface RuntimeWish {
  /** --runtime NAME */
  flag?: string | undefined;
  /** the profile's `runtime` key */
  profileKey?: string | undefined;
  profileName: string;
  network: NetworkMode;
}

/** A runtime is gVisor when it is named runsc or its binary is runsc (it may be registered as "gvisor"). */
export function isGvisor(name: string, path = ''): boolean {
  return name === 'runsc' || /(^|\/)runsc$/.test(path);
}

function gvisorName(engine: EngineRuntimes): string | undefined {
  return Object.entries(engine.runtimes).find(([name, path]) => isGvisor(name, path))?.[0];
}

/**
 * Under gVisor the engine registers runsc with --network=none (a network namespace makes it fail to
 * start on hosts like ours): the sandbox has a loopback interface and nothing else. Modes that
 * reach out through the egress proxy's bind-mounted Unix socket work (runsc has --host-uds=open);
 * 'open', Docker's bridge, cannot. A profile that asks for it hears so; it never silently gets
 * runc instead.
 */
export function gvisorNetworkProblem(network: NetworkMode): string | undefined {
  if (network !== 'open') return undefined;
  return `under gVisor (runsc) network 'open' cannot work on this engine (runsc runs with --network=none: no interface but loopback; none, restricted and allowlist work)`;
}

export function chooseRuntime(wish: RuntimeWish, engine: EngineRuntimes): RuntimeChoice {
  const listed = Object.keys(engine.runtimes);
  const fallback = engine.defaultRuntime || 'runc';
  const wanted = wish.flag ?? wish.profileKey;
  const from = wish.flag !== undefined ? '--runtime' : `profile ${wish.profileName}`;
  if (wanted === undefined) {
    return { runtime: fallback, gvisor: isGvisor(fallback, engine.runtimes[fallback]), why: "the engine's default runtime" };
  }
  const fixed = engine.perContainer === false;
  if (wanted === PREFER_GVISOR) {
    if (fixed && !isGvisor(fallback, engine.runtimes[fallback])) {
      return { runtime: fallback, gvisor: false, why: `${from} prefers gVisor, but ${PODMAN_HINT}; using ${fallback}` };
    }
    const gvisor = fixed ? fallback : gvisorName(engine);
    if (gvisor === undefined) {
      return { runtime: fallback, gvisor: false, why: `${from} prefers gVisor (runsc), but the engine does not list it (see \`saferun doctor\`); using ${fallback}` };
    }
    const problem = gvisorNetworkProblem(wish.network);
    if (problem) return { runtime: fallback, gvisor: false, why: `${from} prefers gVisor, but ${problem}; using ${fallback}, which shares the host kernel` };
    return { runtime: gvisor, gvisor: true, why: `${from} prefers gVisor (runsc) and the engine has it` };
  }
  if (fixed && wanted !== fallback) throw new UsageError(`${from}: runtime '${wanted}' cannot be chosen here: ${PODMAN_HINT} (now ${fallback})`);
  if (!listed.includes(wanted)) {
    throw new UsageError(`${from}: runtime '${wanted}' is not one the engine lists; use ${[...listed, PREFER_GVISOR].join(', ')}`);
  }
  const gvisor = isGvisor(wanted, engine.runtimes[wanted]);
  const problem = gvisor ? gvisorNetworkProblem(wish.network) : undefined;
  if (problem) throw new UsageError(`${from} ${wanted}: ${problem}; use --network none, restricted or allowlist, or another runtime`);
  return { runtime: wanted, gvisor, why: `asked for by ${from}` };
}
