/**
 * The run report contract (`--report FILE.json`, `--json`). Versioned: fields are only added;
 * a change of meaning bumps `version`. Documented in README.md.
 */
import { writeFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import type { ExitReason, MonitorSummary, SandboxEvent, SandboxSummary } from '../run-record/types.js';
import type { Finding, RiskLevel } from '../findings/finding.js';
import type { NetworkMode } from '../config/profile.js';
import type { PackageReport } from '../packages/types.js';
import { renderRunHtml } from './run-html.js';

export type ReportExitReason = ExitReason | 'blocked';

export interface RunReport {
  version: 1;
  runId: string;
  /** When the run began (ISO 8601). */
  startedAt?: string;
  /** Why the decision was taken, in words. */
  reason?: string;
  command: string;
  profile: string;
  riskLevel: RiskLevel;
  decision: 'run' | 'ask-yes' | 'ask-no' | 'block' | 'dry-run';
  exitCode: number;
  exitReason: ReportExitReason;
  durationMs: number;
  findings: Finding[];
  events: SandboxEvent[];
  sandbox: SandboxSummary | null;
  snapshot?: { id: string; files: number; bytesAdded: number; durationMs: number };
  /** What the live monitor saw: peaks, traffic, processes, alerts and whether the network was cut. */
  monitor?: MonitorSummary;
  /** Present when the program ran. */
  network?: NetworkReport;
  /** Distributions installed for the program: each inspected before install; their findings are in `findings` too. */
  packages?: PackageReport[];
  /** Present when the program declares or imports dependencies; their findings are in `findings` (ruleId dep-*). */
  dependencies?: { riskLevel: RiskLevel; manifests: string[]; checked: number; names: string[]; data: { pypiIndex: string; advisories: string } };
}

/** The run's network: its mode, what was allowed, every connection through the proxy (the first 1000), what was denied, the cut. */
export interface NetworkReport {
  mode: NetworkMode;
  allow: string[];
  connections: { atMs: number; host: string; port: number; address: string | null; allowed: boolean; reason: string; bytesUp: number; bytesDown: number; durationMs: number }[];
  /** host:port of every refused connection, once each */
  denied: string[];
  cut: { atMs: number; reason: string } | null;
}

/**
 * Written next to the target then renamed, so a reader never sees half a report. A name ending in
 * .html or .htm gets the HTML page, any other the JSON.
 */
export function writeReportFile(file: string, report: RunReport): void {
  const target = path.resolve(file);
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`);
  writeFileSync(temp, isHtmlName(target) ? renderRunHtml(report) : `${JSON.stringify(report, null, 2)}\n`);
  renameSync(temp, target);
}

export function isHtmlName(file: string): boolean {
  return /\.html?$/i.test(file);
}
