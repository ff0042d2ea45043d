/**
 * What `saferun top` draws: every running run with CPU and memory bars against their limits, pids,
 * network, alerts; the selected run is marked. Pure: statuses and a size in, lines out.
 */
import { humanBytes, humanDuration } from '../run-record/format.js';
import type { RunStatus } from './run-status.js';

export interface TopScreenInput {
  runs: RunStatus[];
  selected: number;
  columns: number;
  rows: number;
  /** The outcome of the last key (cut, stop), shown at the bottom. */
  message?: string;
  color: boolean;
}

export function bar(value: number, limit: number, width: number): string {
  const share = limit > 0 ? Math.min(1, Math.max(0, value / limit)) : 0;
  const filled = Math.round(share * width);
  return `[${'█'.repeat(filled)}${'·'.repeat(width - filled)}]`;
}

function fit(text: string, columns: number): string {
  const chars = [...text];
  return chars.length <= columns ? text : `${chars.slice(0, Math.max(0, columns - 1)).join('')}…`;
}

/** Two lines per run. */
export function runLines(status: RunStatus, selected: boolean, columns: number): string[] {
  const { limits, sample } = status;
  const barWidth = columns >= 120 ? 20 : 10;
  const cpuLimit = limits.cpus * 100;
  const cpu = sample ? `CPU ${bar(sample.cpuPercent, cpuLimit, barWidth)} ${Math.round(sample.cpuPercent)}%/${cpuLimit > 0 ? `${Math.round(cpuLimit)}%` : '∞'}` : `CPU ${bar(0, 1, barWidth)} —`;
  const memory = sample ? `mem ${bar(sample.memoryBytes, limits.memoryBytes, barWidth)} ${humanBytes(sample.memoryBytes)}/${humanBytes(limits.memoryBytes)}` : `mem ${bar(0, 1, barWidth)} —`;
  const pids = `pids ${sample?.pids ?? '—'}/${limits.pids}`;
  const network = `net ↑${sample ? humanBytes(sample.txBytes) : '—'} ↓${sample ? humanBytes(sample.rxBytes) : '—'} conn ✓${status.connections?.allowed ?? '—'} ✗${status.connections?.denied ?? '—'}${status.networkCut ? ' CUT' : ''}`;
  const alerts = status.alerts > 0 ? `alerts ${status.alerts}: ${status.lastAlert ? `${status.lastAlert.severity} ${status.lastAlert.kind}` : ''}` : 'no alerts';
  const head = `${selected ? '▶' : ' '} ${status.runId}  ${status.script}  profile ${status.profile}  network ${status.network}  ⏱ ${humanDuration(status.elapsedMs)}/${humanDuration(limits.timeoutMs)}${status.monitored ? '' : '  (monitor off)'}`;
  return [fit(head, columns), fit(`    ${cpu}  ${memory}  ${pids}  ${network}  ${alerts}`, columns)];
}

export function renderTopScreen(input: TopScreenInput): string[] {
  const { runs, columns } = input;
  const lines = [fit(`saferun top — ${runs.length} running run${runs.length === 1 ? '' : 's'}    ↑/↓ select · c cut network · k stop · q quit`, columns), ''];
  if (runs.length === 0) lines.push('  no saferun run is running for this user');
  runs.forEach((run, i) => {
    const [head, body] = runLines(run, i === input.selected, columns);
    lines.push(input.color && i === input.selected ? `\u001b[7m${head}\u001b[0m` : head!, body!, '');
  });
  const room = Math.max(1, input.rows - 1);
  const shown = lines.slice(0, room);
  while (shown.length < room) shown.push('');
  shown.push(fit(input.message ?? '', columns));
  return shown;
}
