/**
 * The packages stage: what the program needs from outside the standard library, prepared without
 * touching the host's Python. A cached environment for the same request is used as it is (its
 * inspection findings still count); otherwise the distributions are downloaded and inspected
 * here, and installed by installStage once the decision with their findings is "run".
 */
import type { Profile, ResourceLimits } from '../../config/profile.js';
import type { CachedEnv } from '../../packages/env-cache.js';
import type { Downloaded, PrepareSettings } from '../../packages/prepare.js';
import type { PackageRequest } from '../../packages/requirements-source.js';
import type { PackageReport } from '../../packages/types.js';
import type { SandboxNetwork } from '../../sandbox/host-config.js';
import type { RunRequest } from '../request.js';
import type { RunEngine, SandboxModule } from './sandbox.js';
import { networkStage } from './network.js';
import { severityRank } from '../../findings/finding.js';
import { runPhases } from '../phases.js';

/** Opens a network whose only reachable hosts are the given HOST:PORT rules; close() tears it down. */
export type IndexNetworkOpener = (allow: string[]) => Promise<{ network: SandboxNetwork; close(): Promise<void> }>;

export interface PackagesStageInput {
  runId: string;
  request: RunRequest;
  profile: Profile;
  packageRequest: PackageRequest;
  image: string;
  user: string;
  sandbox: SandboxModule;
  engine: RunEngine;
  openIndexNetwork: IndexNetworkOpener;
  signal?: AbortSignal;
}

export interface PackagesStageOutput {
  packages: PackageReport[];
  /** Ready to mount: the cached environment (when it was cached already). */
  env?: CachedEnv;
  /** Downloaded and inspected, waiting for the decision before install. */
  pending?: Downloaded;
  settings: PrepareSettings;
  packageRequest: PackageRequest;
  cached: boolean;
  durationMs: number;
}

/** Package steps get at least this much time and memory, whatever the profile's run limits. */
const STEP_TIMEOUT_MS = 10 * 60_000;
const STEP_MEMORY = 1024 ** 3;

export function prepareSettings(input: { request: RunRequest; profile: Profile; packageRequest: PackageRequest; image: string; user: string }, defaultIndex: string): PrepareSettings {
  const { request, profile, packageRequest } = input;
  const limits: ResourceLimits = {
    ...profile.limits,
    memoryBytes: Math.max(profile.limits.memoryBytes, STEP_MEMORY),
    timeoutMs: STEP_TIMEOUT_MS,
    tmpBytes: Math.max(profile.limits.tmpBytes, 512 * 1024 ** 2),
    maxFileSizeBytes: Math.max(profile.limits.maxFileSizeBytes, 512 * 1024 ** 2),
    pids: Math.max(profile.limits.pids, 128),
  };
  return {
    image: input.image,
    indexUrl: request.indexUrl ?? profile.dependencies.index ?? packageRequest.indexUrl ?? defaultIndex,
    onlyBinary: request.onlyBinary === true || !profile.dependencies.allowSdist,
    user: input.user,
    limits,
  };
}

export async function packagesStage(input: PackagesStageInput): Promise<PackagesStageOutput> {
  const t0 = performance.now();
  const prepare = await import('../../packages/prepare.js');
  const settings = prepareSettings(input, prepare.DEFAULT_INDEX_URL);
  const cached = prepare.findCachedEnv(input.packageRequest, settings);
  if (cached) return { packages: cached.record.packages, env: cached, settings, packageRequest: input.packageRequest, cached: true, durationMs: Math.round(performance.now() - t0) };
  const network = await input.openIndexNetwork(prepare.indexAllowRules(settings.indexUrl));
  let pending: Downloaded;
  try {
    pending = await prepare.downloadAndInspect(input.sandbox, input.engine, input.packageRequest, settings, network.network, input.runId, input.signal);
  } finally {
    await network.close();
  }
  return { packages: pending.packages, pending, settings, packageRequest: input.packageRequest, cached: false, durationMs: Math.round(performance.now() - t0) };
}

/** Installs what was inspected, without network, once the run is decided. */
export async function installStage(prepared: PackagesStageOutput, sandbox: SandboxModule, engine: RunEngine, runId: string): Promise<CachedEnv> {
  if (prepared.env) return prepared.env;
  const prepare = await import('../../packages/prepare.js');
  return prepare.installInspected(sandbox, engine, prepared.packageRequest, prepared.settings, prepared.pending!, runId);
}

/** The stage as a phase of the live view. */
export async function packagesPhase(input: PackagesStageInput, visible: boolean): Promise<PackagesStageOutput> {
  let output: PackagesStageOutput | undefined;
  await runPhases(
    [
      {
        title: `Packages: ${input.packageRequest.lines.length} requirement${input.packageRequest.lines.length === 1 ? '' : 's'} from ${input.packageRequest.sources.join(', ')}`,
        run: async (setTitle) => {
          output = await packagesStage(input);
          const worst = output.packages.map((p) => p.riskLevel).sort((a, b) => severityRank(b) - severityRank(a))[0] ?? 'low';
          setTitle(`Packages: ${output.packages.length} ${output.cached ? 'cached' : 'downloaded and inspected'}, risk ${worst} (${output.durationMs} ms)`);
        },
      },
    ],
    visible,
  );
  return output!;
}

export async function installPhase(prepared: PackagesStageOutput, visible: boolean, install: () => Promise<CachedEnv>): Promise<CachedEnv> {
  if (prepared.env) return prepared.env;
  let env: CachedEnv | undefined;
  await runPhases([{ title: 'Install (no network)', run: async (setTitle) => {
    const t0 = performance.now();
    env = await install();
    setTitle(`Installed ${prepared.packages.length} package${prepared.packages.length === 1 ? '' : 's'} (${Math.round(performance.now() - t0)} ms)`);
  } }], visible);
  return env!;
}

/**
 * The download sandbox's network: the egress proxy in allowlist mode with the index hosts only,
 * no prompt (nobody is asked about what pip reaches), a modest upload cap (pip sends requests,
 * not files).
 */
export function indexNetworkOpener(runId: string, user: string): IndexNetworkOpener {
  return async (allow) => {
    const [uid, gid] = user.split(':').map(Number) as [number, number];
    const t0 = performance.now();
    const net = await networkStage({
      runId: `${runId}-dl`,
      mode: 'allowlist',
      egress: { allow, maxUploadBytes: 8 * 1024 ** 2 },
      allowHosts: [],
      sandboxUid: uid,
      sandboxGid: gid,
      clock: () => Math.round(performance.now() - t0),
    });
    return { network: net.sandboxNetwork, close: () => net.close() };
  };
}
