/**
 * The one-line live status of a run, for the bottom row of the terminal. Pure: a RunStatus and a
 * width in, a line out (colour codes only when asked; they take no columns).
 */
import { humanBytes, humanDuration } from '../run-record/format.js';
import type { RunStatus } from './run-status.js';

export interface LineStyle {
  color: boolean;
}

const DASH = '—';

function percentOf(value: number, limit: number): number {
  return limit > 0 ? value / limit : 0;
}

/** Segments in order of importance; the line drops the last ones that do not fit. */
export function statusSegments(status: RunStatus): { text: string; level: 'ok' | 'warn' | 'bad' }[] {
  const { limits, sample } = status;
  const level = (share: number): 'ok' | 'warn' | 'bad' => (share >= 0.9 ? 'bad' : share >= 0.75 ? 'warn' : 'ok');
  const cpuLimit = limits.cpus > 0 ? `${Math.round(limits.cpus * 100)}%` : '∞';
  const segments: { text: string; level: 'ok' | 'warn' | 'bad' }[] = [
    { text: `⏱ ${humanDuration(status.elapsedMs)}/${humanDuration(limits.timeoutMs)}`, level: level(percentOf(status.elapsedMs, limits.timeoutMs)) },
    sample
      ? { text: `CPU ${Math.round(sample.cpuPercent)}%/${cpuLimit}`, level: level(percentOf(sample.cpuPercent, limits.cpus * 100)) }
      : { text: `CPU ${DASH}/${cpuLimit}`, level: 'ok' },
    sample
      ? { text: `mem ${humanBytes(sample.memoryBytes)}/${humanBytes(limits.memoryBytes)}`, level: level(percentOf(sample.memoryBytes, limits.memoryBytes)) }
      : { text: `mem ${DASH}/${humanBytes(limits.memoryBytes)}`, level: 'ok' },
    sample ? { text: `pids ${sample.pids}/${limits.pids}`, level: level(percentOf(sample.pids, limits.pids)) } : { text: `pids ${DASH}/${limits.pids}`, level: 'ok' },
    { text: `net ↑${sample ? humanBytes(sample.txBytes) : DASH} ↓${sample ? humanBytes(sample.rxBytes) : DASH}${status.networkCut ? ' CUT' : ''}`, level: status.networkCut ? 'bad' : 'ok' },
    {
      text: `conn ✓${status.connections?.allowed ?? DASH} ✗${status.connections?.denied ?? DASH}`,
      level: (status.connections?.denied ?? 0) > 0 ? 'warn' : 'ok',
    },
  ];
  if (status.lastAlert) segments.push({ text: `⚠ ${status.lastAlert.severity} ${status.lastAlert.kind}: ${status.lastAlert.detail}`, level: 'bad' });
  return segments;
}

const COLORS = { ok: '', warn: '33', bad: '31' } as const;

/** Characters this line takes on screen (the symbols used are one column each). */
function width(text: string): number {
  return [...text].length;
}

function cut(text: string, columns: number): string {
  const chars = [...text];
  return chars.length <= columns ? text : `${chars.slice(0, Math.max(0, columns - 1)).join('')}…`;
}

export function formatStatusLine(status: RunStatus, columns: number, style: LineStyle): string {
  const prefix = 'saferun ';
  const separator = ' │ ';
  const parts: { text: string; level: 'ok' | 'warn' | 'bad' }[] = [];
  let used = width(prefix);
  for (const segment of statusSegments(status)) {
    const extra = (parts.length > 0 ? width(separator) : 0) + width(segment.text);
    if (used + extra > columns) {
      // the alert is worth showing cut short; other figures are shown whole or not at all
      const room = columns - used - (parts.length > 0 ? width(separator) : 0);
      if (segment.level === 'bad' && segment.text.startsWith('⚠') && room >= 12) parts.push({ ...segment, text: cut(segment.text, room) });
      break;
    }
    parts.push(segment);
    used += extra;
  }
  const paint = (s: { text: string; level: 'ok' | 'warn' | 'bad' }): string => (style.color && COLORS[s.level] ? `\u001b[${COLORS[s.level]}m${s.text}\u001b[0m` : s.text);
  const body = parts.map(paint).join(separator);
  const line = `${prefix}${body}`;
  return style.color ? `\u001b[7m${prefix}\u001b[0m${body}` : cut(line, columns);
}
