import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration, parseSize } from '../../src/config/units.js';

test('sizes', () => {
  const cases: [string | number, number | null][] = [
    ['512m', 512 * 1024 ** 2],
    ['2g', 2 * 1024 ** 3],
    ['1.5G', 1.5 * 1024 ** 3],
    ['64k', 65536],
    ['100', 100],
    [4096, 4096],
    ['12 parsecs', null],
    ['-1m', null],
    ['', null],
  ];
  for (const [input, expected] of cases) {
    const result = parseSize(input);
    if (expected === null) {
      assert.equal(result.ok, false, String(input));
      assert.match((result as { problem: string }).problem, /is not a size; use e\.g\. 512m, 2g/);
    } else assert.deepEqual(result, { ok: true, value: expected }, String(input));
  }
});

test('durations', () => {
  const cases: [string | number, number | null][] = [
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['250ms', 250],
    ['90', 90_000],
    [2, 2000],
    ['0s', null],
    ['soon', null],
  ];
  for (const [input, expected] of cases) {
    const result = parseDuration(input);
    if (expected === null) assert.equal(result.ok, false, String(input));
    else assert.deepEqual(result, { ok: true, value: expected }, String(input));
  }
});
