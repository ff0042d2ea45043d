/** The last stage: the run report goes to --report FILE and/or stdout (--json). */
import type { DependencyReport } from '../../deps/types.js';
import { writeReportFile, type RunReport } from '../../report/run-report.js';

export interface ReportTargets {
  reportFile?: string;
  json: boolean;
}

export function emitReport(targets: ReportTargets, report: RunReport): void {
  if (targets.reportFile) writeReportFile(targets.reportFile, report);
  if (targets.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}

export function dependencySummary(report: DependencyReport): NonNullable<RunReport['dependencies']> {
  return {
    riskLevel: report.riskLevel,
    manifests: report.manifests,
    checked: report.dependencies.length,
    names: report.dependencies.map((d) => d.normalized),
    data: report.data,
  };
}
