import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadProfile } from '../../src/config/load-profile.js';
import { parseRunArgs } from '../../src/cli/run.js';
import { buildCreateOptions, describeSandbox, type SandboxSpec } from '../../src/sandbox/host-config.js';
import { chooseRuntime, isGvisor, type EngineRuntimes } from '../../src/sandbox/runtime-choice.js';

const withGvisor: EngineRuntimes = { runtimes: { runc: 'runc', runsc: '/usr/bin/runsc' }, defaultRuntime: 'runc' };
const runcOnly: EngineRuntimes = { runtimes: { runc: 'runc' }, defaultRuntime: 'runc' };
const gvisorUnderAnotherName: EngineRuntimes = { runtimes: { runc: 'runc', gvisor: '/usr/local/bin/runsc' }, defaultRuntime: 'runc' };

test('the runtime: flag over profile key over the engine default, with the reason', () => {
  const rows: [string, Parameters<typeof chooseRuntime>[0], EngineRuntimes, string, boolean, RegExp][] = [
    ['nothing asked', { profileName: 'normal', network: 'open' }, withGvisor, 'runc', false, /engine's default/],
    ['strict prefers gVisor', { profileKey: 'auto', profileName: 'strict', network: 'none' }, withGvisor, 'runsc', true, /profile strict prefers gVisor/],
    ['gVisor registered as another name', { profileKey: 'auto', profileName: 'strict', network: 'none' }, gvisorUnderAnotherName, 'gvisor', true, /prefers gVisor/],
    ['no gVisor: said, not silent', { profileKey: 'auto', profileName: 'strict', network: 'none' }, runcOnly, 'runc', false, /does not list it.*using runc/],
    ['auto with an open network: said, not silent', { profileKey: 'auto', profileName: 'mine', network: 'open' }, withGvisor, 'runc', false, /network 'open' cannot work.*using runc, which shares the host kernel/],
    ['restricted and allowlist go through the proxy socket: gVisor', { profileKey: 'auto', profileName: 'mine', network: 'allowlist' }, withGvisor, 'runsc', true, /prefers gVisor/],
    ['the flag wins over the key', { flag: 'runc', profileKey: 'auto', profileName: 'strict', network: 'none' }, withGvisor, 'runc', false, /asked for by --runtime/],
    ['explicit runsc with no network', { flag: 'runsc', profileName: 'normal', network: 'none' }, withGvisor, 'runsc', true, /--runtime/],
  ];
  for (const [name, wish, engine, runtime, gvisor, why] of rows) {
    const choice = chooseRuntime(wish, engine);
    assert.equal(choice.runtime, runtime, name);
    assert.equal(choice.gvisor, gvisor, name);
    assert.match(choice.why, why, name);
  }
});

test('an explicit runtime the engine lacks, or runsc with a network, is refused with the way out', () => {
  assert.throws(() => chooseRuntime({ flag: 'kata', profileName: 'normal', network: 'none' }, withGvisor), /--runtime: runtime 'kata' is not one the engine lists; use runc, runsc, auto/);
  assert.throws(() => chooseRuntime({ flag: 'runsc', profileName: 'normal', network: 'open' }, withGvisor), /network 'open' cannot work.*; use --network none/);
  assert.throws(() => chooseRuntime({ profileKey: 'runsc', profileName: 'mine', network: 'open' }, withGvisor), /profile mine runsc: .*'open'/);
  assert.equal(chooseRuntime({ flag: 'runsc', profileName: 'normal', network: 'restricted' }, withGvisor).runtime, 'runsc');
  assert.throws(() => chooseRuntime({ flag: 'runsc', profileName: 'normal', network: 'none' }, runcOnly), /not one the engine lists; use runc, auto/);
});

test('gVisor is recognised by name or binary', () => {
  assert.equal(isGvisor('runsc'), true);
  assert.equal(isGvisor('gvisor', '/opt/bin/runsc'), true);
  assert.equal(isGvisor('runc', 'runc'), false);
  assert.equal(isGvisor('crun', '/usr/bin/crun'), false);
});

test('the container asks the engine for the chosen runtime, and the report says which and why', async () => {
  const limits = (await loadProfile('strict')).profile.limits;
  const spec: SandboxSpec = {
    runId: 'r1', ownerPid: 1, image: 'img', command: ['python3', 'a.py'], user: '1000:1000',
    workdir: { hostPath: '/w', access: 'read-only' }, containerCwd: '/workspace', mounts: [], env: {}, limits,
    network: { mode: 'none' }, tty: false, runtime: { name: 'runsc', gvisor: true, why: 'asked for by --runtime' },
  };
  const options = buildCreateOptions(spec);
  assert.equal(options.HostConfig?.Runtime, 'runsc');
  assert.equal(options.HostConfig?.PidsLimit, limits.pids + 64, "gVisor's own threads count against the pids limit");
  assert.equal(describeSandbox(spec, options, 'runsc').runtime, 'runsc');
  assert.equal(describeSandbox(spec, options).runtimeReason, 'asked for by --runtime');
  const { runtime: _dropped, ...plain } = spec;
  assert.equal(buildCreateOptions(plain).HostConfig?.Runtime, undefined, "no runtime asked: the engine's default");
  assert.equal(buildCreateOptions(plain).HostConfig?.PidsLimit, limits.pids);
});

test('the strict preset prefers gVisor; a profile key and the --runtime flag are validated', async () => {
  assert.equal((await loadProfile('strict')).profile.runtime, 'auto');
  assert.equal((await loadProfile('normal')).profile.runtime, undefined);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'saferun-runtime-'));
  try {
    writeFileSync(path.join(dir, 'gv.yaml'), 'extends: normal\nnetwork: none\nruntime: runsc\n');
    assert.equal((await loadProfile(path.join(dir, 'gv.yaml'))).profile.runtime, 'runsc');
    writeFileSync(path.join(dir, 'bad.yaml'), 'extends: normal\nruntime: "run c; rm -rf /"\n');
    await assert.rejects(loadProfile(path.join(dir, 'bad.yaml')), /key 'runtime': use runc, runsc, auto/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const request = parseRunArgs(['--runtime', 'runsc', 'a.py']);
  assert.ok(request !== 'help' && request.runtime === 'runsc');
  assert.throws(() => parseRunArgs(['--runtime', '../x', 'a.py']), /--runtime: '\.\.\/x' is not a runtime name/);
});
