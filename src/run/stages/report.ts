/** The last stage: the run report is kept in the history and goes to --report FILE and/or stdout (--json). */
import type { DependencyReport } from '../../deps/types.js';
import { keepInHistory } from '../../history/run-history.js';
import { writeReportFile, type RunReport } from '../../report/run-report.js';

export interface ReportTargets {
  reportFile?: string;
  json: boolean;
}

export function emitReport(targets: ReportTargets, report: RunReport): void {
  keepInHistory(report);
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
