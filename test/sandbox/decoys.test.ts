/** Decoy credentials: realistic, unique per run, planted and removed, watched from the host. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decoyContents } from '../../src/sandbox/decoys/decoy-contents.js';
import { decoyParentDir, decoyRunDir, plantDecoys, reapDecoyDirs } from '../../src/sandbox/decoys/plant-decoys.js';
import { watchDecoys, type DecoyRead } from '../../src/sandbox/decoys/watch-decoys.js';
import { buildCreateOptions, type SandboxSpec } from '../../src/sandbox/host-config.js';

test('decoy contents look like the real files, and every canary is in its file and new each run', () => {
  const first = decoyContents();
  const second = decoyContents();
  const byName = new Map(first.map((d) => [d.name, d]));
  assert.deepEqual([...byName.keys()], ['ssh-key', 'aws-credentials', 'netrc', 'git-credentials', 'docker-config', 'gcloud-credentials']);
  const key = byName.get('ssh-key')!.text;
  assert.match(key, /^-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ/);
  assert.match(key, /-----END OPENSSH PRIVATE KEY-----\n$/);
  assert.match(byName.get('aws-credentials')!.text, /^\[default\]\naws_access_key_id = AKIA[A-Z2-7]{16}\naws_secret_access_key = [A-Za-z0-9+/]{40}\n/);
  assert.doesNotThrow(() => JSON.parse(byName.get('docker-config')!.text));
  assert.equal(JSON.parse(byName.get('gcloud-credentials')!.text).type, 'authorized_user');
  const canaries = first.flatMap((d) => d.canaries);
  const dockerAuth = Buffer.from(JSON.parse(byName.get('docker-config')!.text).auths['registry.corp.example.com'].auth, 'base64').toString();
  // the Docker token sits base64-encoded in its file, as the real one does
  for (const d of first) for (const canary of d.canaries) assert.ok(d.text.includes(canary) || dockerAuth.includes(canary), `${d.name}: ${canary}`);
  assert.ok(canaries.every((c) => c.length >= 20), 'long enough never to occur by chance');
  const again = new Set(second.flatMap((d) => d.canaries));
  assert.ok(canaries.every((c) => !again.has(c)), 'a new run, new canaries');
});

test('plantDecoys writes 0600 files for the sandbox home, binds them read-only, keeps ~/.config writable, and remove() leaves nothing', () => {
  const parent = mkdtempSync(path.join(os.tmpdir(), 'saferun-decoy-test-'));
  try {
    const runDir = decoyRunDir(parent, 'abc123');
    const planted = plantDecoys(runDir, { home: '/tmp', owner: { uid: 65534, gid: 65534 } });
    assert.equal(statSync(runDir).mode & 0o777, 0o700);
    assert.deepEqual(planted.mounts.map((m) => [m.containerPath, m.readOnly]), [
      ['/tmp/.ssh/id_rsa', true],
      ['/tmp/.aws/credentials', true],
      ['/tmp/.netrc', true],
      ['/tmp/.git-credentials', true],
      ['/tmp/.docker/config.json', true],
      ['/tmp/.config/gcloud/application_default_credentials.json', true],
    ]);
    for (const decoy of planted.decoys) assert.equal(statSync(decoy.hostPath).mode & 0o777, 0o600);
    if (process.getuid?.() === 0) assert.equal(statSync(planted.decoys[0]!.hostPath).uid, 65534);
    assert.ok(planted.canaries.some((c) => readFileSync(planted.decoys[1]!.hostPath, 'utf8').includes(c)));
    assert.deepEqual(planted.writableDirs, ['/tmp/.config']);
    planted.remove();
    planted.remove();
    assert.equal(existsSync(runDir), false);
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});

test('the host copies never go where the sandbox can see them; a dead saferun\'s decoys are reaped, a live one\'s kept', () => {
  assert.equal(decoyParentDir(['/work/project'], ['/tmp', '/state']), '/tmp');
  assert.equal(decoyParentDir(['/tmp'], ['/tmp', '/state']), '/state', 'a workdir of /tmp shows /tmp/*');
  assert.equal(decoyParentDir(['/'], ['/tmp', '/state']), undefined);
  const parent = mkdtempSync(path.join(os.tmpdir(), 'saferun-decoy-reap-'));
  try {
    const dead = decoyRunDir(parent, 'aa11', 2 ** 22 + 12345); // above pid_max's default: no such process
    const live = decoyRunDir(parent, 'bb22', process.pid);
    for (const dir of [dead, live]) {
      mkdirSync(dir);
      writeFileSync(path.join(dir, 'netrc'), 'x');
    }
    writeFileSync(path.join(parent, 'saferun-decoys-unrelated'), 'not ours');
    assert.equal(reapDecoyDirs([parent]), 1);
    assert.equal(existsSync(dead), false);
    assert.equal(existsSync(live), true);
    assert.equal(existsSync(path.join(parent, 'saferun-decoys-unrelated')), true);
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});

test('host-config: each writable dir is a tmpfs the sandbox user can write', () => {
  const spec = {
    runId: 'r1', ownerPid: 1, image: 'img', command: ['python3'], user: '1000:1000', workdir: { hostPath: '/w', access: 'read-only' }, containerCwd: '/workspace',
    mounts: [{ hostPath: '/h/netrc', containerPath: '/tmp/.netrc', readOnly: true }], env: {}, network: { mode: 'none' }, tty: false, writableDirs: ['/tmp/.config'],
    limits: { memoryBytes: 1e9, nanoCpus: 1e9, pids: 64, nofile: 256, maxFileSizeBytes: 1e6, tmpBytes: 512 * 1024 * 1024, timeoutMs: 1000 },
  } as unknown as SandboxSpec;
  const options = buildCreateOptions(spec);
  assert.match(options.HostConfig!.Tmpfs!['/tmp/.config']!, /^rw,noexec,nosuid,nodev,size=67108864,mode=1777$/);
  assert.ok(options.HostConfig!.Binds!.includes('/h/netrc:/tmp/.netrc:ro'));
});

test('watchDecoys reports the first open of each decoy, once, and nothing for a stat', async () => {
  const parent = mkdtempSync(path.join(os.tmpdir(), 'saferun-decoy-watch-'));
  const planted = plantDecoys(decoyRunDir(parent, 'cc33'), { home: '/tmp' });
  const reads: DecoyRead[] = [];
  const watch = await watchDecoys(planted.decoys, (read) => reads.push(read));
  try {
    statSync(planted.decoys[0]!.hostPath);
    await new Promise((resolve) => setTimeout(resolve, 80));
    assert.deepEqual(reads, []);
    const t0 = performance.now();
    readFileSync(planted.decoys[2]!.hostPath);
    while (reads.length === 0 && performance.now() - t0 < 2000) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.deepEqual((reads as DecoyRead[]).map((r) => [r.decoy.name, r.how]), [['netrc', 'open']]);
    readFileSync(planted.decoys[2]!.hostPath);
    await new Promise((resolve) => setTimeout(resolve, 80));
    assert.equal(reads.length, 1, 'once per decoy');
  } finally {
    watch.stop();
    watch.stop();
    planted.remove();
    rmSync(parent, { recursive: true, force: true });
  }
});
