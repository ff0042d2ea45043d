/** `saferun scan` and the run pipeline share this: paths in, a versioned ScanResult out. */
import { createHash } from 'node:crypto';
import os from 'node:os';
import { riskLevelOf } from '../policy/risk-level.js';
import { createAnalyzer, engineVersion, type SourceAnalysis } from './engine/analyzer.js';
import { collectSources } from './inputs/collect.js';
import { DEFAULT_LIMITS, type InputLimits, type ScanSource } from './inputs/source.js';
import { ScanCache, type CachedUnit, type ContentResult, type FileOrigin } from './scan-cache.js';
import { applySuppressions, type Suppression } from './suppressions.js';
import { SEVERITIES, severityRank, type Finding, type Severity, type SkippedFile } from '../findings/finding.js';
import type { ScanResult } from './types.js';
import { AnalyzerPool } from './worker-pool.js';
import { packageNameFindings } from '../deps/package-name.js';

export interface ScanOptions {
  cwd?: string;
  limits?: Partial<InputLimits>;
  suppressions?: Suppression[];
  /** Worker threads (default: one per core; small scans stay on this thread). */
  jobs?: number;
  /** Reuse results of unchanged files (default true). */
  cache?: boolean;
  cacheDir?: string;
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
  /** Sources actually parsed this time (the rest came from the cache or were identical to one). */
  parsed: number;
}

const hashes = new WeakMap<ScanSource, string>();

/** The sha256 of a source's bytes, computed once. */
function contentHash(source: ScanSource): string {
  let hash = hashes.get(source);
  if (!hash) {
    hash = createHash('sha256').update(source.bytes).digest('hex');
    hashes.set(source, hash);
  }
  return hash;
}

/** Passed to record() for a source whose content result is already known. */
const NO_ANALYSIS: SourceAnalysis = { findings: [], parseErrors: [] };

/** Below this many sources a worker pool costs more than it saves. */
const POOL_THRESHOLD = 24;

export async function scanPaths(paths: string[], options: ScanOptions = {}): Promise<FullScanResult> {
  const started = performance.now();
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const cache = options.cache === false ? undefined : await ScanCache.open(engineVersion(), options.cacheDir);
  const findings: Finding[] = [];
  const skipped: SkippedFile[] = [];
  const errors: ScanError[] = [];
  /** What each disk file produced this time, for the cache; undefined: do not cache it. */
  const produced = new Map<FileOrigin, CachedUnit[] | undefined>();
  let analysed = 0;
  const unitsOf = (origin: FileOrigin | undefined): CachedUnit[] | undefined => {
    if (!origin) return undefined;
    if (!produced.has(origin)) produced.set(origin, []);
    return produced.get(origin);
  };
  /** Analyses by content hash made in this run (they go to the cache too). */
  const byContent = new Map<string, ContentResult>();
  const contentResult = (hash: string): ContentResult | undefined => byContent.get(hash) ?? cache?.content(hash);
  const replay = (unit: CachedUnit): void => {
    if ('skip' in unit) return void skipped.push({ file: unit.displayPath, reason: unit.skip });
    analysed++;
    if ('content' in unit) {
      const result = contentResult(unit.content)!;
      for (const finding of result.findings) findings.push({ ...finding, file: unit.displayPath });
      for (const problem of result.problems) errors.push({ ...problem, file: unit.displayPath });
    } else {
      findings.push(...unit.findings);
      errors.push(...unit.errors);
    }
  };
  const record = (source: ScanSource, result: SourceAnalysis): void => {
    let unit: CachedUnit;
    if (source.lineMap) {
      // notebooks: messages name the cell, which depends on the notebook, not on the code alone
      const where = (line: number): string => ` (${source.lineMap!(line)})`;
      unit = {
        displayPath: source.displayPath,
        findings: result.findings.map((f) => ({ ...f, message: `${f.message}${where(f.line)}` })),
        errors: result.parseErrors.map((p) => ({ file: source.displayPath, ...p, message: `${p.message}${where(p.line)}` })),
      };
    } else {
      const hash = contentHash(source);
      if (!contentResult(hash)) {
        const stored: ContentResult = { findings: result.findings.map(({ file: _file, ...rest }) => rest), problems: result.parseErrors };
        byContent.set(hash, stored);
        cache?.setContent(hash, stored);
      }
      unit = { displayPath: source.displayPath, content: hash };
    }
    unitsOf(source.origin)?.push(unit);
    replay(unit);
  };
  /** Sources waiting for the analysis of an identical one, by content hash. */
  const twins = new Map<string, ScanSource[]>();
  const twinsOf = (source: ScanSource): ScanSource[] => (source.lineMap ? [] : (twins.get(contentHash(source)) ?? []));
  const recordWithTwins = (source: ScanSource, result: SourceAnalysis): void => {
    for (const one of [source, ...twinsOf(source)]) record(one, result);
  };
  const timedOut = (source: ScanSource): void => {
    for (const one of [source, ...twinsOf(source)]) {
      skipped.push({ file: one.displayPath, reason: 'time budget exceeded' });
      if (one.origin) produced.set(one.origin, undefined); // may pass next time: do not cache
    }
  };
  const jobs = options.jobs ?? os.availableParallelism();
  // Sources go to the pool as they are found, so parsing overlaps the walk. The pool starts once
  // enough sources need analysis (its threads take ~150 ms to load the parser); a cached scan
  // never starts it, a small one analyses on this thread.
  const toAnalyse: ScanSource[] = [];
  /** Wheels and sdists met: their own names are checked for typosquatting. */
  const archives: string[] = [];
  let pool: AnalyzerPool | undefined;
  const analyses: Promise<void>[] = [];
  const send = (running: AnalyzerPool, source: ScanSource): void => {
    analyses.push(running.analyze(source.displayPath, source.bytes).then((result) => ('analysis' in result ? recordWithTwins(source, result.analysis) : timedOut(source))));
  };
  const admit = (source: ScanSource): void => {
    // content analysed before (another path, an earlier scan) is not parsed again; of identical
    // sources in this scan only the first is
    if (!source.lineMap) {
      const hash = contentHash(source);
      if (contentResult(hash)) return record(source, NO_ANALYSIS);
      const waiting = twins.get(hash);
      if (waiting) return void waiting.push(source);
      twins.set(hash, []);
    }
    toAnalyse.push(source);
    if (pool) send(pool, source);
    else if (toAnalyse.length === POOL_THRESHOLD && jobs > 1) {
      const created = new AnalyzerPool(jobs);
      pool = created;
      for (const earlier of toAnalyse) send(created, earlier);
    }
  };
  try {
    await collectSources(paths, options.cwd ?? process.cwd(), limits, {
      source: admit,
      skip: (file, reason, origin) => {
        skipped.push({ file, reason });
        unitsOf(origin)?.push({ displayPath: file, skip: reason });
      },
      cached: (origin) => {
        const units = cache?.get(origin);
        if (!units) return false;
        units.forEach(replay);
        return true;
      },
      visited: (origin) => void unitsOf(origin),
      archive: (displayPath) => void archives.push(displayPath),
    });
    if (pool) await Promise.all(analyses);
    else if (toAnalyse.length > 0) {
      const analyzer = await createAnalyzer();
      for (const source of toAnalyse) recordWithTwins(source, analyzer.analyze(source.displayPath, source.bytes));
    }
  } finally {
    await (pool as AnalyzerPool | undefined)?.close();
  }
  if (cache) {
    for (const [origin, units] of produced) if (units) cache.set(origin, units);
    await cache.save().catch(() => undefined); // a read-only cache dir only costs speed
  }
  findings.push(...packageNameFindings(archives));
  const { kept, suppressed } = applySuppressions(findings, options.suppressions ?? []);
  kept.sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.ruleId.localeCompare(b.ruleId) || a.message.localeCompare(b.message));
  const findingsBySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const finding of kept) findingsBySeverity[finding.severity]++;
  return {
    version: 1,
    riskLevel: riskLevelOf(kept),
    summary: { files: analysed, findingsBySeverity },
    findings: kept,
    skipped,
    errors,
    suppressed,
    durationMs: Math.round(performance.now() - started),
    parsed: toAnalyse.length,
  };
}
