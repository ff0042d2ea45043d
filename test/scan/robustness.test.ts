/** Hostile input never crashes or hangs the analyser (bounded: a few seconds). */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createAnalyzer, type Analyzer } from '../../src/scan/engine/analyzer.js';
import { packageRoot } from '../../src/util/package-info.js';

let analyzer: Analyzer;
before(async () => {
  analyzer = await createAnalyzer();
});

function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
}

test('random bytes, truncations and mutations of real code', () => {
  const real = readFileSync(path.join(packageRoot(), 'test', 'fixtures', 'rules', 'encoded-payload-exec.py'));
  const random = seededRandom(42);
  for (let i = 0; i < 300; i++) {
    const kind = i % 3;
    let input: Uint8Array;
    if (kind === 0) input = randomBytes(Math.floor(random() * 4096));
    else if (kind === 1) input = real.subarray(0, Math.floor(random() * real.length));
    else {
      const copy = Buffer.from(real);
      for (let j = 0; j < 20; j++) copy[Math.floor(random() * copy.length)] = Math.floor(random() * 256);
      input = copy;
    }
    const result = analyzer.analyze(`fuzz-${i}.py`, input);
    assert.ok(Array.isArray(result.findings));
  }
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
