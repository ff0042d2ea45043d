/**
 * Stage 5: the container. The output dir is lent to the sandbox user, the snapshot is taken while
 * the container is created (the program starts only once it is done), signals stop and remove
 * the container, and the outcome becomes the report's run fields and an exit code.
 */
import type { NetworkMode, Profile, ResourceLimits } from '../../config/profile.js';
import { ExitCode } from '../../errors.js';
import type { RunReport } from '../../report/run-report.js';
import type { SnapshotSummary } from '../../snapshot/take-snapshot.js';
import { InterruptedBeforeStart, signalExitCode, type RunInterrupts, type RunSignal } from '../interrupts.js';
import { oomMessage, outputLimitMessage, say, timeoutMessage } from '../messages.js';
import { prepareOutputDir } from '../output-dir.js';
import type { OutputPathContext } from '../output-path.js';
import type { RunRequest } from '../request.js';
import type { ResolvedTarget } from '../target.js';
import { networkPrompt, type StdinTap } from '../network-prompt.js';
import { networkAnnouncer } from '../network-run.js';
import { canAsk } from '../confirm.js';
import { networkStage, type NetworkStageOutput } from './network.js';
import { buildSpec, type RunEngine, type SandboxModule } from './sandbox.js';
import { snapshotStage } from './snapshot.js';
import { decoysStage } from './decoys.js';
import { LiveView } from '../live-view.js';
import type { RuntimeChoice } from '../../sandbox/runtime-choice.js';

export interface RunStageInput {
  runId: string;
  request: RunRequest;
  profile: Profile;
  limits: ResourceLimits;
  network: NetworkMode;
  target: ResolvedTarget;
  workdir: string;
  /** "uid:gid" the program runs as. */
  user: string;
  sandbox: SandboxModule;
  engine: RunEngine;
  visible: boolean;
  /** An installed package environment to mount read-only (its site directory on the host). */
  packagesEnv?: string;
  /** Signals since the pipeline began; one before the start means the program never runs. */
  interrupts: RunInterrupts;
  outputContext: OutputPathContext;
  /** The runtime chosen by the runtime stage; undefined: the engine's default. */
  runtime: RuntimeChoice | undefined;
}

export interface RunStageOutput {
  report: Pick<RunReport, 'exitCode' | 'exitReason' | 'events' | 'sandbox' | 'snapshot' | 'monitor' | 'network'>;
  snapshotId: string | undefined;
}

export async function runStage(input: RunStageInput): Promise<RunStageOutput> {
  const { request, profile, limits, sandbox, engine } = input;
  const [sandboxUid, sandboxGid] = input.user.split(':').map(Number) as [number, number];
  const { interrupts } = input;
  const output = request.outputDir ? prepareOutputDir(request.outputDir, input.outputContext, sandboxUid, sandboxGid) : undefined;
  let snapshot: SnapshotSummary | undefined;
  const snapshotting =
    profile.snapshot && request.snapshot
      ? snapshotStage({ workdir: input.workdir, workdirAccess: profile.workdir, outputDir: output?.hostPath, visible: input.visible }).then((summary) => {
          snapshot = summary;
        })
      : Promise.resolve();
  snapshotting.catch(() => undefined);
  const startedAt = performance.now();
  const networkLines = networkAnnouncer(input.network, request.quiet);
  const stdinTap: StdinTap = {};
  let net: NetworkStageOutput | undefined;
  let decoys: Awaited<ReturnType<typeof decoysStage>>;
  const live = new LiveView({
    identity: { runId: input.runId, pid: process.pid, script: input.target.display, profile: profile.name, network: input.network, monitored: profile.monitor.enabled },
    limits,
    statusLine: !request.quiet && request.live && process.stderr.isTTY === true && process.env['TERM'] !== 'dumb',
    stop: () => interrupts.raise('SIGTERM'),
    warn: (text) => (request.quiet ? undefined : say(text)),
  });
  await live.publish();
  // connections allowed and denied, counted from the egress proxy's log for the live view
  const connections = { allowed: 0, denied: 0 };
  try {
    // Decoys first: their canaries go to the egress proxy, which cuts when one shows up in traffic.
    const visibleToSandbox = [input.workdir, output?.hostPath ?? '', input.packagesEnv ?? '', ...input.target.mounts.map((m) => m.hostPath)];
    decoys = await decoysStage({ runId: input.runId, profile, quiet: request.quiet, visibleToSandbox, owner: { uid: sandboxUid, gid: sandboxGid } });
    net = await networkStage({
      runId: input.runId,
      mode: input.network,
      egress: profile.egress,
      allowHosts: input.network === 'allowlist' ? request.allowHosts : [],
      sandboxUid,
      sandboxGid,
      ...(canAsk() ? { ask: networkPrompt(stdinTap, { stdin: process.stdin, write: (text) => process.stderr.write(text) }) } : {}),
      clock: () => Math.round(performance.now() - startedAt),
      ...(decoys ? { canaries: decoys.canaries } : {}),
      onConnection: (record) => {
        if (record.allowed) connections.allowed++;
        else connections.denied++;
        networkLines.connection(record);
      },
      onCut: (cut) => networkLines.cut(cut.reason),
    });
    const image = request.image ?? (await sandbox.defaultImageName());
    const spec = buildSpec({ ...input, sandboxNetwork: net.sandboxNetwork, outputHostPath: output?.hostPath ?? '', image, decoys });
    if (input.runtime) spec.runtime = { name: input.runtime.runtime, gvisor: input.runtime.gvisor, why: input.runtime.why };
    if (net.sandboxNetwork.mode === 'proxy') live.board.countConnectionsWith({ connectionCounts: () => connections });
    const outcome = await sandbox.runSandbox(engine, spec, live.io({ stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, stdinTap }), {
      signal: interrupts.signal,
      startedAt,
      cutEgress: net.cut,
      ...live.hooks((event) => {
        if (request.quiet) return;
        if (event.type === 'alert') say(`saferun: alert: ${event.detail}`);
        else if (event.type === 'decoys-unwatched') say(`saferun: warning: the decoy credentials are not watched (${event.detail})`);
        else if (event.type === 'network-cut') networkLines.cut(event.detail ?? 'alert');
      }),
      beforeStart: () => snapshotting,
      ...(request.image === undefined
        ? {
            onImageMissing: async () => {
              if (!request.quiet) say(`saferun: building the sandbox image ${image} (first use; cached afterwards)…`);
              await sandbox.buildDefaultImage((line) => (request.quiet ? undefined : say(`  ${line}`)));
            },
          }
        : {}),
    });
    if (outcome.reason === 'killed' && !outcome.events.some((event) => event.type === 'started')) throw new InterruptedBeforeStart(interrupts.by ?? 'SIGINT');
    const exitCode = exitCodeOf(outcome.reason, outcome.exitCode, interrupts.by);
    if (!request.quiet) {
      if (outcome.reason === 'timeout') say(timeoutMessage(limits));
      else if (outcome.reason === 'oom') say(oomMessage(limits));
      else if (outcome.reason === 'output-limit') say(outputLimitMessage(limits));
      else if (outcome.reason === 'killed') say(`saferun: interrupted (${interrupts.by ?? 'SIGINT'}); the container was stopped and removed`);
    }
    return {
      report: {
        exitCode,
        exitReason: outcome.reason,
        events: outcome.events,
        sandbox: sandbox.describeSandbox(spec, sandbox.buildCreateOptions(spec), outcome.runtime),
        ...(snapshot ? { snapshot } : {}),
        ...(outcome.monitor ? { monitor: outcome.monitor } : {}),
        network: net.report(outcome.monitor?.networkCut),
      },
      snapshotId: snapshot?.id,
    };
  } finally {
    await net?.close();
    await live.close();
    decoys?.remove();
    output?.release();
    engine.close();
  }
}

/** The program's own code, or saferun's for a timeout, OOM, the output budget or a signal (128+N, as a shell does). */
export function exitCodeOf(reason: string, programCode: number | null, interruptedBy: RunSignal | undefined): number {
  switch (reason) {
    case 'timeout':
      return ExitCode.timeout;
    case 'oom':
      return ExitCode.oom;
    case 'output-limit':
      return ExitCode.outputLimit;
    case 'killed':
      return signalExitCode(interruptedBy ?? 'SIGINT');
    default:
      return programCode ?? ExitCode.saferunError;
  }
}
