/** monitor.timeline: every sample until the bound, then evenly merged neighbours that keep the peaks. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Timeline, TIMELINE_MAX_POINTS } from '../../src/sandbox/monitor/timeline.js';
import type { TimelinePoint } from '../../src/run-record/types.js';

function point(i: number, over: Partial<TimelinePoint> = {}): TimelinePoint {
  return { atMs: i * 250, cpuPercent: 10, memoryBytes: 1000 + i, pids: 1, rxBytes: i * 10, txBytes: i * 5, ...over };
}

test('a short run keeps every sample as it came', () => {
  const timeline = new Timeline();
  for (let i = 0; i < 100; i++) timeline.add(point(i));
  const points = timeline.points();
  assert.equal(points.length, 100);
  assert.deepEqual(points[42], point(42));
});

test('a long run stays under the bound, evenly spaced, from start to end', () => {
  const timeline = new Timeline();
  const samples = 4 * 3600 * 4; // four hours at four samples a second
  for (let i = 0; i < samples; i++) timeline.add(point(i));
  const points = timeline.points();
  assert.ok(points.length <= TIMELINE_MAX_POINTS, `${points.length} points`);
  assert.ok(points.length >= TIMELINE_MAX_POINTS / 4, `${points.length} points is too coarse`);
  assert.equal(points[0]!.atMs, 0);
  assert.ok(points.at(-1)!.atMs >= (samples - 64) * 250, 'the end of the run is there (within one merged point)');
  const gaps = new Set(points.slice(0, -1).map((p, i) => points[i + 1]!.atMs - p.atMs));
  assert.equal(gaps.size, 1, `even spacing, got gaps ${[...gaps].join(', ')}`);
  assert.equal(points.at(-1)!.rxBytes, (samples - 1) * 10, 'traffic totals are the latest');
});

test('merging keeps a one-sample spike of CPU, memory and pids', () => {
  const timeline = new Timeline(100);
  for (let i = 0; i < 1000; i++) timeline.add(point(i, i === 555 ? { cpuPercent: 190, memoryBytes: 9e9, pids: 77 } : {}));
  const points = timeline.points();
  assert.ok(points.length <= 100);
  assert.equal(Math.max(...points.map((p) => p.cpuPercent)), 190);
  assert.equal(Math.max(...points.map((p) => p.memoryBytes)), 9e9);
  assert.equal(Math.max(...points.map((p) => p.pids)), 77);
});
