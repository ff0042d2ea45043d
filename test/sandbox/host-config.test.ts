import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadProfile } from '../../src/config/load-profile.js';
import { before } from 'node:test';
import type { ResourceLimits } from '../../src/config/profile.js';
import { buildCreateOptions, sandboxUser, type SandboxSpec } from '../../src/sandbox/host-config.js';

let strictLimits: ResourceLimits;
before(async () => {
  strictLimits = (await loadProfile('strict')).profile.limits;
});

function spec(overrides: Partial<SandboxSpec> = {}): SandboxSpec {
  return {
    runId: 'r1',
    ownerPid: 42,
    image: 'saferun-python:abc',
    command: ['python3', 'hello.py'],
    user: '1000:1000',
    workdir: { hostPath: '/home/u/project', access: 'read-only' },
    containerCwd: '/workspace',
    mounts: [],
    env: { HOME: '/tmp' },
    limits: strictLimits,
    network: { mode: 'none' },
    tty: false,
    ...overrides,
  };
}

test('every container is hardened the same way', () => {
  const options = buildCreateOptions(spec());
  const host = options.HostConfig!;
  assert.deepEqual(host.CapDrop, ['ALL']);
  assert.deepEqual(host.CapAdd, []);
  assert.deepEqual(host.SecurityOpt, ['no-new-privileges'], 'no seccomp=unconfined: the default profile stays');
  assert.equal(host.ReadonlyRootfs, true);
  assert.equal(host.Privileged, false);
  assert.equal(host.Init, true);
  assert.equal(host.IpcMode, 'private');
  assert.deepEqual(host.Devices, []);
  assert.equal(host.Memory, host.MemorySwap, 'no swap beyond memory');
  assert.match(host.Tmpfs!['/tmp']!, /^rw,noexec,nosuid,nodev,size=\d+$/);
  assert.deepEqual(host.Ulimits!.find((u) => u.Name === 'core'), { Name: 'core', Soft: 0, Hard: 0 });
  assert.deepEqual(host.Binds, ['/home/u/project:/workspace:ro']);
  assert.equal(options.User, '1000:1000');
  assert.deepEqual(options.Labels, { 'saferun.run': 'r1', 'saferun.owner-pid': '42' });
  assert.deepEqual(options.Env, ['HOME=/tmp'], 'no host environment');
});

test('limits, network and mounts follow the spec', () => {
  const limits = { ...strictLimits, memoryBytes: 256 * 1024 ** 2, nanoCpus: 5e8, pids: 32, nofile: 100, maxFileSizeBytes: 1024 ** 2 };
  const table: [Partial<SandboxSpec>, (o: ReturnType<typeof buildCreateOptions>) => void][] = [
    [{ limits }, (o) => {
      assert.equal(o.HostConfig!.Memory, 256 * 1024 ** 2);
      assert.equal(o.HostConfig!.NanoCpus, 5e8);
      assert.equal(o.HostConfig!.PidsLimit, 32);
      assert.deepEqual(o.HostConfig!.Ulimits!.find((u) => u.Name === 'nofile'), { Name: 'nofile', Soft: 100, Hard: 100 });
      assert.deepEqual(o.HostConfig!.Ulimits!.find((u) => u.Name === 'fsize'), { Name: 'fsize', Soft: 1024 ** 2, Hard: 1024 ** 2 });
    }],
    [{ network: { mode: 'none' } }, (o) => assert.equal(o.HostConfig!.NetworkMode, 'none')],
    [{ network: { mode: 'open' } }, (o) => assert.equal(o.HostConfig!.NetworkMode, 'bridge')],
    [{ network: { mode: 'proxy', hostDir: '/tmp/saferun-net-1-r1' } }, (o) => {
      // The proxied modes have no network either: their one way out is the proxy socket, mounted read-only.
      assert.equal(o.HostConfig!.NetworkMode, 'none');
      assert.ok(o.HostConfig!.Binds!.includes('/tmp/saferun-net-1-r1:/saferun/net:ro'));
      assert.deepEqual(o.Cmd, ['python3', '-I', '-S', '/saferun/net/forward.py', '3128', 'python3', 'hello.py']);
      assert.ok(o.Env!.includes('HTTPS_PROXY=http://127.0.0.1:3128'));
      assert.ok(o.Env!.includes('HOME=/tmp'));
    }],
    [{ workdir: { hostPath: '/p', access: 'none' } }, (o) => assert.deepEqual(o.HostConfig!.Binds, [])],
    [{ mounts: [{ hostPath: '/out', containerPath: '/output', readOnly: false }] }, (o) => assert.deepEqual(o.HostConfig!.Binds, ['/home/u/project:/workspace:ro', '/out:/output:rw'])],
    [{ tty: true }, (o) => assert.equal(o.Tty, true)],
  ];
  for (const [overrides, check] of table) check(buildCreateOptions(spec(overrides)));
});

test('the sandbox never runs as root', () => {
  assert.equal(sandboxUser(0, 0), '65534:65534');
  assert.equal(sandboxUser(1000, 1000), '1000:1000');
  assert.equal(sandboxUser(1000, 0), '1000:65534');
  assert.equal(sandboxUser(undefined, undefined), '65534:65534');
  assert.throws(() => buildCreateOptions(spec({ user: '0:0' })), /root/);
});
