/** Findings from whole projects: what a hostile dependency list raises, and what an honest one does not. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { collectDeclared } from '../../src/deps/collect-declared.js';
import { checkDependencies } from '../../src/deps/check-dependencies.js';
import { judgeDirectReference, judgeIndex } from '../../src/deps/sources.js';
import { deniedBy, licenseKind, licenseFromMetadata } from '../../src/deps/licenses.js';

let root: string;
before(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'saferun-deps-check-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

function check(name: string, files: Record<string, string>, policy = {}) {
  const dir = path.join(root, name);
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), content);
  }
  return checkDependencies(collectDeclared([dir]), policy);
}

const rules = (report: ReturnType<typeof check>) => report.findings.map((f) => `${f.ruleId}:${f.severity}:${f.line}`);

test('an honest project with popular, current dependencies is low risk', () => {
  const report = check('honest', {
    'requirements.txt': 'requests>=2.31\nflask==3.0.3\nnumpy\npandas>=2.0\npython-dateutil\nPyYAML>=6\n--extra-index-url https://download.pytorch.org/whl/cpu\ntorch\n',
    'app.py': 'import requests, yaml\nfrom dateutil import parser\nimport attr\nimport numpy as np\nimport cv2\nfrom PIL import Image\nimport local_helper\n',
    'local_helper.py': 'import os\n',
  });
  assert.deepEqual(report.findings, []);
  assert.equal(report.riskLevel, 'low');
  assert.ok(report.dependencies.find((d) => d.normalized === 'requests')!.popularityRank! < 100);
});

test('a hostile dependency list raises each kind of finding at the right line', () => {
  const report = check('hostile', {
    'requirements.txt': [
      '--index-url http://203.0.113.9/simple', // 1 plain http to a bare IP
      '--trusted-host 203.0.113.9', // 2
      'reqeusts==2.31.0', // 3 typo-squat
      'fastapi-jwt-auth-helper-pro', // 4 not on PyPI (slop-squat shape)
      'django==2.2.0', // 5 known vulnerable
      'tool @ https://transfer.sh/abc/tool-1.0.tar.gz', // 6 file-drop host
      'lib @ git+https://github.com/org/lib.git@main', // 7 moving branch
    ].join('\n'),
  });
  const found = rules(report);
  for (const expected of ['dep-untrusted-source:high:1', 'dep-untrusted-source:high:2', 'dep-typosquat:high:3', 'dep-unknown-package:medium:4', 'dep-known-vulnerability:medium:5', 'dep-untrusted-source:high:6', 'dep-untrusted-source:medium:7']) {
    assert.ok(found.includes(expected), `${expected} in ${found.join(', ')}`);
  }
  assert.equal(report.riskLevel, 'high');
  assert.ok(report.findings.every((f) => f.category === 'supply-chain' && f.cwe.startsWith('CWE-') && f.snippet !== ''));
});

test('a name nobody registered is high unless the project names its own index', () => {
  const alone = check('slop', { 'requirements.txt': 'requests\nhuggingface-cli-tools-pro\n' });
  assert.deepEqual(rules(alone), ['dep-unknown-package:high:2']);
  const withIndex = check('private', { 'requirements.txt': '--index-url https://pkgs.corp.example.invalid/simple\ncorp-internal-billing\n' }, { trustedIndexes: ['corp.example.invalid'] });
  assert.deepEqual(rules(withIndex), ['dep-unknown-package:medium:2'], 'a trusted private index is no finding itself');
});

test('a typo in an import is medium; a real module name is not a typo', () => {
  const report = check('imports', { 'tool.py': 'import reqeusts\nimport colorama\nimport jwt\nimport sklearn\n' });
  assert.deepEqual(rules(report), ['dep-typosquat:medium:1']);
});

test('PEP 723 script metadata is checked like a requirements file', () => {
  const report = check('script', { 'run.py': '# /// script\n# dependencies = ["urlib3", "rich"]\n# ///\nprint(1)\n' });
  assert.deepEqual(rules(report), ['dep-typosquat:high:2']);
});

test('tokens in index URLs never reach the report', () => {
  const report = check('token', { 'requirements.txt': '--extra-index-url https://user:s3cr3t-t0ken@pkgs.example.invalid/simple\nrequests\n' });
  assert.equal(report.findings.length, 1);
  assert.doesNotMatch(JSON.stringify(report.findings), /s3cr3t-t0ken/);
});

test('sources: TLS, addresses, hosts and pins decide the verdict', () => {
  assert.equal(judgeIndex('index-url', 'http://pypi.org/simple')?.severity, 'high');
  assert.equal(judgeIndex('index-url', 'https://pypi.org/simple'), undefined);
  assert.equal(judgeIndex('extra-index-url', 'https://test.pypi.org/simple')?.severity, 'high');
  assert.equal(judgeIndex('extra-index-url', 'https://download.pytorch.org/whl/cu121'), undefined);
  assert.equal(judgeIndex('extra-index-url', 'https://other.example.invalid/simple')?.severity, 'medium');
  assert.equal(judgeIndex('index-url', 'https://other.example.invalid/simple', ['example.invalid']), undefined);
  assert.equal(judgeIndex('find-links', './wheels'), undefined);
  assert.equal(judgeIndex('index-url', 'http://127.0.0.1:8080/simple'), undefined, 'a local mirror');
  assert.equal(judgeDirectReference('git+https://github.com/o/r.git@0123456789abcdef0123456789abcdef01234567')?.severity, 'low');
  assert.equal(judgeDirectReference('git+git://github.com/o/r.git')?.severity, 'high');
  assert.equal(judgeDirectReference('https://h.example.invalid/p-1.tar.gz#sha256=' + 'a'.repeat(64))?.severity, 'low');
  assert.equal(judgeDirectReference('https://[2001:db8::1]/p.whl')?.severity, 'high');
  assert.equal(judgeDirectReference('file:///srv/wheels/p.whl'), undefined);
});

test('licences: installed metadata is read, kinds are told apart, and a profile can deny one', () => {
  assert.equal(licenseKind('MIT'), 'permissive');
  assert.equal(licenseKind('AGPL-3.0-or-later'), 'network-copyleft');
  assert.equal(licenseKind('GNU Lesser General Public License v3 (LGPLv3)'), 'weak-copyleft');
  assert.equal(licenseKind('GPL-3.0-only'), 'copyleft');
  assert.equal(licenseKind('CC-BY-NC-4.0'), 'restricted');
  assert.equal(licenseKind('UNKNOWN'), 'unknown');
  assert.equal(deniedBy('GPL-3.0-only', ['GPL-3.0']), 'GPL-3.0');
  assert.equal(deniedBy('LGPL-3.0', ['GPL-3.0']), undefined);
  assert.deepEqual(licenseFromMetadata('Metadata-Version: 2.1\nName: x\nClassifier: License :: OSI Approved :: MIT License\n\nbody'), { license: 'MIT License', line: 3 });
  const venv = {
    'requirements.txt': 'ghostscript-wrapper-x\n',
    '.venv/lib/python3.11/site-packages/agpl_thing-1.0.dist-info/METADATA': 'Metadata-Version: 2.4\nName: agpl-thing\nLicense-Expression: AGPL-3.0-only\n',
    '.venv/lib/python3.11/site-packages/gpl_thing-1.0.dist-info/METADATA': 'Metadata-Version: 2.1\nName: gpl_thing\nLicense: GPL-3.0-only\n',
  };
  const plain = check('licences', venv);
  assert.ok(rules(plain).includes('dep-license:low:3'), rules(plain).join());
  assert.ok(!rules(plain).some((r) => r.startsWith('dep-license:medium')));
  const denying = check('licences-denied', venv, { deniedLicenses: ['GPL-3.0'] });
  assert.ok(rules(denying).includes('dep-license:medium:3'), rules(denying).join());
});

test('a requirements file of 20,000 names is checked whole (look-alikes are found by index, not by a pass over every popular name)', () => {
  const lines = Array.from({ length: 20_000 }, (_, i) => (i % 1000 === 0 ? `reqeusts-${i}x` : `internal-tool-${i}==1.${i % 7}`));
  lines.push('djnago');
  const report = check('huge', { 'requirements.txt': `${lines.join('\n')}\n` });
  assert.equal(report.dependencies.length, 20_001);
  assert.ok(report.findings.some((f) => f.ruleId === 'dep-typosquat' && f.line === 20_001));
  // the name filter answers "exists" for about 1 in 1,000 names nobody registered
  assert.ok(report.findings.filter((f) => f.ruleId === 'dep-unknown-package').length >= 19_900);
});

test('dependency confusion: a name PyPI lacks is high beside an extra index (pip, Poetry secondary/supplemental, uv not pinned), medium when the index replaces PyPI or is pinned', () => {
  const unknown = (report: ReturnType<typeof check>) => report.findings.filter((f) => f.ruleId === 'dep-unknown-package').map((f) => f.severity);
  assert.deepEqual(unknown(check('confusion-pip', { 'requirements.txt': '--extra-index-url https://pkgs.corp.example.test/simple\nacme-internal-billing-utils==1.2\n' })), ['high']);
  assert.deepEqual(unknown(check('replaced-pip', { 'requirements.txt': '--index-url https://pkgs.corp.example.test/simple\nacme-internal-billing-utils==1.2\n' })), ['medium']);
  const poetry = (priority: string) =>
    `[tool.poetry]\nname = "app"\nversion = "1.0"\n[tool.poetry.dependencies]\npython = "^3.11"\nacme-internal-billing-utils = "^1.2"\n[[tool.poetry.source]]\nname = "corp"\nurl = "https://pkgs.corp.example.test/simple"\npriority = "${priority}"\n`;
  assert.deepEqual(unknown(check('confusion-poetry-supplemental', { 'pyproject.toml': poetry('supplemental') })), ['high']);
  assert.deepEqual(unknown(check('confusion-poetry-secondary', { 'pyproject.toml': poetry('secondary') })), ['high']);
  assert.deepEqual(unknown(check('replaced-poetry-primary', { 'pyproject.toml': poetry('primary') })), ['medium']);
  assert.deepEqual(unknown(check('pinned-poetry-explicit', { 'pyproject.toml': poetry('explicit') })), ['medium']);
  const uv = (extra: string) =>
    `[project]\nname = "app"\nversion = "1.0"\ndependencies = ["acme-internal-billing-utils>=1.2"]\n[[tool.uv.index]]\nname = "corp"\nurl = "https://pkgs.corp.example.test/simple"\n${extra}`;
  assert.deepEqual(unknown(check('confusion-uv', { 'pyproject.toml': uv('') })), ['high']);
  assert.deepEqual(unknown(check('pinned-uv', { 'pyproject.toml': uv('explicit = true\n') })), ['medium']);
  assert.deepEqual(unknown(check('replaced-uv', { 'pyproject.toml': uv('default = true\n') })), ['medium']);
});
