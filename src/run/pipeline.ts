/**
 * scan → decide → run → report. Each stage has typed input and output; stages that later issues
 * add (snapshot, network, monitoring) slot in between decide and run.
 */
import { randomBytes } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { loadProfile } from '../config/load-profile.js';
import { networkWithin, type Profile, type ResourceLimits } from '../config/profile.js';
import type { NetworkMode } from '../config/profile.js';
import { ExitCode, SaferunError, UsageError } from '../errors.js';
import { decide, describeDecision, type Decision } from '../policy/decide.js';
import { writeReportFile, type RunReport } from '../report/run-report.js';
import { sandboxUser, type SandboxSpec } from '../sandbox/host-config.js';
import { isInside } from '../util/paths.js';
import type { SnapshotSummary } from '../snapshot/take-snapshot.js';
import { restoreHint } from './restore-hint.js';
import { canAsk, askToRun } from './confirm.js';
import { formatFindings, oomMessage, runSummary, say, timeoutMessage } from './messages.js';
import { prepareOutputDir } from './output-dir.js';
import { runPhases } from './phases.js';
import type { RunRequest } from './request.js';
import { scanStage, type ScanStageOutput } from './stages/scan.js';
import { depsStage, type DepsStageOutput } from './stages/deps.js';
import type { DependencyReport } from '../deps/types.js';
import { riskLevelOf } from '../policy/risk-level.js';
import { severityRank, type Finding, type RiskLevel } from '../scan/types.js';
import { resolveTarget } from './target.js';

const NETWORK_STRICTNESS: NetworkMode[] = ['none', 'restricted', 'open'];

function stricterNetwork(a: NetworkMode, b: NetworkMode): NetworkMode {
  return NETWORK_STRICTNESS.indexOf(a) <= NETWORK_STRICTNESS.indexOf(b) ? a : b;
}

function effectiveLimits(profile: Profile, request: RunRequest): ResourceLimits {
  return { ...profile.limits, ...request.limits };
}

export async function runPipeline(request: RunRequest): Promise<number> {
  const started = performance.now();
  const runId = randomBytes(6).toString('hex');
  const visible = !request.quiet && !request.json && process.stderr.isTTY === true;
  const { profile: startProfile, warnings } = await loadProfile(request.profile, { cwd: request.cwd });
  if (!request.quiet) for (const warning of warnings) say(`saferun: warning: ${warning}`);
  if (request.network && !networkWithin(request.network, startProfile.network)) {
    throw new UsageError(`--network ${request.network}: profile ${startProfile.name} allows at most '${startProfile.network}'; use ${NETWORK_STRICTNESS.filter((m) => networkWithin(m, startProfile.network)).join(' or ')}, or another --profile`);
  }
  if (request.outputDir && !startProfile.output) throw new UsageError(`--output: profile ${startProfile.name} does not allow a writable output directory`);
  const workdir = realpathSync(request.cwd);
  const target = resolveTarget(request.target, request.args, workdir, startProfile.workdir !== 'none');

  // Load the Docker side while the scan runs: the two do not depend on each other.
  const sandboxReady = request.dryRun ? undefined : prepareSandboxModule();
  sandboxReady?.catch(() => undefined);

  let scan: ScanStageOutput | undefined;
  let deps: DepsStageOutput | undefined;
  let combined: { riskLevel: RiskLevel; findings: Finding[] } | undefined;
  let decision: Decision | undefined;
  await runPhases(
    [
      {
        title: 'Scan',
        run: async (setTitle) => {
          scan = await scanStage({ files: target.scanFiles, ...(target.inlineCode === undefined ? {} : { inlineCode: target.inlineCode }) });
          setTitle(`Scan: risk ${scan.riskLevel}, ${scan.findings.length} finding${scan.findings.length === 1 ? '' : 's'} (${scan.durationMs} ms)`);
        },
      },
      {
        title: 'Dependencies',
        run: async (setTitle) => {
          deps = await depsStage({ files: target.scanFiles, settings: startProfile.dependencies });
          const report = deps.report;
          setTitle(
            report
              ? `Dependencies: ${report.dependencies.length} checked, risk ${report.riskLevel}, ${report.findings.length} finding${report.findings.length === 1 ? '' : 's'} (${deps.durationMs} ms)`
              : `Dependencies: ${startProfile.dependencies.check ? 'none declared or imported' : 'not checked (profile)'}`,
          );
          const findings = [...scan!.findings, ...(report?.findings ?? [])].sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
          combined = { riskLevel: riskLevelOf(findings), findings };
        },
      },
      {
        title: 'Decide',
        run: async (setTitle) => {
          decision = await decide(combined!.riskLevel, startProfile, async (name) => (await loadProfile(name, { cwd: request.cwd })).profile);
          setTitle(`Decide: ${describeDecision(decision, combined!.riskLevel)}`);
        },
      },
    ],
    visible,
  );
  if (!scan || !combined || !decision) throw new SaferunError('the scan did not complete');
  const { riskLevel, findings } = combined;
  const noteworthy = findings.filter((f) => f.severity !== 'low');
  if (!request.quiet && (decision.kind !== 'run' || decision.escalatedFrom.length > 0 || visible) && noteworthy.length > 0) {
    say(`saferun: top findings (risk ${riskLevel}):\n${formatFindings(noteworthy)}`);
  }
  if (!request.quiet && !visible && decision.kind === 'run' && decision.escalatedFrom.length > 0) say(`saferun: ${describeDecision(decision, riskLevel)}`);

  let reportDecision: RunReport['decision'] = 'run';
  if (decision.kind === 'ask') {
    if (request.yes) reportDecision = 'ask-yes';
    else if (!request.dryRun && canAsk() && (await askToRun(`saferun: ${describeDecision(decision, riskLevel)}. Run it anyway?`))) reportDecision = 'ask-yes';
    else reportDecision = 'ask-no';
  }
  const profile = decision.profile;
  const baseReport = {
    version: 1 as const,
    runId,
    command: target.display,
    profile: profile.name,
    riskLevel,
    findings,
    ...(deps?.report ? { dependencies: dependencySummary(deps.report) } : {}),
  };

  const blockedReason =
    decision.kind === 'block'
      ? decision.reason
      : reportDecision === 'ask-no'
        ? `risk ${riskLevel} needs a yes under profile ${profile.name}${canAsk() ? '' : ': no terminal to ask on, pass --yes to run anyway'}`
        : undefined;

  const network = stricterNetwork(request.network ?? profile.network, profile.network);
  const limits = effectiveLimits(profile, request);
  // Who the program runs as (never root); the output dir is lent to that user when saferun is root.
  const user = sandboxUser(process.getuid?.(), process.getgid?.());
  const [sandboxUid, sandboxGid] = user.split(':').map(Number) as [number, number];

  if (request.dryRun) {
    const sandbox = await import('../sandbox/index.js');
    const spec = buildSpec({ runId, request, profile, limits, network, target, workdir, user, outputHostPath: request.outputDir ?? '', image: request.image ?? (await sandbox.defaultImageName()), sandbox });
    const createOptions = sandbox.buildCreateOptions(spec);
    const plan = { decision: blockedReason ? 'block' : reportDecision, reason: blockedReason ?? describeDecision(decision, riskLevel), riskLevel, profile: profile.name, findings, container: createOptions };
    process.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
    return blockedReason ? ExitCode.blocked : ExitCode.ok;
  }

  if (blockedReason) {
    if (!request.quiet) say(`saferun: blocked: ${blockedReason}. Nothing was run. Review with \`saferun scan\` and \`saferun deps\`, or choose another --profile.`);
    const report: RunReport = { ...baseReport, decision: decision.kind === 'block' ? 'block' : 'ask-no', exitCode: ExitCode.blocked, exitReason: 'blocked', durationMs: Math.round(performance.now() - started), events: [], sandbox: null };
    emitReport(request, report);
    return ExitCode.blocked;
  }

  const { sandbox, engine } = await sandboxReady!;
  const output = request.outputDir ? prepareOutputDir(request.outputDir, request.cwd, sandboxUid, sandboxGid) : undefined;
  // The snapshot runs while the container is created; the program starts only once it is done.
  let snapshot: SnapshotSummary | undefined;
  const snapshotting =
    profile.snapshot && request.snapshot
      ? snapshotStage(snapshotRoots(workdir, profile.workdir !== 'none', output?.hostPath), visible).then((summary) => {
          snapshot = summary;
        })
      : Promise.resolve();
  snapshotting.catch(() => undefined);
  const controller = new AbortController();
  let interruptedBy: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    interruptedBy ??= signal;
    controller.abort();
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of signals) process.on(signal, onSignal);
  try {
    const image = request.image ?? (await sandbox.defaultImageName());
    const spec = buildSpec({ runId, request, profile, limits, network, target, workdir, user, outputHostPath: output?.hostPath ?? '', image, sandbox });
    const outcome = await sandbox.runSandbox(engine, spec, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }, {
      signal: controller.signal,
      onEvent: (event) => {
        if (request.quiet) return;
        if (event.type === 'alert') say(`saferun: alert: ${event.detail}`);
        else if (event.type === 'network-cut') say(`saferun: network cut (${event.detail?.split(':')[0] ?? 'alert'}): the program keeps running without it`);
      },
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
    let exitCode = outcome.exitCode ?? ExitCode.saferunError;
    if (outcome.reason === 'timeout') {
      exitCode = ExitCode.timeout;
      if (!request.quiet) say(timeoutMessage(limits));
    } else if (outcome.reason === 'oom') {
      exitCode = ExitCode.oom;
      if (!request.quiet) say(oomMessage(limits));
    } else if (outcome.reason === 'killed') {
      exitCode = interruptedBy === 'SIGINT' || interruptedBy === undefined ? ExitCode.interrupted : 128 + (interruptedBy === 'SIGTERM' ? 15 : 1);
      if (!request.quiet) say(`saferun: interrupted (${interruptedBy ?? 'SIGINT'}); the container was stopped and removed`);
    }
    const report: RunReport = {
      ...baseReport,
      decision: reportDecision,
      exitCode,
      exitReason: outcome.reason,
      durationMs: Math.round(performance.now() - started),
      events: outcome.events,
      sandbox: sandbox.describeSandbox(spec, sandbox.buildCreateOptions(spec)),
      ...(snapshot ? { snapshot } : {}),
      ...(outcome.monitor ? { monitor: outcome.monitor } : {}),
    };
    emitReport(request, report);
    if (visible) say(runSummary(report));
    if (snapshot && !request.quiet && (visible || output)) say(`saferun: ${restoreHint(snapshot.id)}`);
    return exitCode;
  } finally {
    for (const signal of signals) process.off(signal, onSignal);
    output?.release();
    engine.close();
  }
}

type SandboxModule = typeof import('../sandbox/index.js');

/** The working dir when it is mounted, and the output dir when it lies outside it. */
function snapshotRoots(workdir: string, workdirMounted: boolean, outputDir: string | undefined): string[] {
  const roots = workdirMounted ? [workdir] : [];
  if (outputDir && !(workdirMounted && isInside(outputDir, workdir))) roots.push(outputDir);
  return roots;
}

async function snapshotStage(roots: string[], visible: boolean): Promise<SnapshotSummary | undefined> {
  if (roots.length === 0) return undefined;
  const { snapshotBeforeRun } = await import('../snapshot/index.js');
  let summary: SnapshotSummary | undefined;
  await runPhases(
    [
      {
        title: 'Snapshot',
        run: async (setTitle) => {
          summary = await snapshotBeforeRun(roots, { onProgress: (done, total) => setTitle(`Snapshot: ${done}/${total} files`) });
          setTitle(`Snapshot ${summary.id}: ${summary.files} files, ${summary.bytesAdded} new bytes (${summary.durationMs} ms)`);
        },
      },
    ],
    visible,
  );
  return summary;
}

async function prepareSandboxModule(): Promise<{ sandbox: SandboxModule; engine: InstanceType<SandboxModule['EngineApi']> }> {
  const sandbox = await import('../sandbox/index.js');
  const engine = sandbox.connectRunEngine();
  await sandbox.requireRunEngine(engine);
  await sandbox.reapOrphans(engine);
  return { sandbox, engine };
}

function buildSpec(input: {
  runId: string;
  request: RunRequest;
  profile: Profile;
  limits: ResourceLimits;
  network: NetworkMode;
  target: ReturnType<typeof resolveTarget>;
  workdir: string;
  user: string;
  outputHostPath: string;
  image: string;
  sandbox: SandboxModule;
}): SandboxSpec {
  const { request, profile, target, sandbox } = input;
  const mounts = [...target.mounts];
  const env: Record<string, string> = { HOME: '/tmp', LANG: 'C.UTF-8', PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '1' };
  if (input.outputHostPath) {
    const inside = sandbox.outputMountPath(input.workdir, input.outputHostPath, profile.workdir !== 'none');
    mounts.push({ hostPath: input.outputHostPath, containerPath: inside, readOnly: false });
    env['SAFERUN_OUTPUT'] = inside;
  }
  Object.assign(env, request.env);
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
    network: input.network === 'restricted' ? { mode: 'restricted', networkName: `saferun-net-${input.runId}` } : { mode: input.network },
    tty,
    ...(profile.monitor.enabled ? { monitor: { cutNetwork: profile.monitor.cutNetwork } } : {}),
  };
}

function emitReport(request: RunRequest, report: RunReport): void {
  if (request.reportFile) writeReportFile(request.reportFile, report);
  if (request.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}

function dependencySummary(report: DependencyReport): NonNullable<RunReport['dependencies']> {
  return {
    riskLevel: report.riskLevel,
    manifests: report.manifests,
    checked: report.dependencies.length,
    names: report.dependencies.map((d) => d.normalized),
    data: report.data,
  };
}
