/** The versioned JSON scan format (docs/scan-output.md). */
import type { FullScanResult } from '../scan/scan-paths.js';

export function renderScanJson(result: FullScanResult): string {
  const { version, riskLevel, summary, findings, skipped, errors, suppressed } = result;
  return `${JSON.stringify({ version, riskLevel, summary, findings, skipped, errors, suppressed }, null, 2)}\n`;
}
