/** `saferun scan` as a user runs it: formats, exit codes, SARIF that validates. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { saferun } from '../support/saferun.js';
import { packageRoot } from '../../src/util/package-info.js';

let dir: string;
before(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'saferun-scancli-'));
  writeFileSync(path.join(dir, 'evil.py'), 'import base64\nexec(base64.b64decode("cHJpbnQoMSk="))\n');
  writeFileSync(path.join(dir, 'meh.py'), 'import subprocess\nsubprocess.run(cmd, shell=True)\n');
  writeFileSync(path.join(dir, 'clean.py'), 'print("hello")\n');
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('--fail-on sets the exit code', async () => {
  assert.equal((await saferun(['scan', 'clean.py'], { cwd: dir })).exitCode, 0);
  assert.equal((await saferun(['scan', 'evil.py'], { cwd: dir })).exitCode, 1);
  assert.equal((await saferun(['scan', '--fail-on', 'never', 'evil.py'], { cwd: dir })).exitCode, 0);
  assert.equal((await saferun(['scan', 'meh.py'], { cwd: dir })).exitCode, 0, 'medium is below the default high');
  assert.equal((await saferun(['scan', '--fail-on', 'medium', 'meh.py'], { cwd: dir })).exitCode, 1);
  const bad = await saferun(['scan', '--fail-on', 'severe', 'x'], { cwd: dir });
  assert.equal(bad.exitCode, 2);
  assert.match(bad.stderr, /--fail-on: 'severe' is not a level; use low, medium, high, critical, never/);
});

test('json is the documented, versioned shape', async () => {
  const result = await saferun(['scan', '--format', 'json', '.'], { cwd: dir });
  const report = JSON.parse(result.stdout) as Record<string, unknown>;
  for (const key of ['version', 'riskLevel', 'summary', 'findings', 'skipped']) assert.ok(key in report, key);
  assert.equal(report['version'], 1);
  const finding = (report['findings'] as Record<string, unknown>[])[0]!;
  for (const key of ['ruleId', 'title', 'severity', 'confidence', 'category', 'cwe', 'file', 'line', 'column', 'endLine', 'snippet', 'message']) assert.ok(key in finding, key);
});

test('sarif validates against the SARIF 2.1.0 schema', async () => {
  const result = await saferun(['scan', '--format', 'sarif', '--fail-on', 'never', '.'], { cwd: dir });
  const require = createRequire(import.meta.url);
  const Ajv = require('ajv-draft-04') as new (options: object) => { compile(schema: object): ((data: unknown) => boolean) & { errors?: unknown } };
  const addFormats = require('ajv-formats') as (ajv: object) => void;
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  const schema = JSON.parse(readFileSync(path.join(packageRoot(), 'test', 'fixtures', 'sarif-schema-2.1.0.json'), 'utf8')) as object;
  const validate = ajv.compile(schema);
  const sarif = JSON.parse(result.stdout) as { runs: { results: unknown[] }[] };
  assert.ok(validate(sarif), JSON.stringify(validate.errors, null, 2));
  assert.ok(sarif.runs[0]!.results.length >= 2);
});
