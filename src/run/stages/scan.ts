/** Stage 1: scan what will run with the same engine as `saferun scan`. */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { createAnalyzer } from '../../scan/engine/analyzer.js';
import { riskLevelOf } from '../../policy/risk-level.js';
import { severityRank, type Finding, type RiskLevel, type SkippedFile } from '../../findings/finding.js';
import { incompleteScanFinding } from './scan-incomplete.js';

export interface ScanStageInput {
  files: string[];
  inlineCode?: string;
  /** The analyser's time budget per file (tests shorten it; default the analyser's). */
  fileBudgetMs?: number;
}

export interface ScanStageOutput {
  riskLevel: RiskLevel;
  findings: Finding[];
  skipped: SkippedFile[];
  durationMs: number;
}

const MAX_SCRIPT_BYTES = 10 * 1024 * 1024;

export async function scanStage(input: ScanStageInput): Promise<ScanStageOutput> {
  const t0 = performance.now();
  // a setup.py being run gets its declared dependencies checked too; other programs skip loading that
  const analyzer = await createAnalyzer({
    setupScripts: input.files.some((f) => path.basename(f) === 'setup.py'),
    ...(input.fileBudgetMs === undefined ? {} : { fileBudgetMs: input.fileBudgetMs }),
  });
  const findings: Finding[] = [];
  const skipped: SkippedFile[] = [];
  const sources: [string, Uint8Array][] = [];
  if (input.inlineCode !== undefined) sources.push(['<-c>', Buffer.from(input.inlineCode, 'utf8')]);
  for (const file of input.files) {
    const size = statSync(file).size;
    if (size > MAX_SCRIPT_BYTES) {
      // Too large to analyse quickly: that alone is suspicious for a script, so it is a finding, not a pass.
      skipped.push({ file, reason: `larger than ${MAX_SCRIPT_BYTES} bytes` });
      findings.push(oversizedFinding(file, size));
      continue;
    }
    sources.push([file, readFileSync(file)]);
  }
  for (const [file, bytes] of sources) {
    const analysis = analyzer.analyze(file, bytes);
    findings.push(...analysis.findings);
    if (analysis.incomplete) findings.push(incompleteScanFinding(file, analysis.incomplete));
  }
  findings.sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || a.file.localeCompare(b.file) || a.line - b.line);
  return { riskLevel: riskLevelOf(findings), findings, skipped, durationMs: Math.round(performance.now() - t0) };
}

function oversizedFinding(file: string, size: number): Finding {
  return {
    ruleId: 'oversized-script',
    title: 'Script too large to analyse',
    severity: 'high',
    confidence: 'medium',
    category: 'obfuscation',
    cwe: 'CWE-506',
    file,
    line: 1,
    column: 1,
    endLine: 1,
    snippet: '',
    message: `the script is ${size} bytes; scripts this large are usually generated or obfuscated, so it was not analysed`,
  };
}
