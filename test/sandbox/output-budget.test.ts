import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { treeBytes, watchOutputBudget } from '../../src/sandbox/output-budget.js';

test('treeBytes counts every file below the root, nested ones included', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'saferun-budget-'));
  try {
    mkdirSync(path.join(dir, 'a', 'b'), { recursive: true });
    writeFileSync(path.join(dir, 'one'), Buffer.alloc(300_000, 1));
    writeFileSync(path.join(dir, 'a', 'b', 'two'), Buffer.alloc(700_000, 1));
    const bytes = await treeBytes(dir);
    assert.ok(bytes >= 1_000_000 && bytes < 1_100_000, String(bytes));
    assert.equal(await treeBytes(path.join(dir, 'missing')), 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the watch reports growth past the budget once, and not before', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'saferun-budget-'));
  try {
    const baseline = await treeBytes(dir);
    const seen: number[] = [];
    const watch = watchOutputBudget([dir], baseline, 1_000_000, (grown) => seen.push(grown));
    writeFileSync(path.join(dir, 'small'), Buffer.alloc(500_000, 1));
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.deepEqual(seen, [], 'under the budget');
    writeFileSync(path.join(dir, 'big'), Buffer.alloc(800_000, 1));
    await new Promise((resolve) => setTimeout(resolve, 600));
    watch.stop();
    assert.equal(seen.length, 1);
    assert.ok(seen[0]! > 1_000_000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
