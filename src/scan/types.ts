/** What a scan returns. The finding vocabulary itself lives in findings/ (the dependency check shares it). */
import type { Finding, RiskLevel, Severity, SkippedFile } from '../findings/finding.js';

// Types only (erased at run time, so no folder cycle can hide here): new code imports findings/.
export type { Severity, RiskLevel, Confidence, Finding, SkippedFile } from '../findings/finding.js';

export interface ScanResult {
  version: 1;
  riskLevel: RiskLevel;
  summary: { files: number; findingsBySeverity: Record<Severity, number> };
  findings: Finding[];
  skipped: SkippedFile[];
}
