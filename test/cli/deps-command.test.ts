/** `saferun deps` as a user runs it, and the dependency stage of a run (decided before any container). */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { saferun } from '../support/saferun.js';

let dir: string;
before(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'saferun-depscli-'));
  const make = (rel: string, text: string) => {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  };
  make('clean/requirements.txt', 'requests>=2.31\nrich\n');
  make('clean/main.py', 'import requests\nprint("ok")\n');
  make('squat/requirements.txt', 'reqeusts\n');
  make('squat/main.py', 'print("harmless code, hostile dependency")\n');
  make('private/requirements.txt', '--extra-index-url https://pkgs.corp.example.invalid/simple\nrequests\n');
  make('private/corp.yaml', 'extends: normal\ndependencies:\n  trustedIndexes: [corp.example.invalid]\n');
  make('typo-import/tool.py', 'import reqeusts\n');
  make('bad-profile.yaml', 'extends: normal\ndependencies:\n  trustedIndexes: ["not a host!"]\n');
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('exit codes follow --fail-on; a missing path and a bad flag are usage errors', async () => {
  assert.equal((await saferun(['deps', 'clean'], { cwd: dir })).exitCode, 0);
  const squat = await saferun(['deps', 'squat'], { cwd: dir });
  assert.equal(squat.exitCode, 1);
  assert.match(squat.stdout, /dep-typosquat .*'reqeusts' looks like the popular 'requests'/);
  assert.match(squat.stdout, /risk high: 1 declared in 1 manifest/);
  assert.equal((await saferun(['deps', '--fail-on', 'never', 'squat'], { cwd: dir })).exitCode, 0);
  const missing = await saferun(['deps', 'nowhere'], { cwd: dir });
  assert.equal(missing.exitCode, 2);
  assert.match(missing.stderr, /nowhere: no such file or directory/);
  assert.match((await saferun(['deps', '--format', 'xml', 'clean'], { cwd: dir })).stderr, /--format: 'xml' is not a format; use text, json/);
});

test('--format json is the versioned dependency report', async () => {
  const result = await saferun(['deps', '--format', 'json', 'clean'], { cwd: dir });
  const report = JSON.parse(result.stdout) as Record<string, unknown> & { dependencies: { normalized: string; origin: string; popularityRank?: number }[] };
  for (const key of ['version', 'riskLevel', 'manifests', 'dependencies', 'sources', 'findings', 'skipped', 'data']) assert.ok(key in report, key);
  assert.equal(report['version'], 1);
  assert.equal(report['riskLevel'], 'low');
  assert.deepEqual(report.dependencies.map((d) => `${d.origin}:${d.normalized}`), ['requirements:requests', 'requirements:rich']);
  assert.ok(report.dependencies[0]!.popularityRank! > 0);
});

test('imports are checked unless --no-imports; a profile can trust a private index', async () => {
  assert.match((await saferun(['deps', '--fail-on', 'medium', 'typo-import'], { cwd: dir })).stdout, /imports 'reqeusts'/);
  assert.equal((await saferun(['deps', '--fail-on', 'medium', '--no-imports', 'typo-import'], { cwd: dir })).exitCode, 0);
  assert.equal((await saferun(['deps', '--fail-on', 'medium', 'private'], { cwd: dir })).exitCode, 1, 'an extra index is dependency-confusion risk');
  assert.equal((await saferun(['deps', '--fail-on', 'medium', '--profile', 'private/corp.yaml', 'private'], { cwd: dir })).exitCode, 0);
  const bad = await saferun(['deps', '--profile', 'bad-profile.yaml', 'clean'], { cwd: dir });
  assert.equal(bad.exitCode, 121, 'a bad profile is a saferun error, as for runs');
  assert.match(bad.stderr, /key 'dependencies\.trustedIndexes\.0': use a host name/);
});

test('a run decides on code and dependencies together: a hostile requirements file blocks under strict', async () => {
  const clean = await saferun(['--profile', 'strict', '--dry-run', 'main.py'], { cwd: path.join(dir, 'clean') });
  assert.equal(clean.exitCode, 0, clean.stderr);
  assert.equal((JSON.parse(clean.stdout) as { decision: string }).decision, 'run');
  const squat = await saferun(['--profile', 'strict', '--dry-run', 'main.py'], { cwd: path.join(dir, 'squat') });
  const plan = JSON.parse(squat.stdout) as { decision: string; riskLevel: string; findings: { ruleId: string }[] };
  assert.equal(plan.riskLevel, 'high');
  assert.notEqual(plan.decision, 'run');
  assert.ok(plan.findings.some((f) => f.ruleId === 'dep-typosquat'));
  assert.match(squat.stderr, /dep-typosquat/);
});

test('--help prints the usage and does nothing else; a reader that stops early is no crash', async () => {
  for (const command of ['deps', 'scan', 'doctor']) {
    const help = await saferun([command, '--help'], { cwd: dir });
    assert.equal(help.exitCode, 0, command);
    assert.match(help.stdout, new RegExp(`saferun ${command}`));
    assert.doesNotMatch(help.stdout, /^risk |✔ engine/m, `${command} --help ran the command too`);
  }
  const { spawn } = await import('node:child_process');
  const { BIN } = await import('../support/saferun.js');
  const child = spawn(process.execPath, [BIN, 'deps', '--fail-on', 'never', 'squat', 'clean', 'private'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.destroy(); // like `| head -0`: the reader is gone before anything is written
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.doesNotMatch(stderr, /EPIPE|Unhandled|internal error/, stderr);
  assert.equal(code, 0);
});
