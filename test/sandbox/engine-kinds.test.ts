import { test } from 'node:test';
import assert from 'node:assert/strict';
import { engineCheck, engineIdentity, runtimesCheck } from '../../src/sandbox/doctor-engine.js';
import { adaptForPodman, PODMAN_NPROC } from '../../src/sandbox/podman.js';
import { chooseRuntime, type EngineRuntimes } from '../../src/sandbox/runtime-choice.js';

test('doctor tells Podman from Docker by the version answer', () => {
  const podman = engineIdentity({ Version: '4.3.1', ApiVersion: '1.41', Components: [{ Name: 'Podman Engine', Version: '4.3.1' }, { Name: 'Conmon', Version: '2.1.6' }] });
  assert.deepEqual(podman, { kind: 'podman', version: '4.3.1', apiVersion: '1.41' });
  assert.match(engineCheck(podman).detail, /^Podman 4\.3\.1 \(API 1\.41\)/);
  const docker = engineIdentity({ Version: '20.10.24', ApiVersion: '1.41', Components: [{ Name: 'Engine', Version: '20.10.24' }, { Name: 'containerd' }] });
  assert.equal(docker.kind, 'docker');
  assert.match(engineCheck(docker).detail, /^Docker 20\.10\.24/);
});

test('doctor lists the runtimes and says when gVisor is missing', () => {
  assert.match(runtimesCheck({ runc: 'runc', runsc: '/usr/bin/runsc' }, 'runc').detail, /runc, runsc \(default runc\); gVisor as 'runsc'/);
  const none = runtimesCheck({ runc: 'runc' }, 'runc');
  assert.match(none.detail, /no gVisor/);
  assert.match(none.fix ?? '', /gVisor/);
});

test('under Podman every run sets RLIMIT_NPROC (its default cannot be set on some hosts); other limits stay', () => {
  const adapted = adaptForPodman({ Image: 'i', HostConfig: { Ulimits: [{ Name: 'nofile', Soft: 256, Hard: 256 }], Memory: 1 } });
  assert.deepEqual(adapted.HostConfig?.Ulimits, [
    { Name: 'nofile', Soft: 256, Hard: 256 },
    { Name: 'nproc', Soft: PODMAN_NPROC, Hard: PODMAN_NPROC },
  ]);
  assert.equal(adapted.HostConfig?.Memory, 1);
});

test("Podman's compat API cannot pick a runtime per container: said, refused, never silently ignored", () => {
  const podman: EngineRuntimes = { runtimes: { runc: '/usr/bin/runc', runsc: '/usr/bin/runsc', crun: '/usr/bin/crun' }, defaultRuntime: 'runc', perContainer: false };
  const auto = chooseRuntime({ profileKey: 'auto', profileName: 'strict', network: 'none' }, podman);
  assert.equal(auto.runtime, 'runc');
  assert.match(auto.why, /Podman's Docker-compatible API runs every container with its default runtime.*containers\.conf; using runc/);
  assert.throws(() => chooseRuntime({ flag: 'runsc', profileName: 'normal', network: 'none' }, podman), /runtime 'runsc' cannot be chosen here: Podman/);
  assert.equal(chooseRuntime({ flag: 'runc', profileName: 'normal', network: 'open' }, podman).runtime, 'runc');
  const podmanOnGvisor: EngineRuntimes = { ...podman, defaultRuntime: 'runsc' };
  const chosen = chooseRuntime({ profileKey: 'auto', profileName: 'strict', network: 'none' }, podmanOnGvisor);
  assert.deepEqual([chosen.runtime, chosen.gvisor], ['runsc', true]);
});
