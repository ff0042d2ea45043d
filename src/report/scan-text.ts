/** The scan report for people: grouped by file, most severe first; colour only on a terminal. */
import type { FullScanResult } from '../scan/scan-paths.js';
import { SEVERITIES } from '../findings/finding.js';
import { findingsByFile, painter, SEVERITY_COLOR } from './text-style.js';

export function renderScanText(result: FullScanResult, color: boolean): string {
  const paint = painter(color);
  const out: string[] = [];
  for (const [file, findings] of findingsByFile(result.findings)) {
    out.push(paint('1', file));
    for (const f of findings.sort((a, b) => a.line - b.line)) {
      out.push(`  ${String(f.line).padStart(5)}:${String(f.column).padEnd(3)} ${paint(SEVERITY_COLOR[f.severity], f.severity.padEnd(8))} ${f.ruleId}  ${f.message}`);
      if (f.snippet) out.push(`  ${''.padEnd(9)} ${paint('2', f.snippet)}`);
    }
  }
  for (const error of result.errors) out.push(`${error.file}:${error.line}:${error.column}: ${error.message}`);
  for (const skip of result.skipped) out.push(paint('2', `skipped ${skip.file}: ${skip.reason}`));
  const counts = SEVERITIES.slice().reverse().map((s) => `${result.summary.findingsBySeverity[s]} ${s}`).join(', ');
  const suppressed = result.suppressed ? `, ${result.suppressed} suppressed by your configuration` : '';
  out.push(`${out.length ? '\n' : ''}risk ${paint(SEVERITY_COLOR[result.riskLevel], result.riskLevel)}: ${result.summary.files} file(s), ${counts}${suppressed}, ${result.skipped.length} skipped (${(result.durationMs / 1000).toFixed(1)}s${result.parsed < result.summary.files ? `, ${result.summary.files - result.parsed} from cache` : ''})`);
  return `${out.join('\n')}\n`;
}
