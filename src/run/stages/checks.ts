/**
 * Stages 1–3 as one phase list: scan, dependencies, then decide. The phases draw on the terminal
 * when the view is visible; the outputs are plain data.
 */
import type { Profile } from '../../config/profile.js';
import { describeDecision, type Decision } from '../../policy/decide.js';
import { riskLevelOf } from '../../policy/risk-level.js';
import { severityRank, type Finding, type RiskLevel } from '../../findings/finding.js';
import { runPhases } from '../phases.js';
import type { ResolvedTarget } from '../target.js';
import { decideStage } from './decide.js';
import { depsStage, type DepsStageOutput } from './deps.js';
import { scanStage, type ScanStageOutput } from './scan.js';

export interface ChecksInput {
  target: ResolvedTarget;
  /** The working dir (real path): findings name files relative to it. */
  workdir: string;
  profile: Profile;
  loadProfileByName: (name: string) => Promise<Profile>;
  visible: boolean;
}

export interface ChecksOutput {
  scan: ScanStageOutput;
  deps: DepsStageOutput;
  riskLevel: RiskLevel;
  /** Scan and dependency findings together, most severe first. */
  findings: Finding[];
  decision: Decision;
}

export async function checksStage(input: ChecksInput): Promise<ChecksOutput> {
  const { target, profile } = input;
  let scan: ScanStageOutput | undefined;
  let deps: DepsStageOutput | undefined;
  let combined: { riskLevel: RiskLevel; findings: Finding[] } | undefined;
  let decision: Decision | undefined;
  await runPhases(
    [
      {
        title: 'Scan',
        run: async (setTitle) => {
          scan = await scanStage({ files: target.scanFiles, roots: target.scanRoots, displayBase: input.workdir, ...(target.inlineCode === undefined ? {} : { inlineCode: target.inlineCode }) });
          setTitle(`Scan: ${plural(scan.files, 'file')}, risk ${scan.riskLevel}, ${plural(scan.findings.length, 'finding')} (${scan.durationMs} ms)`);
        },
      },
      {
        title: 'Dependencies',
        run: async (setTitle) => {
          deps = await depsStage({ files: target.scanFiles, settings: profile.dependencies });
          const report = deps.report;
          setTitle(
            report
              ? `Dependencies: ${report.dependencies.length} checked, risk ${report.riskLevel}, ${plural(report.findings.length, 'finding')} (${deps.durationMs} ms)`
              : `Dependencies: ${profile.dependencies.check ? 'none declared or imported' : 'not checked (profile)'}`,
          );
          const findings = [...scan!.findings, ...(report?.findings ?? [])].sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
          combined = { riskLevel: riskLevelOf(findings), findings };
        },
      },
      {
        title: 'Decide',
        run: async (setTitle) => {
          decision = await decideStage({ riskLevel: combined!.riskLevel, profile, loadProfileByName: input.loadProfileByName });
          setTitle(`Decide: ${describeDecision(decision, combined!.riskLevel)}`);
        },
      },
    ],
    input.visible,
  );
  if (!scan || !deps || !combined || !decision) throw new Error('the checks did not complete');
  return { scan, deps, riskLevel: combined.riskLevel, findings: combined.findings, decision };
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
