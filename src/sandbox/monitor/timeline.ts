/**
 * The run's usage over time, for the report's charts. Every sample is kept until the bound; then
 * neighbours are merged in pairs and later samples are merged as many at a time, so a long run
 * stays under the bound with even spacing. A merged point keeps the peaks (CPU, memory, pids) of
 * what it covers, so a spike never disappears from the chart, and the latest traffic totals.
 */
import type { TimelinePoint } from '../../run-record/types.js';

export const TIMELINE_MAX_POINTS = 2000;

function merge(a: TimelinePoint, b: TimelinePoint): TimelinePoint {
  return {
    atMs: a.atMs,
    cpuPercent: Math.max(a.cpuPercent, b.cpuPercent),
    memoryBytes: Math.max(a.memoryBytes, b.memoryBytes),
    pids: Math.max(a.pids, b.pids),
    rxBytes: Math.max(a.rxBytes, b.rxBytes),
    txBytes: Math.max(a.txBytes, b.txBytes),
  };
}

export class Timeline {
  private readonly kept: TimelinePoint[] = [];
  /** Samples merged into one kept point. */
  private stride = 1;
  private pending: TimelinePoint | undefined;
  private pendingCount = 0;

  constructor(private readonly maxPoints = TIMELINE_MAX_POINTS) {
    if (maxPoints < 2) throw new Error('a timeline needs room for at least two points');
  }

  add(point: TimelinePoint): void {
    const rounded = { ...point, cpuPercent: Math.round(point.cpuPercent * 10) / 10 };
    this.pending = this.pending ? merge(this.pending, rounded) : rounded;
    this.pendingCount++;
    if (this.pendingCount < this.stride) return;
    this.kept.push(this.pending);
    this.pending = undefined;
    this.pendingCount = 0;
    if (this.kept.length >= this.maxPoints) this.halve();
  }

  private halve(): void {
    const merged: TimelinePoint[] = [];
    for (let i = 0; i < this.kept.length; i += 2) {
      const next = this.kept[i + 1];
      merged.push(next ? merge(this.kept[i]!, next) : this.kept[i]!);
    }
    this.kept.length = 0;
    this.kept.push(...merged);
    this.stride *= 2;
  }

  /** The points so far, the partly filled last one included. */
  points(): TimelinePoint[] {
    return this.pending ? [...this.kept, this.pending] : [...this.kept];
  }
}
