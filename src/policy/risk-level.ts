/**
 * Findings → the run's risk level. Pure.
 *
 * 1. Each finding counts at its severity when its confidence is medium or high, and one level
 *    lower when its confidence is low (a guess alone does not block a program).
 * 2. The risk level is the highest count among the findings; no findings means low.
 * 3. Two or more *different* medium-or-higher malware-behaviour categories (obfuscation,
 *    download-execute, backdoor, credential-theft, exfiltration, install-time, persistence,
 *    anti-analysis, destructive, spyware, cryptojacking) in one scan raise the level by one, up to critical: together they are the
 *    shape of malware even when each alone is ambiguous.
 */
import { SEVERITIES, type Finding, type RiskLevel } from '../findings/finding.js';

export const MALWARE_CATEGORIES = new Set(['obfuscation', 'download-execute', 'backdoor', 'credential-theft', 'exfiltration', 'install-time', 'persistence', 'anti-analysis', 'destructive', 'spyware', 'cryptojacking']);

export function effectiveSeverityRank(finding: Finding): number {
  const rank = SEVERITIES.indexOf(finding.severity);
  return finding.confidence === 'low' ? Math.max(0, rank - 1) : rank;
}

export function riskLevelOf(findings: readonly Finding[]): RiskLevel {
  let highest = 0;
  const malware = new Set<string>();
  for (const finding of findings) {
    const rank = effectiveSeverityRank(finding);
    highest = Math.max(highest, rank);
    if (rank >= 1 && MALWARE_CATEGORIES.has(finding.category)) malware.add(finding.category);
  }
  if (malware.size >= 2) highest = Math.min(highest + 1, SEVERITIES.length - 1);
  return SEVERITIES[highest]!;
}
