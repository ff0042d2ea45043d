/**
 * A hang must fail CI, not stall it. `node --test --test-timeout=T` (Node 20+) gives every test file,
 * run in its own process, at most T: past it the runner kills that process and fails the file —
 * also when the file hangs in synchronous code, where no in-file timer could fire.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { packageRoot } from '../../src/util/package-info.js';

function testTimeoutOf(script: string): number | undefined {
  const match = /--test-timeout[= ](\d+)/.exec(script);
  return match ? Number(match[1]) : undefined;
}

test('npm test bounds every test file in time (at most 10 min each)', () => {
  const scripts = (JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const limit = testTimeoutOf(scripts['test'] ?? '');
  assert.ok(limit !== undefined && limit > 0 && limit <= 600_000, `npm test: ${scripts['test']}`);
  assert.match(readFileSync(path.join(packageRoot(), '.ci', 'run'), 'utf8'), /^npm test$/m, 'CI runs npm test');
});

test('--test-timeout really ends a file stuck in synchronous code', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'saferun-hang-'));
  try {
    writeFileSync(path.join(dir, 'hang.test.mjs'), "import { test } from 'node:test';\ntest('spins', () => { for (;;) {} });\n");
    // without NODE_TEST_CONTEXT: the inner runner must behave as the top-level one, not report to ours
    const { NODE_TEST_CONTEXT: _ours, ...env } = process.env;
    const t0 = Date.now();
    const result = await execa(process.execPath, ['--test', '--test-timeout=1500', path.join(dir, 'hang.test.mjs')], { reject: false, timeout: 50_000, env, extendEnv: false });
    assert.notEqual(result.exitCode, 0);
    assert.ok(!result.timedOut, 'the runner ended the file itself');
    assert.match(String(result.stdout), /timed out after 1500ms/);
    assert.ok(Date.now() - t0 < 45_000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
