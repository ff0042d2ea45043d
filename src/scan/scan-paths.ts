/** `saferun scan` and the run pipeline share this: paths in, a versioned ScanResult out. */
import { riskLevelOf } from '../policy/risk-level.js';
import { createAnalyzer } from './engine/analyzer.js';
import { collectSources } from './inputs/collect.js';
import { DEFAULT_LIMITS, type InputLimits, type ScanSource } from './inputs/source.js';
import { applySuppressions, type Suppression } from './suppressions.js';
import { SEVERITIES, severityRank, type Finding, type ScanResult, type Severity, type SkippedFile } from './types.js';

export interface ScanOptions {
  cwd?: string;
  limits?: Partial<InputLimits>;
  suppressions?: Suppression[];
}

export interface ScanError {
  file: string;
  line: number;
  column: number;
  message: string;
}

export interface FullScanResult extends ScanResult {
  errors: ScanError[];
  suppressed: number;
  durationMs: number;
}

export async function scanPaths(paths: string[], options: ScanOptions = {}): Promise<FullScanResult> {
  const started = performance.now();
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const analyzer = await createAnalyzer();
  const findings: Finding[] = [];
  const skipped: SkippedFile[] = [];
  const errors: ScanError[] = [];
  let sources = 0;
  const analyse = (source: ScanSource): void => {
    sources++;
    const result = analyzer.analyze(source.displayPath, source.bytes);
    const where = (line: number): string => (source.lineMap ? ` (${source.lineMap(line)})` : '');
    for (const finding of result.findings) findings.push(source.lineMap ? { ...finding, message: `${finding.message}${where(finding.line)}` } : finding);
    for (const problem of result.parseErrors) errors.push({ file: source.displayPath, ...problem, message: `${problem.message}${where(problem.line)}` });
  };
  await collectSources(paths, options.cwd ?? process.cwd(), limits, {
    source: analyse,
    skip: (file, reason) => skipped.push({ file, reason }),
  });
  const { kept, suppressed } = applySuppressions(findings, options.suppressions ?? []);
  kept.sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || a.file.localeCompare(b.file) || a.line - b.line);
  const findingsBySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const finding of kept) findingsBySeverity[finding.severity]++;
  return {
    version: 1,
    riskLevel: riskLevelOf(kept),
    summary: { files: sources, findingsBySeverity },
    findings: kept,
    skipped,
    errors,
    suppressed,
    durationMs: Math.round(performance.now() - started),
  };
}
