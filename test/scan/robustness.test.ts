/** Hostile input never crashes or hangs the analyser (bounded: a few seconds). */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createAnalyzer, type Analyzer } from '../../src/scan/engine/analyzer.js';
import { packageRoot } from '../../src/util/package-info.js';
import { fuzzSeed, randomBytesFrom, seededRandom, withSeed } from '../support/fuzz.js';

let analyzer: Analyzer;
before(async () => {
  analyzer = await createAnalyzer();
});

const FUZZ_INPUTS = 300;
/** One input that takes longer than this fails the test (the pool replaces the stuck worker) instead of hanging the file. */
const PER_INPUT_BUDGET_MS = 15_000;

test('random bytes, truncations and mutations of real code', { timeout: 240_000 }, async () => {
  const seed = fuzzSeed();
  await withSeed(seed, async () => {
    const real = readFileSync(path.join(packageRoot(), 'test', 'fixtures', 'rules', 'encoded-payload-exec.py'));
    const random = seededRandom(seed);
    const inputs: Uint8Array[] = [];
    for (let i = 0; i < FUZZ_INPUTS; i++) {
      const kind = i % 3;
      if (kind === 0) inputs.push(randomBytesFrom(random, Math.floor(random() * 4096)));
      else if (kind === 1) inputs.push(real.subarray(0, Math.floor(random() * real.length)));
      else {
        const copy = Buffer.from(real);
        for (let j = 0; j < 20; j++) copy[Math.floor(random() * copy.length)] = Math.floor(random() * 256);
        inputs.push(copy);
      }
    }
    const { AnalyzerPool } = await import('../../src/scan/worker-pool.js');
    const pool = new AnalyzerPool(1, PER_INPUT_BUDGET_MS);
    try {
      for (const [i, input] of inputs.entries()) {
        const result = await pool.analyze(`fuzz-${i}.py`, input);
        assert.ok('analysis' in result, `input ${i} (${input.length} bytes) took longer than ${PER_INPUT_BUDGET_MS} ms`);
        assert.ok(Array.isArray(result.analysis.findings));
      }
    } finally {
      await pool.close();
    }
  });
});

test('the fuzz generator replays the same inputs from the same seed', () => {
  const a = seededRandom(7);
  const b = seededRandom(7);
  assert.deepEqual(randomBytesFrom(a, 64), randomBytesFrom(b, 64));
  assert.notDeepEqual(randomBytesFrom(seededRandom(7), 64), randomBytesFrom(seededRandom(8), 64));
});

test('deep nesting and long lines', () => {
  const t0 = performance.now();
  for (const text of ['('.repeat(10_000) + ')'.repeat(10_000), '['.repeat(20_000), `x = ${'1 + '.repeat(50_000)}1\n`, `s = "${'a'.repeat(2_000_000)}"\n`, `exec(${'"a" + '.repeat(20_000)}"b")\n`]) {
    const result = analyzer.analyze('deep.py', Buffer.from(text));
    assert.ok(Array.isArray(result.findings));
  }
  assert.ok(performance.now() - t0 < 30_000);
});

test('a 10 MB file is analysed or refused within the budget, never a crash', () => {
  const line = 'value = compute(alpha, beta) + other.attribute[3]  # comment\n';
  const big = Buffer.from(line.repeat(Math.ceil((10 * 1024 * 1024) / line.length)));
  const t0 = performance.now();
  const result = analyzer.analyze('big.py', big);
  assert.ok(Array.isArray(result.findings));
  assert.ok(performance.now() - t0 < 60_000);
});

test('encodings: a latin-1 cookie, a BOM and an unknown codec', () => {
  const latin = Buffer.concat([Buffer.from('# -*- coding: latin-1 -*-\nname = "'), Buffer.from([0xe9]), Buffer.from('"\nimport os\nos.system(x)\n')]);
  assert.ok(analyzer.analyze('latin.py', latin).findings.some((f) => f.ruleId === 'os-command'));
  const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('import os\nos.system(x)\n')]);
  assert.ok(analyzer.analyze('bom.py', bom).findings.some((f) => f.ruleId === 'os-command'));
  const unknown = analyzer.analyze('odd.py', Buffer.from('# coding: klingon\nimport os\nos.system(x)\n'));
  assert.ok(unknown.parseErrors.some((e) => /unknown source encoding/.test(e.message)));
  assert.ok(unknown.findings.some((f) => f.ruleId === 'os-command'), 'still scanned');
});

test('a worker stuck past the per-file budget is replaced: that file is reported as timed out, the files it held are still analysed', async () => {
  const { AnalyzerPool } = await import('../../src/scan/worker-pool.js');
  const pool = new AnalyzerPool(1, 400);
  try {
    const heavy = Buffer.from('x = [' + '(1, "a" + b), '.repeat(400_000) + ']\n'); // seconds of parsing
    const small = Array.from({ length: 4 }, (_, i) => Buffer.from(`import os\nos.system(cmd${i})\n`));
    const results = await Promise.all([pool.analyze('heavy.py', heavy), ...small.map((bytes, i) => pool.analyze(`small${i}.py`, bytes))]);
    assert.deepEqual(results[0], { timedOut: true });
    for (const result of results.slice(1)) assert.ok('analysis' in result && result.analysis.findings.some((f) => f.ruleId === 'os-command'), JSON.stringify(result));
  } finally {
    await pool.close();
  }
});
