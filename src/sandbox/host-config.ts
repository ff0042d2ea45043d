/**
 * Turns what a run needs into the exact Docker container configuration. Pure: no engine, no
 * file system. Every hardening setting of saferun is decided here, in one place.
 */
import type { ContainerCreateOptions } from 'dockerode';
import type { ResourceLimits } from '../config/profile.js';
import type { WorkdirAccess } from '../config/profile.js';
import { CONTAINER_NET_DIR, forwarderCommand, proxyEnvironment } from '../network/forwarder-script.js';
import type { SandboxSummary } from '../run-record/types.js';

export const CONTAINER_WORKDIR = '/workspace';
export const CONTAINER_OUTPUT = '/output';
export const CONTAINER_SCRIPT_DIR = '/saferun/script';
/** The program's HOME: the writable /tmp tmpfs (decoy credentials are bound into it). */
export const CONTAINER_HOME = '/tmp';
export const LABEL_RUN = 'saferun.run';
export const LABEL_OWNER_PID = 'saferun.owner-pid';
/**
 * Under gVisor the host's pids limit also counts the sandbox's own threads (about 40 at rest with
 * the ptrace platform; measured), so the program gets this many more. Without it runsc fails to
 * start below ~64; with it the program still meets its limit, and the whole sandbox stops there.
 */
export const GVISOR_PIDS_HEADROOM = 64;

/**
 * 'none': loopback only. 'proxy': loopback only too, plus a read-only mount of the run's proxy
 * directory; a forwarder inside relays 127.0.0.1 to the host's egress proxy socket, which is the
 * sandbox's one way out (allowlist and restricted modes). 'open': Docker's default bridge.
 */
export type SandboxNetwork = { mode: 'none' } | { mode: 'open' } | { mode: 'proxy'; hostDir: string };

export interface BindMount {
  hostPath: string;
  containerPath: string;
  readOnly: boolean;
}

export interface SandboxSpec {
  runId: string;
  ownerPid: number;
  image: string;
  /** argv inside the container, e.g. ['python3', 'script.py', 'a']. */
  command: string[];
  /** "uid:gid"; never root. */
  user: string;
  /** The host working directory, mounted at /workspace (or not at all). */
  workdir: { hostPath: string; access: WorkdirAccess };
  /** Where the program starts, inside the container. */
  containerCwd: string;
  mounts: BindMount[];
  /** Only what the user passed with -e, plus saferun's own few variables. */
  env: Record<string, string>;
  limits: ResourceLimits;
  network: SandboxNetwork;
  tty: boolean;
  /** Host dirs the program can write, and how much they may grow during the run (limits.outputSize). */
  outputBudget?: { roots: string[]; bytes: number };
  /** The OCI runtime chosen for the run (see runtime-choice.ts); absent: the engine's default. */
  runtime?: { name: string; gvisor: boolean; why: string };
  /** Watch the running program; cut its network on the alerts that call for it. */
  monitor?: { cutNetwork: boolean };
  /** Decoy credentials among `mounts`, watched from the host; a read is a critical alert. */
  decoys?: { name: string; containerPath: string; hostPath: string }[];
  /** Extra writable tmpfs directories (under HOME, where decoy mount points would leave root-owned dirs). */
  writableDirs?: string[];
}

/** The user the program runs as: the invoking user, or nobody when saferun runs as root. */
export function sandboxUser(uid: number | undefined, gid: number | undefined): string {
  if (uid === undefined || gid === undefined || uid === 0) return '65534:65534';
  return `${uid}:${gid === 0 ? 65534 : gid}`;
}

export function dockerNetworkMode(network: SandboxNetwork): string {
  switch (network.mode) {
    case 'none':
    case 'proxy':
      return 'none';
    case 'open':
      return 'bridge';
  }
}

/** Size of each extra writable dir; tmpfs pages count against the memory limit anyway. */
const WRITABLE_DIR_BYTES = 64 * 1024 * 1024;

export function buildCreateOptions(spec: SandboxSpec): ContainerCreateOptions {
  if (spec.user.startsWith('0:') || spec.user === '0' || spec.user === 'root') throw new Error('refusing to run the sandbox as root');
  const binds: string[] = [];
  if (spec.workdir.access !== 'none') {
    binds.push(`${spec.workdir.hostPath}:${CONTAINER_WORKDIR}:${spec.workdir.access === 'read-only' ? 'ro' : 'rw'}`);
  }
  for (const mount of spec.mounts) binds.push(`${mount.hostPath}:${mount.containerPath}:${mount.readOnly ? 'ro' : 'rw'}`);
  const proxied = spec.network.mode === 'proxy';
  if (spec.network.mode === 'proxy') binds.push(`${spec.network.hostDir}:${CONTAINER_NET_DIR}:ro`);
  const env = proxied ? { ...proxyEnvironment(), ...spec.env } : spec.env;
  const { limits } = spec;
  return {
    name: `saferun-${spec.runId}`,
    Image: spec.image,
    Cmd: proxied ? forwarderCommand(spec.command) : spec.command,
    Entrypoint: [],
    WorkingDir: spec.containerCwd,
    User: spec.user,
    Env: Object.entries(env).map(([key, value]) => `${key}=${value}`),
    Hostname: 'sandbox',
    Labels: { [LABEL_RUN]: spec.runId, [LABEL_OWNER_PID]: String(spec.ownerPid) },
    Tty: spec.tty,
    OpenStdin: true,
    StdinOnce: true,
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    // Loopback only, without the engine setting up a network sandbox (measured faster than NetworkMode none alone).
    NetworkDisabled: spec.network.mode !== 'open',
    HostConfig: {
      ...(spec.runtime ? { Runtime: spec.runtime.name } : {}),
      Binds: binds,
      NetworkMode: dockerNetworkMode(spec.network),
      CapDrop: ['ALL'],
      CapAdd: [],
      // The engine's default seccomp profile stays on: we add no seccomp= option.
      SecurityOpt: ['no-new-privileges'],
      Privileged: false,
      ReadonlyRootfs: true,
      Tmpfs: {
        '/tmp': `rw,noexec,nosuid,nodev,size=${limits.tmpBytes}`,
        ...Object.fromEntries((spec.writableDirs ?? []).map((dir) => [dir, `rw,noexec,nosuid,nodev,size=${Math.min(limits.tmpBytes, WRITABLE_DIR_BYTES)},mode=1777`])),
      },
      Memory: limits.memoryBytes,
      MemorySwap: limits.memoryBytes,
      NanoCpus: limits.nanoCpus,
      PidsLimit: limits.pids + (spec.runtime?.gvisor ? GVISOR_PIDS_HEADROOM : 0),
      Ulimits: [
        { Name: 'nofile', Soft: limits.nofile, Hard: limits.nofile },
        { Name: 'core', Soft: 0, Hard: 0 },
        { Name: 'fsize', Soft: limits.maxFileSizeBytes, Hard: limits.maxFileSizeBytes },
      ],
      IpcMode: 'private',
      PidMode: '',
      Init: true,
      Devices: [],
      DeviceRequests: [],
      AutoRemove: false,
      LogConfig: { Type: 'none', Config: {} },
    },
  };
}

/** The flattened view of a sandbox used in run reports. */
export type { SandboxSummary } from '../run-record/types.js';

export function describeSandbox(spec: SandboxSpec, options: ContainerCreateOptions, usedRuntime?: string): SandboxSummary {
  const host = options.HostConfig ?? {};
  return {
    image: spec.image,
    runtime: usedRuntime ?? host.Runtime ?? 'runc',
    ...(spec.runtime ? { runtimeReason: spec.runtime.why } : {}),
    user: spec.user,
    capDrop: host.CapDrop ?? [],
    readOnlyRootfs: host.ReadonlyRootfs === true,
    networkMode: host.NetworkMode ?? 'default',
    memoryBytes: host.Memory ?? 0,
    nanoCpus: host.NanoCpus ?? 0,
    pidsLimit: host.PidsLimit ?? 0,
  };
}
