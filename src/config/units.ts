/** Parsing of human sizes ("512m", "2g") and durations ("90s", "5m") with messages that say what is accepted. */

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, m: 1024 ** 2, mb: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3 };
const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, '': 1000, m: 60_000, min: 60_000, h: 3_600_000 };

/**
 * The range a run's timeout may take, in ms (profiles and --timeout alike). The upper bound keeps
 * well inside what a Node timer can hold (2^31-1 ms, ~24.8 days; beyond it the timer fires at once).
 */
export const TIMEOUT_RANGE_MS = { min: 100, max: 7 * 24 * 3_600_000 } as const;

export type ParseResult = { ok: true; value: number } | { ok: false; problem: string };

export function parseSize(input: string | number): ParseResult {
  if (typeof input === 'number') {
    return Number.isFinite(input) && input >= 0 ? { ok: true, value: Math.floor(input) } : { ok: false, problem: `'${input}' is not a size; use e.g. 512m, 2g` };
  }
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(input);
  const unit = match?.[2]?.toLowerCase();
  if (!match || unit === undefined || !(unit in SIZE_UNITS)) return { ok: false, problem: `'${input}' is not a size; use e.g. 512m, 2g` };
  return { ok: true, value: Math.floor(Number(match[1]) * SIZE_UNITS[unit]!) };
}

export function parseDuration(input: string | number): ParseResult {
  if (typeof input === 'number') {
    return Number.isFinite(input) && input > 0 ? { ok: true, value: Math.round(input * 1000) } : { ok: false, problem: `'${input}' is not a duration; use e.g. 30s, 5m, 1h` };
  }
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(input);
  const unit = match?.[2]?.toLowerCase();
  if (!match || unit === undefined || !(unit in DURATION_UNITS)) return { ok: false, problem: `'${input}' is not a duration; use e.g. 30s, 5m, 1h` };
  const value = Math.round(Number(match[1]) * DURATION_UNITS[unit]!);
  if (!Number.isSafeInteger(value)) return { ok: false, problem: `'${input}' is too long; use e.g. 30s, 5m, 1h` };
  return value > 0 ? { ok: true, value } : { ok: false, problem: `'${input}' must be longer than zero` };
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3 && bytes % 1024 ** 3 === 0) return `${bytes / 1024 ** 3}g`;
  if (bytes >= 1024 ** 2 && bytes % 1024 ** 2 === 0) return `${bytes / 1024 ** 2}m`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024}k`;
  return `${bytes}b`;
}

export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
