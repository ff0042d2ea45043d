/**
 * The vocabulary every stage shares: a finding, its severity and confidence, a run's risk level,
 * and a file that could not be read. The scanner and the dependency check both produce findings;
 * the policy and the reports consume them, so this sits below all of them.
 */

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** A run's overall risk uses the same four levels as a finding's severity. */
export type RiskLevel = Severity;
export const RISK_LEVELS = SEVERITIES;

export const CONFIDENCES = ['low', 'medium', 'high'] as const;
export type Confidence = (typeof CONFIDENCES)[number];

export interface Finding {
  ruleId: string;
  title: string;
  severity: Severity;
  confidence: Confidence;
  category: string;
  cwe: string;
  file: string;
  line: number;
  column: number;
  endLine: number;
  snippet: string;
  message: string;
}

export interface SkippedFile {
  file: string;
  reason: string;
}

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}
