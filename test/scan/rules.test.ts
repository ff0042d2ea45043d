/**
 * Every rule against its fixture: each line marked `# ruleid: <id>` must produce that rule on that
 * line, each line marked `# ok: <id>` must not. Every rule has both kinds of line and a doc entry.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createAnalyzer, type Analyzer } from '../../src/scan/engine/analyzer.js';
import { RULES } from '../../src/scan/rules/index.js';
import { renderRuleDocs } from '../../src/scan/rules/rule-docs.js';
import { packageRoot } from '../../src/util/package-info.js';

const fixturesDir = path.join(packageRoot(), 'test', 'fixtures', 'rules');
let analyzer: Analyzer;

before(async () => {
  analyzer = await createAnalyzer();
});

interface Expectation {
  line: number;
  kind: 'ruleid' | 'ok';
  rule: string;
}

function expectations(text: string): Expectation[] {
  const found: Expectation[] = [];
  text.split('\n').forEach((line, i) => {
    for (const match of line.matchAll(/#\s*(ruleid|ok):\s*([a-z0-9-]+)/g)) found.push({ line: i + 1, kind: match[1] as 'ruleid' | 'ok', rule: match[2]! });
  });
  return found;
}

function fixtureFiles(): string[] {
  return readdirSync(fixturesDir).filter((f) => f.endsWith('.py'));
}

test('every rule matches its ruleid lines and none of its ok lines', () => {
  for (const file of fixtureFiles()) {
    const text = readFileSync(path.join(fixturesDir, file), 'utf8');
    // a fixture about a kind of file says so on its first line: "# (scanned as pkg/__init__.py …)"
    const scannedAs = /^# \(scanned as (\S+)/.exec(text)?.[1] ?? file;
    const { findings } = analyzer.analyze(scannedAs, Buffer.from(text));
    for (const expected of expectations(text)) {
      const hit = findings.some((f) => f.ruleId === expected.rule && f.line === expected.line);
      if (expected.kind === 'ruleid') assert.ok(hit, `${file}:${expected.line} should match ${expected.rule}`);
      else assert.ok(!hit, `${file}:${expected.line} must not match ${expected.rule}`);
    }
  }
});

test('every rule has a fixture with both kinds of line, and a doc entry', () => {
  const all = fixtureFiles().flatMap((file) => expectations(readFileSync(path.join(fixturesDir, file), 'utf8')));
  const docs = readFileSync(path.join(packageRoot(), 'docs', 'rules.md'), 'utf8');
  assert.equal(docs, renderRuleDocs(), 'docs/rules.md is stale: run `npm run docs:rules`');
  for (const { meta } of RULES) {
    assert.ok(all.some((e) => e.rule === meta.id && e.kind === 'ruleid'), `${meta.id} has a ruleid line`);
    assert.ok(all.some((e) => e.rule === meta.id && e.kind === 'ok'), `${meta.id} has an ok line`);
    assert.match(docs, new RegExp(`^## ${meta.id}$`, 'm'), `${meta.id} is documented`);
    for (const key of ['id', 'title', 'severity', 'confidence', 'category', 'cwe', 'explanation', 'advice'] as const) assert.ok(meta[key], `${meta.id}.${key}`);
    assert.match(meta.cwe, /^CWE-\d+$/);
  }
  const ids = RULES.map((r) => r.meta.id);
  assert.equal(new Set(ids).size, ids.length, 'rule ids are unique');
});

test('an install command that runs code through a helper function is high; a placeholder that only refuses is medium', () => {
  const source = (body: string): string =>
    `import zipimport\nfrom setuptools import setup\nfrom setuptools.command.install import install\n\ndef load():\n    zipimport.zipimporter("payload.zip").load_module("p")\n\nclass Install(install):\n    def run(self):\n${body}\n        install.run(self)\n\nsetup(name="x", cmdclass={"install": Install})\n`;
  const severityOf = (text: string): string | undefined => analyzer.analyze('pkg/setup.py', Buffer.from(text)).findings.find((f) => f.ruleId === 'setup-install-hook' && f.line === 8)?.severity;
  assert.equal(severityOf(source('        load()')), 'high');
  assert.equal(severityOf(source('        raise RuntimeError("placeholder package: check your index")')), 'medium');
});

test('identifiers in a human language are not machine-made names; long random foreign ones are', () => {
  const human = 'カタカナ = 1\nひらがな = 2\nдеванагари = 3\nкириллица = 4\nΕλληνικά = 5\nالعربية = 6\n';
  const machine = Array.from({ length: 6 }, (_, i) => `馬女水女口目人馬鳥月水馬山${'山馬鸟鳥月'.slice(0, i % 5)}山 = ${i}`).join('\n') + '\n';
  const flagged = (text: string): boolean => analyzer.analyze('names.py', Buffer.from(text)).findings.some((f) => f.ruleId === 'obfuscation' && f.message.includes('non-Latin'));
  assert.equal(flagged(human), false);
  assert.equal(flagged(machine), true);
});
