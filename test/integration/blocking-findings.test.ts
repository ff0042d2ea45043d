/**
 * Every finding class that blocks under strict blocks a real run — through `saferun script.py`,
 * `-c CODE`, `-m module` and `-m package` — not only in `saferun scan`. The expected classes come
 * from `saferun scan` of the rule fixtures (test/fixtures/rules/*.py), so a rule added later is
 * covered too; the run's report must carry each of them, or the run stage lost a rule's findings.
 * Blocked runs start no container, so these runs are cheap.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../../src/util/package-info.js';
import { assertEngineReachable } from '../support/engine.js';
import { assertNoSaferunLeftovers } from '../support/leftovers.js';
import type { RunReport } from '../support/probe.js';
import { saferun, tempWorkdir } from '../support/saferun.js';

const FIXTURES = path.join(packageRoot(), 'test', 'fixtures', 'rules');
/** Rules that only fire for a file of this name (setup-install-hook); checked by running that file. */
const NAMED_FIXTURES = ['setup.py'];
const BLOCKING = new Set(['high', 'critical']);

interface Finding {
  ruleId: string;
  severity: string;
  file?: string;
}

let root: string;
/** ruleId → the fixture files in which `saferun scan` finds it at high or critical. */
const blockingRules = new Map<string, Set<string>>();
let concatenated: string;
let concatenatedScanRules: Set<string>;
const runs = new Map<string, { exitCode: number; stdout: string; stderr: string; report: RunReport }>();

function blockingIds(findings: readonly Finding[]): Set<string> {
  return new Set(findings.filter((f) => BLOCKING.has(f.severity)).map((f) => f.ruleId));
}

async function scanJson(target: string, cwd: string): Promise<Finding[]> {
  const result = await saferun(['scan', '--format', 'json', '--fail-on', 'never', target], { cwd });
  assert.equal(result.exitCode, 0, result.stderr);
  return (JSON.parse(result.stdout) as { findings: Finding[] }).findings;
}

/** A blocked run under strict, with its report read back. */
async function blockedRun(name: string, args: string[], cwd: string): Promise<void> {
  const report = path.join(root, `${name}-report.json`);
  const result = await saferun(['--profile', 'strict', '--report', report, ...args], { cwd });
  runs.set(name, { ...result, report: JSON.parse(readFileSync(report, 'utf8')) as RunReport });
}

before(async () => {
  await assertEngineReachable();
  root = tempWorkdir('saferun-blocking-');
  const perFile = await scanJson(FIXTURES, root);
  for (const finding of perFile) {
    if (!BLOCKING.has(finding.severity)) continue;
    const files = blockingRules.get(finding.ruleId) ?? new Set<string>();
    files.add(path.basename(finding.file ?? '?'));
    blockingRules.set(finding.ruleId, files);
  }
  const sources = readdirSync(FIXTURES).filter((name) => name.endsWith('.py') && !NAMED_FIXTURES.includes(name)).sort();
  concatenated = sources.map((name) => readFileSync(path.join(FIXTURES, name), 'utf8')).join('\n');

  const scriptDir = path.join(root, 'script');
  const codeDir = path.join(root, 'code');
  const moduleDir = path.join(root, 'module');
  const packageDir = path.join(root, 'package');
  const setupDir = path.join(root, 'setup');
  for (const dir of [scriptDir, codeDir, moduleDir, path.join(packageDir, 'pkg'), setupDir]) mkdirSync(dir, { recursive: true, mode: 0o755 });
  writeFileSync(path.join(scriptDir, 'all_rules.py'), concatenated);
  writeFileSync(path.join(moduleDir, 'all_rules_mod.py'), concatenated);
  writeFileSync(path.join(packageDir, 'pkg', '__init__.py'), '');
  writeFileSync(path.join(packageDir, 'pkg', '__main__.py'), concatenated);
  copyFileSync(path.join(FIXTURES, 'setup.py'), path.join(setupDir, 'setup.py'));

  // Two at a time: the analyser's time budget is wall-clock, and a crowded machine must not cut it.
  concatenatedScanRules = blockingIds(await scanJson(path.join(scriptDir, 'all_rules.py'), root));
  await Promise.all([blockedRun('script', ['all_rules.py'], scriptDir), blockedRun('-c', ['-c', concatenated], codeDir)]);
  await Promise.all([blockedRun('-m module', ['-m', 'all_rules_mod'], moduleDir), blockedRun('-m package', ['-m', 'pkg'], packageDir)]);
  await blockedRun('setup.py', ['setup.py'], setupDir);
});

after(async () => {
  rmSync(root, { recursive: true, force: true });
  await assertNoSaferunLeftovers();
});

test('the fixtures give enough blocking classes to be worth checking', () => {
  assert.ok(blockingRules.size >= 15, `only ${[...blockingRules.keys()]}`);
  for (const rule of ['reverse-shell', 'crypto-miner', 'download-exec', 'encoded-payload-exec', 'setup-install-hook']) assert.ok(blockingRules.has(rule), rule);
});

for (const mode of ['script', '-c', '-m module', '-m package']) {
  describe(`saferun ${mode} under strict`, { timeout: 120_000 }, () => {
    test('is blocked before anything runs', () => {
      const run = runs.get(mode)!;
      assert.equal(run.exitCode, 120, run.stderr);
      assert.equal(run.stdout, '', 'the program printed nothing: it never ran');
      assert.equal(run.report.exitReason, 'blocked');
      assert.equal(run.report.sandbox, null);
      assert.ok(BLOCKING.has(run.report.riskLevel), run.report.riskLevel);
    });

    test('its report carries every blocking finding class that saferun scan finds', () => {
      const found = blockingIds(runs.get(mode)!.report.findings);
      const expected = new Set([...blockingRules.keys()].filter((rule) => ![...blockingRules.get(rule)!].every((file) => NAMED_FIXTURES.includes(file))));
      for (const rule of concatenatedScanRules) expected.add(rule);
      const missing = [...expected].filter((rule) => !found.has(rule)).sort();
      assert.deepEqual(missing, [], `the run lost these rules' findings (found: ${[...found].sort()})`);
    });
  });
}

test('saferun setup.py under strict is blocked with the classes only a setup.py gets', () => {
  const run = runs.get('setup.py')!;
  assert.equal(run.exitCode, 120, run.stderr);
  assert.equal(run.stdout, '');
  const found = blockingIds(run.report.findings);
  const expected = [...blockingRules].filter(([, files]) => files.has('setup.py')).map(([rule]) => rule);
  assert.deepEqual(expected.filter((rule) => !found.has(rule)), []);
  assert.ok(found.has('setup-install-hook'));
});
