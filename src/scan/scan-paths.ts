/** `saferun scan` and the run pipeline share this: paths in, a versioned ScanResult out. */
import { createHash } from 'node:crypto';
import os from 'node:os';
import { riskLevelOf } from '../policy/risk-level.js';
import { createAnalyzer, engineVersion, type SourceAnalysis } from './engine/analyzer.js';
import { collectSources } from './inputs/collect.js';
import { DEFAULT_LIMITS, type InputLimits, type ScanSource } from './inputs/source.js';
import { ScanCache, type CachedUnit, type ContentResult, type FileOrigin } from './scan-cache.js';
import { applySuppressions, type Suppression } from './suppressions.js';
import { SEVERITIES, severityRank, type Finding, type ScanResult, type Severity, type SkippedFile } from './types.js';
import { AnalyzerPool } from './worker-pool.js';

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
  const sources: ScanSource[] = [];
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
  const jobs = options.jobs ?? os.availableParallelism();
  // Once enough sources need analysis, the pool's threads start (loading the parser takes them
  // ~150 ms) while the rest of the tree is still walked. Cached files never start it.
  let pool: AnalyzerPool | undefined;
  await collectSources(paths, options.cwd ?? process.cwd(), limits, {
    source: (source) => {
      sources.push(source);
      if (sources.length === POOL_THRESHOLD && jobs > 1) pool = new AnalyzerPool(jobs);
    },
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
  });
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
  // Sources whose content was analysed before (another path, an earlier scan) are not parsed
  // again; of identical sources in this scan only the first is.
  const toAnalyse: ScanSource[] = [];
  const waiting = new Map<string, ScanSource[]>();
  for (const source of sources) {
    if (source.lineMap) {
      toAnalyse.push(source);
      continue;
    }
    const hash = contentHash(source);
    if (cache?.content(hash)) record(source, NO_ANALYSIS);
    else if (waiting.has(hash)) waiting.get(hash)!.push(source);
    else {
      waiting.set(hash, []);
      toAnalyse.push(source);
    }
  }
  const recordWithTwins = (source: ScanSource, result: SourceAnalysis): void => {
    record(source, result);
    if (!source.lineMap) for (const twin of waiting.get(contentHash(source)) ?? []) record(twin, result);
  };
  if (toAnalyse.length < POOL_THRESHOLD || jobs <= 1) {
    await pool?.close();
    const analyzer = toAnalyse.length > 0 ? await createAnalyzer() : undefined;
    for (const source of toAnalyse) recordWithTwins(source, analyzer!.analyze(source.displayPath, source.bytes));
  } else {
    const running = pool ?? new AnalyzerPool(jobs);
    try {
      // largest first: the threads finish together instead of one waiting on a big file at the end
      const bySize = [...toAnalyse].sort((a, b) => b.bytes.length - a.bytes.length);
      await Promise.all(
        bySize.map(async (source) => {
          const result = await running.analyze(source.displayPath, source.bytes);
          if ('analysis' in result) return recordWithTwins(source, result.analysis);
          for (const one of [source, ...(waiting.get(contentHash(source)) ?? [])]) {
            skipped.push({ file: one.displayPath, reason: 'time budget exceeded' });
            if (one.origin) produced.set(one.origin, undefined); // may pass next time: do not cache
          }
        }),
      );
    } finally {
      await running.close();
    }
  }
  if (cache) {
    for (const [origin, units] of produced) if (units) cache.set(origin, units);
    await cache.save().catch(() => undefined); // a read-only cache dir only costs speed
  }
  const { kept, suppressed } = applySuppressions(findings, options.suppressions ?? []);
  kept.sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || a.file.localeCompare(b.file) || a.line - b.line);
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
