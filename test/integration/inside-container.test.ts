/**
 * The hardening as the program sees it: for each preset, one run through the real CLI of a small
 * probe (test/fixtures/probes/sandbox_probe.py) that prints what it finds inside the container —
 * capabilities, seccomp, mounts, ulimits, devices, the cgroup's limits, namespaces, environment.
 * The expected values come from the preset files, so a setting dropped anywhere between the profile
 * and the Engine API request fails here, whatever the configuration object says.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readlinkSync, rmSync } from 'node:fs';
import path from 'node:path';
import Docker from 'dockerode';
import { loadProfile, PRESETS } from '../../src/config/load-profile.js';
import type { Profile } from '../../src/config/profile.js';
import { sandboxImageName } from '../../src/sandbox/image.js';
import { packageRoot } from '../../src/util/package-info.js';
import { assertEngineReachable } from '../support/engine.js';
import { assertNoSaferunLeftovers } from '../support/leftovers.js';
import { saferun, tempWorkdir } from '../support/saferun.js';
import { parseProbeRun, type ProbeRun } from '../support/probe.js';

const PROBE = path.join(packageRoot(), 'test', 'fixtures', 'probes', 'sandbox_probe.py');
/** The device nodes Docker gives every container (runc's defaults); anything more was added. */
const DEFAULT_DEVICES = new Set(['/dev/null', '/dev/zero', '/dev/full', '/dev/random', '/dev/urandom', '/dev/tty', '/dev/console', '/dev/ptmx', '/dev/pts/ptmx']);
const COPIED = 'SAFERUN_TEST_COPIED_VALUE';
const SECRET = 'SAFERUN_TEST_HOST_SECRET';

let dir: string;
let imageEnvKeys: Set<string>;
/** Each preset's run, or why it failed: one preset failing must not hide what the others show. */
const runs = new Map<string, { profile: Profile; run: ProbeRun } | { error: string }>();

before(async () => {
  await assertEngineReachable();
  dir = tempWorkdir('saferun-inside-');
  copyFileSync(PROBE, path.join(dir, 'sandbox_probe.py'));
  const image = await new Docker().getImage(sandboxImageName()).inspect();
  imageEnvKeys = new Set((image.Config.Env ?? []).map((entry) => entry.split('=')[0]!));
  // One run per preset, all at once: every assertion below reads these three.
  await Promise.all(
    PRESETS.map(async (preset) => {
      const { profile } = await loadProfile(preset);
      const env = { [COPIED]: `copied from the host for ${preset}`, [SECRET]: 'must not leak' };
      const result = await saferun(['--json', '--profile', preset, '--runtime', 'runc', '-e', COPIED, 'sandbox_probe.py'], { cwd: dir, env });
      if (result.exitCode !== 0) runs.set(preset, { error: `exit ${result.exitCode}: ${result.stderr.slice(0, 1000)}` });
      else runs.set(preset, { profile, run: parseProbeRun(result.stdout) });
    }),
  );
});

function runOf(preset: string): { profile: Profile; run: ProbeRun } {
  const entry = runs.get(preset);
  assert.ok(entry, `no run for ${preset}`);
  if ('error' in entry) assert.fail(`the ${preset} probe run failed: ${entry.error}`);
  return entry;
}

after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await assertNoSaferunLeftovers();
});

for (const preset of PRESETS) {
  describe(`inside the ${preset} container`, { timeout: 120_000 }, () => {
    const get = () => runOf(preset);

    test('the probe ran under this preset, unescalated', () => {
      assert.equal(get().run.report.profile, preset);
      assert.equal(get().run.report.exitReason, 'exited');
    });

    test('not root, no capabilities in any set, no new privileges, seccomp filtering', () => {
      const { probe } = get().run;
      assert.notEqual(probe.uid, 0);
      assert.notEqual(probe.gid, 0);
      assert.ok(!probe.groups.includes(0), `groups ${probe.groups}`);
      for (const [set, value] of Object.entries(probe.caps)) assert.equal(value, '0000000000000000', set);
      assert.equal(probe.noNewPrivs, '1');
      assert.equal(probe.seccomp, '2', 'mode 2: a seccomp filter is active');
    });

    test('/ is mounted read-only and a write there fails with EROFS', () => {
      const { probe } = get().run;
      assert.ok(probe.mounts['/']?.options.includes('ro'), JSON.stringify(probe.mounts['/']));
      assert.equal(probe.rootWrite, 'errno 30');
      assert.ok(probe.mounts['/workspace']?.options.includes('ro'), 'the working dir is read-only');
      assert.ok(!Object.keys(probe.mounts).some((where) => where.includes('docker.sock')), 'no engine socket');
    });

    test('/tmp is a tmpfs with noexec, nosuid, nodev and the profile size; a script there cannot run', () => {
      const { probe } = get().run;
      const tmp = probe.mounts['/tmp'];
      assert.equal(tmp?.type, 'tmpfs');
      for (const option of ['noexec', 'nosuid', 'nodev']) assert.ok(tmp.options.includes(option), `${option} in ${tmp.options}`);
      assert.equal(probe.tmpBytes, get().profile.limits.tmpBytes);
      assert.equal(probe.tmpExecErrno, 13, 'EACCES');
    });

    test('ulimits: nofile and fsize from the profile, no core dumps', () => {
      const { probe } = get().run;
      const { limits } = get().profile;
      assert.deepEqual(probe.rlimits.nofile, [limits.nofile, limits.nofile]);
      assert.deepEqual(probe.rlimits.core, [0, 0]);
      assert.deepEqual(probe.rlimits.fsize, [limits.maxFileSizeBytes, limits.maxFileSizeBytes]);
    });

    test("no device nodes beyond Docker's defaults", () => {
      const extra = get().run.probe.devices.filter((device) => !DEFAULT_DEVICES.has(device));
      assert.deepEqual(extra, []);
    });

    test("the cgroup holds the profile's pids, CPU and memory limits, and no swap beyond memory", () => {
      const { cgroup } = get().run.probe;
      const { limits } = get().profile;
      assert.equal(Number(cgroup.pids), limits.pids);
      const [quota, period] = (cgroup.cpu ?? '').split(' ').map(Number);
      assert.ok(quota! > 0 && period! > 0, `cgroup v${cgroup.version} cpu: ${cgroup.cpu}`);
      assert.equal(Math.round((quota! / period!) * 1e9), limits.nanoCpus);
      assert.equal(Number(cgroup.memory), limits.memoryBytes);
      if (cgroup.version === 1) assert.equal(Number(cgroup.swap), limits.memoryBytes, 'memory+swap = memory');
      else assert.equal(Number(cgroup.swap), 0, 'no swap');
    });

    test("private IPC and PID namespaces: not the host's", () => {
      const { probe } = get().run;
      assert.match(probe.ipcNamespace, /^ipc:\[\d+\]$/);
      assert.notEqual(probe.ipcNamespace, readlinkSync('/proc/self/ns/ipc'));
      assert.notEqual(probe.pidNamespace, readlinkSync('/proc/self/ns/pid'));
    });

    test('the network has the interfaces the profile allows', () => {
      const { probe } = get().run;
      if (get().profile.network === 'none') assert.deepEqual(probe.interfaces, ['lo']);
      if (get().profile.network === 'open') assert.deepEqual(probe.interfaces, ['eth0', 'lo']);
    });

    test("no host environment; -e KEY copies the host's value", () => {
      const { env } = get().run.probe;
      assert.equal(env[COPIED], `copied from the host for ${preset}`);
      assert.equal(env[SECRET], undefined);
      // saferun's own: the hostname, HOME, PYTHONPYCACHEPREFIX (no planted .pyc runs), SAFERUN_*, and under allowlist the address of its egress proxy
      const proxy = get().profile.network === 'allowlist' ? /^((https?|no|all)_proxy|PIP_PROXY)$/i : /^$/;
      const foreign = Object.keys(env).filter((key) => !imageEnvKeys.has(key) && !['HOSTNAME', 'HOME', 'TERM', 'PYTHONPYCACHEPREFIX', COPIED].includes(key) && !key.startsWith('SAFERUN_') && !proxy.test(key));
      assert.deepEqual(foreign, [], 'only the image, the hostname and saferun set variables');
    });
  });
}

test('the presets really differ inside: the limits of one are not those of another', () => {
  const seen = new Set(PRESETS.map((preset) => runOf(preset).run.probe.cgroup.memory));
  assert.equal(seen.size, PRESETS.length);
});
