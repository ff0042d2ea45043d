/**
 * Every run's report, kept in the state directory (`runs/<time>-<runId>.json`) so `saferun runs`
 * can list and show past runs. Bounded by count and total size: after each new report the oldest
 * are dropped. Files are written to a temp name and renamed, so a reader never sees half a report.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SaferunError } from '../errors.js';
import type { RunReport } from '../report/run-report.js';
import { stateDir } from '../util/state-dir.js';

export const HISTORY_MAX_RUNS = 200;
export const HISTORY_MAX_BYTES = 50 * 1024 * 1024;

export interface HistoryBounds {
  maxRuns: number;
  maxBytes: number;
}

/** One line of `saferun runs list`. */
export interface RunHistoryEntry {
  id: string;
  startedAt: string;
  command: string;
  profile: string;
  riskLevel: string;
  decision: string;
  exitReason: string;
  exitCode: number;
  durationMs: number;
  peak?: { cpuPercent: number; memoryBytes: number; processes: number };
  alerts: number;
  networkCut: boolean;
}

const FILE = /^(\d{8}T\d{9}Z)-([0-9a-f]{4,32})\.json$/;

function stamp(iso: string | undefined): string {
  const date = iso ? new Date(iso) : new Date();
  return (Number.isNaN(date.getTime()) ? new Date() : date).toISOString().replace(/[-:.]/g, '');
}

export function defaultHistoryDir(): string {
  return path.join(stateDir(), 'runs');
}

export class RunHistory {
  constructor(
    readonly dir = defaultHistoryDir(),
    private readonly bounds: HistoryBounds = { maxRuns: HISTORY_MAX_RUNS, maxBytes: HISTORY_MAX_BYTES },
  ) {}

  keep(report: RunReport): void {
    if (!/^[0-9a-f]{4,32}$/.test(report.runId)) throw new Error(`not a run id: ${report.runId}`);
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const name = `${stamp(report.startedAt)}-${report.runId}.json`;
    const temp = path.join(this.dir, `.${name}.${process.pid}.tmp`);
    writeFileSync(temp, JSON.stringify(report), { mode: 0o600 });
    renameSync(temp, path.join(this.dir, name));
    this.prune();
  }

  /** File names of kept reports, newest first. */
  private names(): string[] {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return names.filter((n) => FILE.test(n)).sort().reverse();
  }

  /** Drops the oldest reports past the count or size bound (the newest is always kept). */
  prune(): void {
    let total = 0;
    this.names().forEach((name, index) => {
      const file = path.join(this.dir, name);
      let size = 0;
      try {
        size = statSync(file).size;
      } catch {
        return; // another run pruned it already
      }
      total += size;
      if (index > 0 && (index >= this.bounds.maxRuns || total > this.bounds.maxBytes)) rmSync(file, { force: true });
    });
  }

  list(): { entries: RunHistoryEntry[]; unreadable: number } {
    const entries: RunHistoryEntry[] = [];
    let unreadable = 0;
    for (const name of this.names()) {
      try {
        entries.push(entryOf(JSON.parse(readFileSync(path.join(this.dir, name), 'utf8')) as RunReport, name));
      } catch {
        unreadable++;
      }
    }
    return { entries, unreadable };
  }

  /** The report of run `id` (a run id, or its first characters when they name one run). */
  read(id: string): RunReport {
    if (!/^[0-9a-f]{1,32}$/.test(id)) throw new SaferunError(`'${id}' is not a run id (hex digits, as \`saferun runs list\` shows them)`);
    const matches = this.names().filter((n) => FILE.exec(n)![2]!.startsWith(id));
    if (matches.length === 0) throw new SaferunError(`no run ${id} in the history (${this.dir}); see \`saferun runs list\``);
    const exact = matches.filter((n) => FILE.exec(n)![2] === id);
    if (exact.length === 0 && matches.length > 1) throw new SaferunError(`'${id}' names ${matches.length} runs; give more of the id`);
    const file = path.join(this.dir, (exact[0] ?? matches[0])!);
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as RunReport;
    } catch (error) {
      throw new SaferunError(`the report of run ${id} cannot be read (${file}): ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

function entryOf(report: RunReport, name: string): RunHistoryEntry {
  const m = report.monitor;
  return {
    id: report.runId,
    startedAt: report.startedAt ?? FILE.exec(name)![1]!,
    command: report.command,
    profile: report.profile,
    riskLevel: report.riskLevel,
    decision: report.decision,
    exitReason: report.exitReason,
    exitCode: report.exitCode,
    durationMs: report.durationMs,
    ...(m ? { peak: m.peak } : {}),
    alerts: m?.alerts.length ?? 0,
    networkCut: m?.networkCut !== undefined,
  };
}

/** Keeps the run's report; a history that cannot be written costs a warning, never the run. */
export function keepInHistory(report: RunReport, warn: (text: string) => void = (t) => process.stderr.write(`${t}\n`)): void {
  try {
    new RunHistory().keep(report);
  } catch (error) {
    warn(`saferun: warning: the run history was not kept: ${(error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error))}`);
  }
}
