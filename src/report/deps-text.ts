/** The dependency report for people: findings by file, most severe first; colour only on a terminal. */
import type { DependencyReport } from '../deps/types.js';
import { SEVERITIES, severityRank } from '../findings/finding.js';
import { findingsByFile, painter, SEVERITY_COLOR } from './text-style.js';

export function renderDepsText(report: DependencyReport, color: boolean): string {
  const paint = painter(color);
  const out: string[] = [];
  for (const [file, findings] of findingsByFile(report.findings)) {
    out.push(paint('1', file));
    for (const f of findings.sort((a, b) => a.line - b.line || severityRank(b.severity) - severityRank(a.severity))) {
      out.push(`  ${String(f.line).padStart(5)} ${paint(SEVERITY_COLOR[f.severity], f.severity.padEnd(8))} ${f.ruleId}  ${f.message}`);
      if (f.snippet) out.push(`  ${''.padEnd(5)} ${paint('2', f.snippet)}`);
    }
  }
  for (const skip of report.skipped) out.push(paint('2', `skipped ${skip.file}: ${skip.reason}`));
  const declared = report.dependencies.filter((d) => d.origin !== 'import').length;
  const imported = report.dependencies.length - declared;
  const counts = SEVERITIES.slice()
    .reverse()
    .map((s) => `${report.findings.filter((f) => f.severity === s).length} ${s}`)
    .join(', ');
  out.push(
    `${out.length ? '\n' : ''}risk ${paint(SEVERITY_COLOR[report.riskLevel], report.riskLevel)}: ${declared} declared in ${report.manifests.length} manifest(s), ${imported} only imported; ${counts} (PyPI names of ${report.data.pypiIndex}, advisories to ${report.data.advisories})`,
  );
  return `${out.join('\n')}\n`;
}
