/** Every manifest kind is read, and hostile ones give problems, never exceptions or reads outside. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { collectDeclared } from '../../src/deps/collect-declared.js';
import { poetryToPep440 } from '../../src/deps/manifests/toml-manifests.js';

let root: string;
before(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'saferun-deps-manifests-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

function project(name: string, files: Record<string, string | Buffer>): string {
  const dir = path.join(root, name);
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), content);
  }
  return dir;
}

const names = (dir: string) => collectDeclared([dir]).dependencies.map((d) => `${d.normalized}${d.specifier}`);

test('requirements files: options, includes, continuations, hashes, editables and URLs', () => {
  const dir = project('req', {
    'requirements.txt': [
      '# comment',
      '-i https://pypi.org/simple',
      '--extra-index-url=https://mirror.example.invalid/simple',
      '--trusted-host mirror.example.invalid',
      'Requests>=2.31 \\',
      '    --hash=sha256:0000000000000000000000000000000000000000000000000000000000000000',
      'flask==3.0.3  # inline comment',
      '-r dev-requirements.txt',
      '-c constraints.txt',
      '-e git+https://github.com/org/tool.git@v1#egg=tool',
      'https://files.example.invalid/wheelhouse/thing-1.2-py3-none-any.whl',
      '-r requirements.txt',
    ].join('\n'),
    'dev-requirements.txt': 'pytest\n--find-links http://wheels.example.invalid/\n',
    'constraints.txt': 'urllib3<2\n',
  });
  const declared = collectDeclared([dir], { imports: false });
  assert.deepEqual(
    declared.dependencies.map((d) => d.normalized),
    ['pytest', 'requests', 'flask', 'tool', 'thing'],
    'files in name order; constraints pin versions but install nothing; each file is read once',
  );
  assert.equal(declared.dependencies[1]!.line, 5);
  assert.equal(declared.dependencies[1]!.specifier, '>=2.31');
  assert.deepEqual(
    declared.sources.map((s) => `${s.kind} ${s.value}`),
    ['find-links http://wheels.example.invalid/', 'index-url https://pypi.org/simple', 'extra-index-url https://mirror.example.invalid/simple', 'trusted-host mirror.example.invalid'],
  );
  assert.deepEqual(declared.problems, []);
});

test('pyproject.toml (PEP 621, PEP 735, Poetry, uv), Pipfile, setup.py, setup.cfg and PEP 723 metadata', () => {
  assert.deepEqual(
    names(
      project('pyproject', {
        'pyproject.toml': `[project]\nname = "demo"\nlicense = "MIT"\ndependencies = ["httpx>=0.27", "rich"]\n[project.optional-dependencies]\ncli = ["click"]\n[dependency-groups]\ntest = ["pytest"]\n[build-system]\nrequires = ["hatchling"]\n[tool.uv]\nextra-index-url = ["https://idx.example.invalid/simple"]\n`,
      }),
    ),
    ['httpx>=0.27', 'rich', 'click', 'hatchling', 'pytest'],
  );
  const poetry = collectDeclared([project('poetry', { 'pyproject.toml': `[tool.poetry]\nname = "p"\n[tool.poetry.dependencies]\npython = "^3.10"\nrequests = "^2.28.1"\nmylib = { git = "https://github.com/org/mylib.git" }\n[[tool.poetry.source]]\nname = "corp"\nurl = "https://corp.example.invalid/simple"\n` })]);
  assert.deepEqual(poetry.dependencies.map((d) => `${d.normalized}${d.specifier}${d.url ? ` @ ${d.url}` : ''}`), ['requests>=2.28.1,<3', 'mylib @ https://github.com/org/mylib.git']);
  assert.equal(poetry.sources[0]!.value, 'https://corp.example.invalid/simple');
  const pipfile = collectDeclared([project('pipfile', { Pipfile: `[[source]]\nurl = "https://pypi.org/simple"\nverify_ssl = false\nname = "pypi"\n[packages]\nflask = "*"\ndjango = "==4.2.1"\n[dev-packages]\nblack = {version = ">=24"}\n` })]);
  assert.deepEqual(pipfile.dependencies.map((d) => `${d.normalized}${d.specifier}`), ['flask', 'django==4.2.1', 'black>=24']);
  assert.ok(pipfile.sources.some((s) => s.kind === 'no-verify-ssl'));
  assert.deepEqual(
    names(project('setuppy', { 'setup.py': `from setuptools import setup\nsetup(name="x", install_requires=["requests>=2", 'six'], extras_require={"dev": ["pytest"]}, dependency_links=["http://dl.example.invalid/pkgs"])\n` })),
    ['requests>=2', 'six', 'pytest', 'setuptools'],
  );
  assert.deepEqual(names(project('setupcfg', { 'setup.cfg': `[metadata]\nname = x\n[options]\ninstall_requires =\n    numpy>=1.24\n    scipy\n[options.extras_require]\ntest =\n    pytest\n` })), ['numpy>=1.24', 'scipy', 'pytest']);
  const script = project('pep723', { 'tool.py': `# /// script\n# requires-python = ">=3.11"\n# dependencies = [\n#   "requests<3",\n#   "reqeusts",\n# ]\n# ///\nimport requests\nimport numpy as np, json\nfrom pandas import DataFrame\nfrom . import sibling\nimport helper\n`, 'helper.py': '' });
  const declared = collectDeclared([path.join(script, 'tool.py')]);
  assert.deepEqual(declared.dependencies.map((d) => `${d.origin}:${d.normalized}:${d.line}`), ['inline-script:requests:4', 'inline-script:reqeusts:5', 'import:numpy:9', 'import:pandas:10']);
});

test('poetry constraints become PEP 440', () => {
  assert.equal(poetryToPep440('^1.2.3'), '>=1.2.3,<2');
  assert.equal(poetryToPep440('^0.2.3'), '>=0.2.3,<0.3');
  assert.equal(poetryToPep440('~1.2.3'), '>=1.2.3,<1.3');
  assert.equal(poetryToPep440('1.2.3'), '==1.2.3');
  assert.equal(poetryToPep440('*'), '');
});

test('hostile manifests give problems: binary, huge, invalid TOML, includes outside the project, symlinks and loops', () => {
  const outside = project('outside', { 'secret.txt': 'never-read-this-package\n' });
  const dir = project('hostile', {
    'requirements.txt': `-r ../outside/secret.txt\n-r /etc/hostname\n-r https://evil.example.invalid/r.txt\n-r missing.txt\n==not a requirement\n`,
    'pyproject.toml': '[project\ndependencies = [',
    'Pipfile': Buffer.from([0x00, 0xff, 0x13, 0x00]),
    'setup.cfg': 'x'.repeat(2 * 1024 * 1024),
  });
  symlinkSync(path.join(outside, 'secret.txt'), path.join(dir, 'requirements-dev.txt'));
  symlinkSync(path.join(dir, 'loop'), path.join(dir, 'loop'));
  mkdirSync(path.join(dir, 'pkg'));
  symlinkSync('..', path.join(dir, 'pkg', 'up'));
  writeFileSync(path.join(dir, 'pkg', 'mod.py'), 'import numpy\n');
  const declared = collectDeclared([dir]);
  assert.ok(!declared.dependencies.some((d) => d.normalized === 'never-read-this-package'), 'nothing outside the project is read');
  const reasons = declared.problems.map((p) => `${path.basename(p.file)}: ${p.reason}`).join('\n');
  for (const expected of [/outside the project/, /remote requirements file/, /no such file/, /not a requirement/, /not valid TOML/, /binary content/, /larger than/, /symbolic link: not followed/]) assert.match(reasons, expected);
  assert.deepEqual(declared.dependencies.map((d) => d.normalized), ['numpy']);
});

test('a path that is not there is a problem, not a crash', () => {
  const declared = collectDeclared([path.join(root, 'nope')]);
  assert.match(declared.problems[0]!.reason, /no such file/);
});

test('lock files pin every package (transitive ones too) and name their indexes; conda environments give their pip section', () => {
  const dir = project('locks', {
    'uv.lock': 'version = 1\n\n[[package]]\nname = "app"\nversion = "0.1.0"\nsource = { editable = "." }\n\n[[package]]\nname = "requests"\nversion = "2.19.0"\nsource = { registry = "https://pypi.org/simple" }\n\n[[package]]\nname = "idna"\nversion = "3.7"\nsource = { git = "https://github.com/kjd/idna?rev=abc#abc" }\n',
    'Pipfile.lock': JSON.stringify({ _meta: { sources: [{ url: 'https://pypi.org/simple', verify_ssl: false }] }, default: { django: { version: '==2.2.0' } }, develop: { pytest: { version: '==8.0.0' } } }, null, 2),
    'poetry.lock': '[[package]]\nname = "rich"\nversion = "13.7.1"\n\n[[package]]\nname = "corp-lib"\nversion = "1.0"\n[package.source]\ntype = "legacy"\nurl = "https://pkgs.corp.example.invalid/simple"\nreference = "corp"\n',
    'environment.yml': 'name: demo\nchannels: [conda-forge]\ndependencies:\n  - python=3.11\n  - numpy\n  - pip:\n    - flask>=3\n    - --extra-index-url https://idx.example.invalid/simple\n',
  });
  const declared = collectDeclared([dir], { imports: false });
  const listed = declared.dependencies.map((d) => `${d.origin}:${d.normalized}${d.specifier}${d.url ? ` @ ${d.url}` : ''}`);
  assert.deepEqual(listed, ['lock:django==2.2.0', 'lock:pytest==8.0.0', 'environment:flask>=3', 'lock:rich==13.7.1', 'lock:corp-lib==1.0', 'lock:app==0.1.0 @ .', 'lock:requests==2.19.0', 'lock:idna==3.7 @ https://github.com/kjd/idna?rev=abc#abc']);
  assert.equal(declared.dependencies.find((d) => d.normalized === 'requests')!.line, 9);
  const sources = declared.sources.map((s) => `${s.kind} ${s.value}`);
  for (const expected of ['no-verify-ssl https://pypi.org/simple', 'index-url https://pkgs.corp.example.invalid/simple', 'extra-index-url https://idx.example.invalid/simple']) assert.ok(sources.includes(expected), `${expected} in ${sources.join(', ')}`);
});

test('a byte-order mark does not hide a manifest; a broken lock file is a problem', () => {
  const dir = project('bom', { 'pyproject.toml': '\uFEFF[project]\nname = "x"\ndependencies = ["rich"]\n', 'poetry.lock': '[[package]\nname=', 'Pipfile.lock': '{ not json' });
  const declared = collectDeclared([dir], { imports: false });
  assert.deepEqual(declared.dependencies.map((d) => d.normalized), ['rich']);
  assert.equal(declared.problems.length, 2);
});
