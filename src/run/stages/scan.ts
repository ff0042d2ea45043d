/**
 * Stage 1: scan everything the program can import or run as code, with the same engine (and
 * cache) as `saferun scan`: the entry script, the trees it can import from (the working dir, which
 * is the program's cwd and sys.path[0]; .pth files in them included), the package of a -m target,
 * and code given with -c. The risk level is the highest over all of them, and findings name their
 * file. A source too large to analyse, a compiled module, and a file whose analysis did not finish
 * count as high findings: hiding code behind a limit must not lower the risk.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { createAnalyzer } from '../../scan/engine/analyzer.js';
import { riskLevelOf } from '../../policy/risk-level.js';
import { scanPaths } from '../../scan/scan-paths.js';
import { COMPILED_MODULE_SKIP, isPthName, isPythonName } from '../../scan/inputs/source.js';
import { severityRank, type Finding, type RiskLevel, type SkippedFile } from '../../findings/finding.js';
import { isInside } from '../../util/paths.js';
import { incompleteScanFinding } from './scan-incomplete.js';

export interface ScanStageInput {
  /** Entry files (the script, the -m module's file): analysed on their own, as before. */
  files: string[];
  /** Directory trees the program can import from (scanned with scanPaths and its cache). */
  roots?: string[];
  inlineCode?: string;
  /** Findings in the trees name files relative to this directory (the working dir). */
  displayBase?: string;
  /** The analyser's time budget per file (tests shorten it; default the analyser's). */
  fileBudgetMs?: number;
}

export interface ScanStageOutput {
  riskLevel: RiskLevel;
  findings: Finding[];
  skipped: SkippedFile[];
  /** Files analysed or taken from the cache. */
  files: number;
  durationMs: number;
}

const MAX_SCRIPT_BYTES = 10 * 1024 * 1024;
/** Skip reasons that leave a source unread though python would run it. */
const UNANALYSED = /^larger than|time budget/;

export async function scanStage(input: ScanStageInput): Promise<ScanStageOutput> {
  const t0 = performance.now();
  const roots = input.roots ?? [];
  const displayBase = input.displayBase ?? process.cwd();
  const shown = (file: string): string => (isInside(file, displayBase) ? path.relative(displayBase, file) : file);
  // a setup.py being run gets its declared dependencies checked too; other programs skip loading that
  const analyzer = await createAnalyzer({
    setupScripts: input.files.some((f) => path.basename(f) === 'setup.py'),
    ...(input.fileBudgetMs === undefined ? {} : { fileBudgetMs: input.fileBudgetMs }),
  });
  const findings: Finding[] = [];
  const skipped: SkippedFile[] = [];
  let files = 0;
  const sources: [string, Uint8Array][] = [];
  if (input.inlineCode !== undefined) sources.push(['<-c>', Buffer.from(input.inlineCode, 'utf8')]);
  for (const file of input.files) {
    const size = statSync(file).size;
    if (size > MAX_SCRIPT_BYTES) {
      skipped.push({ file: shown(file), reason: `larger than ${MAX_SCRIPT_BYTES} bytes` });
      findings.push(unanalysedFinding({ file: shown(file), reason: `${size} bytes` }));
      continue;
    }
    sources.push([shown(file), readFileSync(file)]);
  }
  for (const [file, bytes] of sources) {
    const analysis = analyzer.analyze(file, bytes);
    findings.push(...analysis.findings);
    if (analysis.incomplete) findings.push(incompleteScanFinding(file, analysis.incomplete));
    files++;
  }
  if (roots.length > 0) {
    // the entry files were analysed above: their findings from the tree walk would be duplicates
    const entries = new Set(input.files.map(shown));
    const result = await scanPaths(roots, { cwd: displayBase });
    findings.push(...result.findings.filter((f) => !entries.has(f.file)));
    skipped.push(...result.skipped);
    files += result.summary.files;
    for (const skip of result.skipped) {
      if (entries.has(skip.file)) continue;
      if (UNANALYSED.test(skip.reason) && (isPythonName(skip.file) || isPthName(skip.file))) findings.push(unanalysedFinding(skip));
      else if (skip.reason === COMPILED_MODULE_SKIP) findings.push(compiledModuleFinding(skip));
    }
  }
  findings.sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || a.file.localeCompare(b.file) || a.line - b.line);
  return { riskLevel: riskLevelOf(findings), findings, skipped, files, durationMs: Math.round(performance.now() - t0) };
}

function compiledModuleFinding(skip: SkippedFile): Finding {
  return {
    ...unanalysedFinding(skip),
    ruleId: 'compiled-module',
    title: 'Compiled module that cannot be analysed',
    message: `${skip.file} is bytecode or native code the program can import in place of a source; it cannot be analysed`,
  };
}

function unanalysedFinding(skip: SkippedFile): Finding {
  return {
    ruleId: 'oversized-script',
    title: 'Source too large to analyse',
    severity: 'high',
    confidence: 'medium',
    category: 'obfuscation',
    cwe: 'CWE-506',
    file: skip.file,
    line: 1,
    column: 1,
    endLine: 1,
    snippet: '',
    message: `${skip.file} was not analysed (${skip.reason}); sources this large are usually generated or obfuscated, and the program could run it`,
  };
}
