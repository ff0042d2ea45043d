/**
 * The run, as a list of stages: checks (scan → dependencies → decide) → snapshot → sandbox →
 * report. Each stage is a file in stages/ with typed input and output; this function only
 * sequences them and turns the outcome into an exit code.
 */
import { randomBytes } from 'node:crypto';
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { loadProfile } from '../config/load-profile.js';
import { NETWORK_MODES, networkWithin, type NetworkMode, type Profile, type ResourceLimits } from '../config/profile.js';
import { ExitCode, UsageError } from '../errors.js';
import { describeDecision } from '../policy/decide.js';
import type { RunReport } from '../report/run-report.js';
import { sandboxUser } from '../sandbox/host-config.js';
import { formatFindings, runSummary, say } from './messages.js';
import type { RunRequest } from './request.js';
import { restoreHint } from './restore-hint.js';
import { checksStage } from './stages/checks.js';
import { answerDecision, decideStage } from './stages/decide.js';
import { indexNetworkOpener, installPhase, installStage, packagesPhase, type PackagesStageOutput } from './stages/packages.js';
import { readPackageRequest } from '../packages/requirements-source.js';
import { riskLevelOf } from '../policy/risk-level.js';
import { severityRank } from '../findings/finding.js';
import { dependencySummary, emitReport } from './stages/report.js';
import { runStage } from './stages/run.js';
import { buildSpec, prepareSandbox } from './stages/sandbox.js';
import { resolveTarget } from './target.js';
import { runtimeStage } from './stages/runtime.js';
import { allowHostsProblem, dryRunNetwork } from './network-run.js';
import { deniedSummary } from './network-messages.js';
import { RunInterrupts } from './interrupts.js';
import { checkOutputPath, outputPathContext } from './output-path.js';

function stricterNetwork(a: NetworkMode, b: NetworkMode): NetworkMode {
  return networkWithin(a, b) ? a : b;
}

function effectiveLimits(profile: Profile, request: RunRequest): ResourceLimits {
  return { ...profile.limits, ...request.limits };
}

export async function runPipeline(request: RunRequest): Promise<number> {
  // Signals are caught from the very start: one before the container starts means nothing runs.
  const interrupts = new RunInterrupts();
  try {
    return await runStages(request, interrupts);
  } finally {
    interrupts.dispose();
  }
}

async function runStages(request: RunRequest, interrupts: RunInterrupts): Promise<number> {
  const started = performance.now();
  const runId = randomBytes(6).toString('hex');
  const visible = !request.quiet && !request.json && process.stderr.isTTY === true;
  const { profile: startProfile, warnings } = await loadProfile(request.profile, { cwd: request.cwd });
  if (!request.quiet) for (const warning of warnings) say(`saferun: warning: ${warning}`);
  if (request.network && !networkWithin(request.network, startProfile.network)) {
    throw new UsageError(`--network ${request.network}: profile ${startProfile.name} allows at most '${startProfile.network}'; use ${NETWORK_MODES.filter((m) => networkWithin(m, startProfile.network)).join(' or ')}, or another --profile`);
  }
  const allowHostProblem = allowHostsProblem(request.allowHosts.length, request.network, startProfile);
  if (allowHostProblem) throw new UsageError(allowHostProblem);
  if (request.outputDir && !startProfile.output) throw new UsageError(`--output: profile ${startProfile.name} does not allow a writable output directory`);
  const workdir = realpathSync(request.cwd);
  const target = resolveTarget(request.target, request.args, workdir, startProfile.workdir !== 'none');
  const outputContext = outputPathContext(request.cwd, workdir);
  // A refused --output is said before any work is done (and checked again when it is created).
  if (request.outputDir) checkOutputPath(request.outputDir, outputContext);

  // Load the Docker side while the checks run: the two do not depend on each other.
  const sandboxReady = request.dryRun ? undefined : prepareSandbox();
  sandboxReady?.catch(() => undefined);

  const checks = await interrupts.race(checksStage({
    target,
    workdir,
    profile: startProfile,
    loadProfileByName: async (name) => (await loadProfile(name, { cwd: request.cwd })).profile,
    visible,
  }));
  // Third-party packages: downloaded and inspected (never when the checks already block), their
  // findings joining the risk level before the one decision is answered; installed after it.
  const packageRequest = readPackageRequest({ ...(target.scanFiles[0] && request.target.kind === 'script' ? { script: target.scanFiles[0] } : {}), workdir, ...(request.requirementsFile ? { requirementsFile: path.resolve(request.cwd, request.requirementsFile) } : {}), withSpecs: request.withSpecs });
  let packages: PackagesStageOutput | undefined;
  let { riskLevel, findings, decision } = checks;
  if (packageRequest && !request.dryRun && decision.kind !== 'block') {
    const { sandbox, engine } = await sandboxReady!;
    const image = request.image ?? (await sandbox.defaultImageName());
    packages = await packagesPhase({ runId, request, profile: decision.profile, packageRequest, image, user: sandboxUser(process.getuid?.(), process.getgid?.()), sandbox, engine, openIndexNetwork: indexNetworkOpener(runId, sandboxUser(process.getuid?.(), process.getgid?.())) }, visible);
    const packageFindings = packages.packages.flatMap((p) => p.findings);
    if (packageFindings.length > 0) {
      findings = [...findings, ...packageFindings].sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
      const combined = riskLevelOf(findings);
      if (severityRank(combined) > severityRank(riskLevel)) {
        riskLevel = combined;
        decision = await decideStage({ riskLevel, profile: startProfile, loadProfileByName: async (name) => (await loadProfile(name, { cwd: request.cwd })).profile });
      }
    }
  }
  const noteworthy = findings.filter((f) => f.severity !== 'low');
  if (!request.quiet && (decision.kind !== 'run' || decision.escalatedFrom.length > 0 || visible) && noteworthy.length > 0) {
    say(`saferun: top findings (risk ${riskLevel}):\n${formatFindings(noteworthy)}`);
  }
  if (!request.quiet && !visible && decision.kind === 'run' && decision.escalatedFrom.length > 0) say(`saferun: ${describeDecision(decision, riskLevel)}`);

  const verdict = await interrupts.race(answerDecision(decision, riskLevel, { yes: request.yes, dryRun: request.dryRun }));
  const profile = decision.profile;
  const baseReport = {
    version: 1 as const,
    runId,
    startedAt: new Date(Date.now() - (performance.now() - started)).toISOString(),
    reason: describeDecision(decision, riskLevel),
    command: target.display,
    profile: profile.name,
    riskLevel,
    findings,
    ...(checks.deps.report ? { dependencies: dependencySummary(checks.deps.report) } : {}),
    ...(packages ? { packages: packages.packages } : {}),
  };

  const network = stricterNetwork(request.network ?? profile.network, profile.network);
  const limits = effectiveLimits(profile, request);
  // Who the program runs as (never root); the output dir is lent to that user when saferun is root.
  const user = sandboxUser(process.getuid?.(), process.getgid?.());
  if (request.allowHosts.length > 0 && network !== 'allowlist' && network !== 'open' && !request.quiet) {
    say(`saferun: network: --allow-host ignored: profile ${profile.name} runs with network ${network}`);
  }

  if (request.dryRun) {
    const sandbox = await import('../sandbox/index.js');
    const spec = buildSpec({ runId, request, profile, limits, sandboxNetwork: dryRunNetwork(network), target, workdir, user, outputHostPath: request.outputDir ?? '', image: request.image ?? (await sandbox.defaultImageName()), sandbox });
    const createOptions = sandbox.buildCreateOptions(spec);
    const packagePlan = packageRequest ? { packages: { requirements: packageRequest.lines, from: packageRequest.sources } } : {};
    const plan = { ...packagePlan, decision: verdict.blockedReason ? 'block' : verdict.decision, reason: verdict.blockedReason ?? describeDecision(decision, riskLevel), riskLevel, profile: profile.name, findings, container: createOptions };
    process.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
    return verdict.blockedReason ? ExitCode.blocked : ExitCode.ok;
  }

  if (verdict.blockedReason) packages?.pending?.build.discard();
  if (verdict.blockedReason) {
    if (!request.quiet) say(`saferun: blocked: ${verdict.blockedReason}. Nothing was run. Review with \`saferun scan\` and \`saferun deps\`, or choose another --profile.`);
    const report: RunReport = { ...baseReport, reason: verdict.blockedReason, decision: verdict.decision, exitCode: ExitCode.blocked, exitReason: 'blocked', durationMs: Math.round(performance.now() - started), events: [], sandbox: null };
    emitReport(request, report);
    return ExitCode.blocked;
  }

  const { sandbox, engine } = await interrupts.race(sandboxReady!);
  const runtime = await interrupts.race(runtimeStage({ flag: request.runtime, profileKey: profile.runtime, profileName: profile.name, network, engine })).catch((error: unknown) => {
    engine.close();
    throw error;
  });
  if (runtime && !request.quiet) say(`saferun: runtime ${runtime.runtime}: ${runtime.why}`);
  const env = packages ? await interrupts.race(installPhase(packages, visible, async () => installStage(packages!, sandbox, engine, runId))) : undefined;
  interrupts.check();
  const outcome = await runStage({ runId, request, profile, limits, network, target, workdir, user, sandbox, engine, visible, interrupts, outputContext, runtime, ...(env ? { packagesEnv: env.sitePath } : {}) });
  const report: RunReport = { ...baseReport, decision: verdict.decision, durationMs: Math.round(performance.now() - started), ...outcome.report };
  emitReport(request, report);
  if (visible) say(runSummary(report));
  const denied = deniedSummary(report.network?.connections ?? []);
  if (denied && !request.quiet) say(denied);
  if (outcome.snapshotId && !request.quiet && (visible || request.outputDir)) say(`saferun: ${restoreHint(outcome.snapshotId)}`);
  return report.exitCode;
}
