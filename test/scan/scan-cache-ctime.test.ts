/** The scan cache's stat key holds the ctime: an edit that keeps size and mtime is scanned again. */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { scanPaths } from '../../src/scan/scan-paths.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'saferun-scan-ctime-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a file rewritten at the same length with its old mtime put back is not served from the cache', async () => {
  const cacheDir = path.join(dir, 'cache');
  const project = path.join(dir, 'out');
  mkdirSync(project, { recursive: true });
  const file = path.join(project, 'gen.py');
  const clean = 'import os\nos.getcwd(xyz)\n';
  const evil = 'import os\nos.system(cmd)\n';
  assert.equal(clean.length, evil.length);
  writeFileSync(file, clean);
  utimesSync(file, 1_700_000_000, 1_700_000_000); // whole seconds: the same mtime can be put back exactly
  const first = await scanPaths([project], { cwd: dir, cacheDir });
  assert.ok(!first.findings.some((f) => f.ruleId === 'os-command'));
  writeFileSync(file, evil);
  utimesSync(file, 1_700_000_000, 1_700_000_000); // what os.utime does in the program
  const second = await scanPaths([project], { cwd: dir, cacheDir });
  assert.ok(second.findings.some((f) => f.ruleId === 'os-command'), 'the rewrite is scanned, not taken from the cache');
});
