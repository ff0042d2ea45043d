import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { loadProfile, PRESETS, validateProfileData } from '../../src/config/load-profile.js';
import { renderProfileSchema } from '../../src/config/write-profile-schema.js';
import { packageRoot } from '../../src/util/package-info.js';

function tempDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'saferun-profiles-'));
}

test('every preset loads, passes the schema, and has no network when it says so', async () => {
  for (const name of PRESETS) {
    await validateProfileData(name, parseYaml(readFileSync(path.join(packageRoot(), 'profiles', `${name}.yaml`), 'utf8')));
    const { profile } = await loadProfile(name);
    assert.equal(profile.name, name);
    assert.equal(profile.source, 'preset');
    assert.equal(profile.workdir, 'read-only', `${name} mounts the working dir read-only`);
    assert.ok(profile.limits.memoryBytes > 0 && profile.limits.pids > 0 && profile.limits.timeoutMs > 0);
  }
  assert.equal((await loadProfile('strict')).profile.network, 'none');
  assert.equal((await loadProfile('offline')).profile.network, 'none');
  assert.equal((await loadProfile('strict')).profile.policy.high.kind, 'block');
  // ten files just under strict's largest-file limit must not fit in its output budget
  const strict = (await loadProfile('strict')).profile.limits;
  assert.ok(strict.outputBytes < 10 * (strict.maxFileSizeBytes - 1024 ** 2));
});

test('a profile file without limits.outputSize gets 1g', async () => {
  const dir = tempDir();
  try {
    const file = path.join(dir, 'plain.yaml');
    const strict = readFileSync(path.join(packageRoot(), 'profiles', 'strict.yaml'), 'utf8').replace(/^\s*outputSize:.*\n/m, '').replace(/^name: .*\n/m, '');
    writeFileSync(file, strict);
    assert.equal((await loadProfile(file)).profile.limits.outputBytes, 1024 ** 3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the checked-in JSON Schema is current', () => {
  const checkedIn = readFileSync(path.join(packageRoot(), 'profiles', 'profile.schema.json'), 'utf8');
  assert.equal(checkedIn, renderProfileSchema(), 'run `npm run schema:profiles` and commit the result');
});

test('a user profile extends strict and overrides some keys', async () => {
  const dir = tempDir();
  try {
    const file = path.join(dir, 'mine.yaml');
    writeFileSync(file, 'extends: strict\nlimits:\n  memory: 256m\n  timeout: 10s\npolicy:\n  high: ask\n');
    const { profile } = await loadProfile(file);
    assert.equal(profile.name, 'mine');
    assert.equal(profile.limits.memoryBytes, 256 * 1024 ** 2);
    assert.equal(profile.limits.timeoutMs, 10_000);
    assert.equal(profile.limits.pids, (await loadProfile('strict')).profile.limits.pids, 'inherited');
    assert.equal(profile.network, 'none', 'inherited');
    assert.deepEqual(profile.policy.high, { kind: 'ask' });
    assert.deepEqual(profile.policy.critical, { kind: 'block' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('hostile and broken profiles get errors naming the file, the key and what is accepted', async () => {
  const dir = tempDir();
  try {
    const cases: [string, string, RegExp][] = [
      ['unknown-key.yaml', 'extends: strict\nnetwrok: open\n', /unknown key 'netwrok'; accepted: .*network/],
      ['nested-unknown.yaml', 'extends: strict\nlimits:\n  memroy: 1g\n', /unknown key 'limits\.memroy'; accepted: memory, cpus/],
      ['bad-network.yaml', 'extends: strict\nnetwork: internet\n', /key 'network'.*accepted: none, restricted, allowlist, open/],
      ['bad-size.yaml', 'extends: strict\nlimits:\n  memory: 12 parsecs\n', /key 'limits\.memory': '12 parsecs' is not a size/],
      ['too-small.yaml', 'extends: strict\nlimits:\n  memory: 1k\n', /key 'limits\.memory': .* out of range/],
      ['long-timeout.yaml', 'extends: strict\nlimits:\n  timeout: 600h\n', /key 'limits\.timeout': 600h is out of range; accepted 100ms to 168h/],
      ['long-timeout-number.yaml', 'extends: strict\nlimits:\n  timeout: 2160000\n', /limits\.timeout/],
      ['small-output.yaml', 'extends: strict\nlimits:\n  outputSize: 10k\n', /key 'limits\.outputSize': .* out of range/],
      ['bad-policy.yaml', 'extends: strict\npolicy:\n  high: yolo\n', /key 'policy\.high': use run, ask, block or escalate:<profile>/],
      ['self.yaml', 'extends: strict\nname: selfish\npolicy:\n  high: escalate:selfish\n', /cannot escalate to itself/],
      ['missing.yaml', 'network: none\n', /key 'limits\.cpus' is missing/],
      ['not-yaml.yaml', 'limits: [\n', /not valid YAML/],
      ['list.yaml', '- a\n- b\n', /expected object/i],
      ['aliases.yaml', 'a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n', /not valid YAML|alias/i],
      ['binary.yaml', '\u0000\u0001\u0002garbage\uffff', /profile .*binary\.yaml/],
    ];
    for (const [name, text, expected] of cases) {
      const file = path.join(dir, name);
      writeFileSync(file, text);
      await assert.rejects(loadProfile(file), (error: Error) => {
        assert.match(error.message, new RegExp(name.replace('.', '\\.')), `${name}: names the file`);
        assert.match(error.message, expected, name);
        return error.name === 'SaferunError';
      });
    }
    const a = path.join(dir, 'a.yaml');
    const b = path.join(dir, 'b.yaml');
    writeFileSync(a, 'extends: ./b.yaml\n');
    writeFileSync(b, 'extends: ./a.yaml\n');
    await assert.rejects(loadProfile(a), /'extends' makes a cycle/);
    const loop = path.join(dir, 'loop.yaml');
    symlinkSync(loop, loop);
    await assert.rejects(loadProfile(loop), /symlink loop|cannot read/);
    const big = path.join(dir, 'big.yaml');
    writeFileSync(big, `# ${'x'.repeat(1024 * 1024)}\n`);
    await assert.rejects(loadProfile(big), /too large for a profile/);
    await assert.rejects(loadProfile('no-such-profile'), /unknown profile 'no-such-profile'; use one of strict, offline, normal/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('network: normal is an empty allowlist with a 20m upload cap; a profile adds hosts, and network: MODE still works', async () => {
  const normal = (await loadProfile('normal')).profile;
  assert.equal(normal.network, 'allowlist');
  assert.deepEqual(normal.egress, { allow: [], maxUploadBytes: 20 * 1024 ** 2 });
  const dir = tempDir();
  try {
    const mine = path.join(dir, 'mine.yaml');
    writeFileSync(mine, 'extends: normal\nnetwork:\n  allow: [PyPI.Example.org, "*.cdn.example.org:8443", "10.1.2.3:8080"]\n  maxUpload: 1m\n');
    const { profile } = await loadProfile(mine);
    assert.equal(profile.network, 'allowlist', 'the mode is inherited key by key');
    assert.deepEqual(profile.egress, { allow: ['pypi.example.org', '*.cdn.example.org:8443', '10.1.2.3:8080'], maxUploadBytes: 1024 ** 2 });
    const open = path.join(dir, 'open.yaml');
    writeFileSync(open, 'extends: normal\nnetwork: open\n');
    assert.equal((await loadProfile(open)).profile.network, 'open');
    const bad = path.join(dir, 'bad-allow.yaml');
    writeFileSync(bad, 'extends: normal\nnetwork:\n  allow: ["http://x.org/"]\n');
    await assert.rejects(loadProfile(bad), /key 'network\.allow\.0': 'http:\/\/x\.org\/' is not HOST\[:PORT\]/);
    const badKey = path.join(dir, 'bad-key.yaml');
    writeFileSync(badKey, 'extends: normal\nnetwork:\n  allowed: [x.org]\n');
    await assert.rejects(loadProfile(badKey), /unknown key 'network\.allowed'; accepted: mode, allow, maxUpload/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
