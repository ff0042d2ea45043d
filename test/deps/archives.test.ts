/** `saferun deps` on a wheel and an sdist: their declared dependencies, read in memory. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { zipSync } from 'fflate';
import { tarGz } from '../support/archives.js';
import { declaredInArchive } from '../../src/deps/archive-manifests.js';
import { saferun } from '../support/saferun.js';

let dir: string;


before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'saferun-deps-archives-'));
  const text = (s: string) => new TextEncoder().encode(s);
  writeFileSync(
    path.join(dir, 'helper-1.0-py3-none-any.whl'),
    zipSync({
      'helper/__init__.py': text('print(1)\n'),
      'helper-1.0.dist-info/METADATA': text('Metadata-Version: 2.1\nName: helper\nVersion: 1.0\nLicense-Expression: MIT\nRequires-Dist: requests (>=2.0)\nRequires-Dist: reqeusts\nRequires-Dist: pytest ; extra == "test"\n\nA helper.\nRequires-Dist: not-a-header\n'),
    }),
  );
  writeFileSync(
    path.join(dir, 'tool-2.0.tar.gz'),
    await tarGz({
      'tool-2.0/PKG-INFO': 'Metadata-Version: 2.1\nName: tool\nVersion: 2.0\n',
      'tool-2.0/setup.py': 'from setuptools import setup\nsetup(name="tool", install_requires=["django==2.2.0", "colourama"], dependency_links=["http://203.0.113.3/pkgs"])\n',
      'tool-2.0/tool.egg-info/requires.txt': 'django==2.2.0\n\n[dev]\nblack\n',
      'tool-2.0/tests/requirements.txt': 'djnago\n',
    }),
  );
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('a wheel: Requires-Dist of its METADATA, body text ignored', async () => {
  const { declared } = await declaredInArchive(path.join(dir, 'helper-1.0-py3-none-any.whl'));
  assert.deepEqual(declared.dependencies.map((d) => `${d.origin}:${d.normalized}${d.specifier}`), ['metadata:requests>=2.0', 'metadata:reqeusts', 'metadata:pytest']);
  assert.deepEqual(declared.manifests, ['helper-1.0-py3-none-any.whl!/helper-1.0.dist-info/METADATA']);
});

test('an sdist: setup.py and egg-info at its top, not its tests; one dependency declared twice is one', async () => {
  const { declared } = await declaredInArchive(path.join(dir, 'tool-2.0.tar.gz'));
  assert.deepEqual(declared.dependencies.map((d) => `${d.normalized}${d.specifier}`).sort(), ['black', 'colourama', 'django==2.2.0']);
  assert.ok(declared.sources.some((s) => s.kind === 'find-links' && s.value === 'http://203.0.113.3/pkgs'));
  assert.ok(!declared.dependencies.some((d) => d.normalized === 'djnago'), 'tests/requirements.txt is not the package’s');
});

test('saferun deps on archives reports their findings with snippets, and never writes to disk', async () => {
  const before = readdirSync(dir).sort();
  const result = await saferun(['deps', '--format', 'json', 'helper-1.0-py3-none-any.whl', 'tool-2.0.tar.gz'], { cwd: dir });
  assert.equal(result.exitCode, 1, result.stderr);
  const report = JSON.parse(result.stdout) as { findings: { ruleId: string; file: string; snippet: string }[] };
  const found = report.findings.map((f) => `${f.ruleId} ${f.file}`);
  assert.ok(found.includes('dep-typosquat helper-1.0-py3-none-any.whl!/helper-1.0.dist-info/METADATA'), found.join('\n'));
  assert.ok(found.includes('dep-typosquat tool-2.0.tar.gz!/tool-2.0/setup.py'));
  assert.ok(found.includes('dep-untrusted-source tool-2.0.tar.gz!/tool-2.0/setup.py'));
  assert.ok(found.some((f) => f.startsWith('dep-known-vulnerability tool-2.0.tar.gz!/')));
  assert.equal(report.findings.find((f) => f.ruleId === 'dep-typosquat' && f.file.endsWith('METADATA'))!.snippet, 'Requires-Dist: reqeusts');
  assert.deepEqual(readdirSync(dir).sort(), before);
  const garbage = path.join(dir, 'broken-1.0.tar.gz');
  writeFileSync(garbage, 'not an archive');
  const broken = await saferun(['deps', 'broken-1.0.tar.gz'], { cwd: dir });
  assert.equal(broken.exitCode, 0);
  assert.match(broken.stdout, /skipped broken-1.0.tar.gz: not a readable tar.gz/);
});
