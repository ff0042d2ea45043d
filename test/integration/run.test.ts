/**
 * `saferun script.py` end to end against the real engine: same output, stdin and exit code as
 * python, inside a container that is non-root, capability-free and read-only.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { lstatSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Docker from 'dockerode';
import { assertEngineReachable } from '../support/engine.js';
import { assertNoSaferunLeftovers } from '../support/leftovers.js';
import { saferun, startSaferun, tempWorkdir } from '../support/saferun.js';

let dir: string;

before(async () => {
  await assertEngineReachable();
  dir = tempWorkdir();
  const files: Record<string, string> = {
    'hello.py': 'print("hello from the sandbox")\n',
    'args.py': 'import sys\nprint(repr(sys.argv[1:]))\n',
    'exit3.py': 'import sys\nprint("leaving")\nsys.exit(3)\n',
    'echo_stdin.py': 'import sys\ndata = sys.stdin.read()\nprint(data.upper(), end="")\nprint("done", file=sys.stderr)\n',
    'identity.py': [
      'import os, re',
      'status = open("/proc/self/status").read()',
      'print("uid", os.getuid())',
      'print("CapEff", re.search(r"CapEff:\\s*(\\S+)", status).group(1))',
      'print("NoNewPrivs", re.search(r"NoNewPrivs:\\s*(\\S+)", status).group(1))',
      'print("env", sorted(k for k in os.environ if k.startswith("HOSTSECRET")))',
      '',
    ].join('\n'),
    'write.py': [
      'import os',
      'try:',
      '    open("in-workdir.txt", "w").write("x")',
      '    print("workdir writable")',
      'except OSError as e:',
      '    print("workdir errno", e.errno)',
      'out = os.environ["SAFERUN_OUTPUT"]',
      'open(os.path.join(out, "result.txt"), "w").write("42\\n")',
      'print("wrote result")',
      '',
    ].join('\n'),
    'membomb.py': 'chunks = []\nwhile True:\n    chunks.append(bytearray(16 * 1024 * 1024))\n',
    'forkbomb.py': [
      'import os, time',
      'children = 0',
      'try:',
      '    for _ in range(2000):',
      '        if os.fork() == 0:',
      '            time.sleep(3)',
      '            os._exit(0)',
      '        children += 1',
      'except OSError as e:',
      '    print("fork refused after", children, "errno", e.errno)',
      '',
    ].join('\n'),
    'sleeper.py': 'import time\nprint("sleeping", flush=True)\ntime.sleep(120)\n',
    'connect.py': [
      'import socket, sys',
      's = socket.socket()',
      's.settimeout(3)',
      'try:',
      '    s.connect((sys.argv[1], int(sys.argv[2])))',
      '    print("connected")',
      'except OSError as e:',
      '    print("connect failed", type(e).__name__)',
      'print("interfaces", sorted(__import__("os").listdir("/sys/class/net")))',
      '',
    ].join('\n'),
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
});

after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await assertNoSaferunLeftovers();
});

test('hello world prints exactly what python prints', async () => {
  const result = await saferun(['hello.py'], { cwd: dir });
  assert.equal(result.stdout, 'hello from the sandbox\n');
  assert.equal(result.exitCode, 0, result.stderr);
});

test('arguments pass through untouched, flags included', async () => {
  const result = await saferun(['args.py', '--memory', 'x y', '-v'], { cwd: dir });
  assert.equal(result.stdout, "['--memory', 'x y', '-v']\n");
});

test('the exit code passes through', async () => {
  const result = await saferun(['exit3.py'], { cwd: dir });
  assert.equal(result.exitCode, 3);
  assert.equal(result.stdout, 'leaving\n');
});

test('stdin is piped in, stdout and stderr stay separate', async () => {
  const result = await saferun(['echo_stdin.py'], { cwd: dir, input: 'abc\ndef\n' });
  assert.equal(result.stdout, 'ABC\nDEF\n');
  assert.match(result.stderr, /^done$/m);
  assert.doesNotMatch(result.stdout, /done/);
});

test('non-root, no capabilities, no-new-privileges, no host environment', async () => {
  const result = await saferun(['identity.py'], { cwd: dir, env: { HOSTSECRET_TOKEN: 'leak-me' } });
  assert.equal(result.exitCode, 0, result.stderr);
  const uid = Number(/^uid (\d+)$/m.exec(result.stdout)?.[1]);
  assert.notEqual(uid, 0);
  assert.match(result.stdout, /^CapEff 0000000000000000$/m);
  assert.match(result.stdout, /^NoNewPrivs 1$/m);
  assert.match(result.stdout, /^env \[\]$/m, 'host variables do not leak in');
});

test('-e passes a variable explicitly', async () => {
  const result = await saferun(['-e', 'HOSTSECRET_X=given', '-c', 'import os; print(os.environ["HOSTSECRET_X"])'], { cwd: dir });
  assert.equal(result.stdout, 'given\n');
});

test('-m and -c run like python', async () => {
  writeFileSync(path.join(dir, 'localmod.py'), 'import sys\nprint("module", sys.argv[1:])\n');
  const module = await saferun(['-m', 'localmod', 'a'], { cwd: dir });
  assert.equal(module.stdout, "module ['a']\n");
  const code = await saferun(['-c', 'import sys; print(sum(map(int, sys.argv[1:])))', '2', '40'], { cwd: dir });
  assert.equal(code.stdout, '42\n');
});

test('the working dir is read-only (EROFS) and --output is writable, owned by the invoking user', async () => {
  const out = path.join(dir, 'out');
  const result = await saferun(['--output', 'out', 'write.py'], { cwd: dir });
  assert.equal(result.exitCode, 0, result.stderr);
  assert.match(result.stdout, /^workdir errno 30$/m, 'EROFS');
  assert.match(result.stdout, /^wrote result$/m);
  assert.equal(readFileSync(path.join(out, 'result.txt'), 'utf8'), '42\n');
  const stat = lstatSync(path.join(out, 'result.txt'));
  assert.equal(stat.uid, process.getuid!(), 'the file belongs to whoever ran saferun');
  assert.equal(lstatSync(out).uid, process.getuid!(), 'the output dir is handed back too');
});

test('files already in --output are writable by the program and keep their owner', async () => {
  const out = tempWorkdir('saferun-existing-');
  try {
    writeFileSync(path.join(out, 'result.txt'), 'old\n');
    const result = await saferun(['--output', out, 'write.py'], { cwd: dir });
    assert.equal(result.exitCode, 0, result.stderr);
    assert.equal(readFileSync(path.join(out, 'result.txt'), 'utf8'), '42\n', 'overwritten in place');
    assert.equal(lstatSync(path.join(out, 'result.txt')).uid, process.getuid!());
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('an output dir outside the working dir appears at $SAFERUN_OUTPUT', async () => {
  const elsewhere = tempWorkdir('saferun-out-');
  try {
    const result = await saferun(['--output', elsewhere, 'write.py'], { cwd: dir });
    assert.equal(result.exitCode, 0, result.stderr);
    assert.equal(readFileSync(path.join(elsewhere, 'result.txt'), 'utf8'), '42\n');
  } finally {
    rmSync(elsewhere, { recursive: true, force: true });
  }
});

/** A TCP listener in a container on a network this test creates; both are removed afterwards. */
async function withTestListener(use: (ip: string) => Promise<void>): Promise<void> {
  const docker = new Docker();
  const { sandboxImageName } = await import('../../src/sandbox/image.js');
  const network = await docker.createNetwork({ Name: `saferun-test-net-${process.pid}`, Labels: { 'saferun.test': '1' } });
  const listener = await docker.createContainer({
    Image: sandboxImageName(),
    Cmd: ['python3', '-c', 'import socket,time\ns=socket.socket()\ns.bind(("0.0.0.0",8080))\ns.listen()\ntime.sleep(60)'],
    User: '65534:65534',
    Labels: { 'saferun.test': '1' },
    HostConfig: { NetworkMode: network.id, AutoRemove: false },
  });
  try {
    await listener.start();
    const info = await listener.inspect();
    const ip = Object.values(info.NetworkSettings.Networks)[0]!.IPAddress;
    assert.ok(ip, 'the listener has an address');
    await use(ip);
  } finally {
    await listener.remove({ force: true });
    await network.remove();
  }
}

test('strict has no network: a connection to a listener on a test network fails', async () => {
  await withTestListener(async (ip) => {
    const result = await saferun(['--profile', 'strict', 'connect.py', ip, '8080'], { cwd: dir });
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, /^connect failed /m);
    assert.match(result.stdout, /^interfaces \['lo'\]$/m);
  });
});

test('a memory bomb ends as oom with its own exit code', async () => {
  const result = await saferun(['--memory', '96m', 'membomb.py'], { cwd: dir });
  assert.equal(result.exitCode, 123, result.stderr);
  assert.match(result.stderr, /out of memory: the program reached its 96m limit/);
});

test('a fork bomb is held by the pids limit', async () => {
  const result = await saferun(['--pids', '40', 'forkbomb.py'], { cwd: dir });
  assert.equal(result.exitCode, 0, result.stderr);
  const refused = Number(/^fork refused after (\d+) errno 11$/m.exec(result.stdout)?.[1]);
  assert.ok(refused > 0 && refused < 40, `stopped below the limit (${result.stdout})`);
});

test('a sleep past --timeout is killed as timeout', async () => {
  const t0 = Date.now();
  const result = await saferun(['--timeout', '2s', 'sleeper.py'], { cwd: dir });
  assert.equal(result.exitCode, 124, result.stderr);
  assert.match(result.stderr, /timed out after 2s/);
  assert.ok(Date.now() - t0 < 20_000);
});

test('SIGINT to saferun mid-run stops and removes the container', async () => {
  const child = startSaferun(['sleeper.py'], { cwd: dir });
  await new Promise<void>((resolve) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('sleeping')) resolve();
    });
  });
  child.kill('SIGINT');
  const result = await child;
  assert.equal(result.exitCode, 130, String(result.stderr));
  assert.match(String(result.stderr), /interrupted/);
  await assertNoSaferunLeftovers();
});

test('a high-risk script under strict is blocked before any container is created', async (t) => {
  const docker = new Docker();
  const since = Math.floor(Date.now() / 1000) - 1;
  // a directory of its own: every source in a working dir is scanned, so risky.py would block the other tests' runs
  const riskyDir = tempWorkdir('saferun-risky-');
  t.after(() => rmSync(riskyDir, { recursive: true, force: true }));
  writeFileSync(path.join(riskyDir, 'risky.py'), 'import base64\nexec(base64.b64decode("cHJpbnQoJ293bmVkJyk="))\n');
  const report = path.join(riskyDir, 'blocked-report.json');
  const result = await saferun(['--profile', 'strict', '--report', report, 'risky.py'], { cwd: riskyDir });
  const until = Math.floor(Date.now() / 1000) + 1;
  assert.equal(result.exitCode, 120, result.stderr);
  assert.match(result.stderr, /blocked/);
  assert.equal(result.stdout, '', 'the program did not run');
  const parsed = JSON.parse(readFileSync(report, 'utf8')) as { exitReason: string; decision: string; riskLevel: string; sandbox: unknown; runId: string };
  assert.equal(parsed.exitReason, 'blocked');
  assert.equal(parsed.decision, 'block');
  assert.ok(parsed.riskLevel === 'high' || parsed.riskLevel === 'critical');
  const events = await docker.getEvents({ since, until, filters: JSON.stringify({ type: ['container'], label: [`saferun.run=${parsed.runId}`] }) });
  const text = await new Promise<string>((resolve) => {
    let all = '';
    events.on('data', (chunk: Buffer) => (all += chunk.toString()));
    events.on('end', () => resolve(all));
  });
  assert.equal(text.trim(), '', 'no container event for this run');
});

test('--dry-run prints the decision and the container configuration and runs nothing', async () => {
  const result = await saferun(['--profile', 'strict', '--dry-run', '--memory', '300m', 'hello.py'], { cwd: dir });
  assert.equal(result.exitCode, 0, result.stderr);
  const plan = JSON.parse(result.stdout) as { decision: string; container: { User: string; HostConfig: { CapDrop: string[]; Memory: number; NetworkMode: string; ReadonlyRootfs: boolean } } };
  assert.equal(plan.decision, 'run');
  assert.deepEqual(plan.container.HostConfig.CapDrop, ['ALL']);
  assert.equal(plan.container.HostConfig.Memory, 300 * 1024 ** 2);
  assert.equal(plan.container.HostConfig.NetworkMode, 'none');
  assert.equal(plan.container.HostConfig.ReadonlyRootfs, true);
  assert.doesNotMatch(result.stdout, /hello from the sandbox/);
});

test('--json prints the versioned report after the program output', async () => {
  const result = await saferun(['--json', '--profile', 'offline', 'exit3.py'], { cwd: dir });
  assert.equal(result.exitCode, 3);
  assert.ok(result.stdout.startsWith('leaving\n'));
  const report = JSON.parse(result.stdout.slice('leaving\n'.length)) as Record<string, unknown>;
  for (const key of ['version', 'runId', 'command', 'profile', 'riskLevel', 'decision', 'exitCode', 'exitReason', 'durationMs', 'findings', 'events', 'sandbox']) {
    assert.ok(key in report, `report has ${key}`);
  }
  assert.equal(report['version'], 1);
  assert.equal(report['exitCode'], 3);
  assert.equal(report['exitReason'], 'exited');
  assert.equal(report['profile'], 'offline');
  const sandbox = report['sandbox'] as Record<string, unknown>;
  assert.deepEqual(sandbox['capDrop'], ['ALL']);
  assert.equal(sandbox['readOnlyRootfs'], true);
  assert.equal(sandbox['networkMode'], 'none');
  assert.notEqual(sandbox['user'], '0:0');
});

test('--network beyond what the profile allows is refused with the accepted values', async () => {
  const result = await saferun(['--profile', 'strict', '--network', 'open', 'hello.py'], { cwd: dir });
  assert.equal(result.exitCode, 2);
  assert.match(result.stderr, /--network open: profile strict allows at most 'none'/);
});

test('a missing script and a binary script get clear errors, not crashes', async () => {
  const missing = await saferun(['nope.py'], { cwd: dir });
  assert.equal(missing.exitCode, 121);
  assert.match(missing.stderr, /nope\.py: cannot open the script \(no such file\)/);
  mkdirSync(path.join(dir, 'adir'), { recursive: true });
  const notFile = await saferun(['adir'], { cwd: dir });
  assert.match(notFile.stderr, /adir: not a file/);
  writeFileSync(path.join(dir, 'binary.py'), Buffer.from([0, 1, 2, 255, 254, 0, 10]));
  const binary = await saferun(['--profile', 'strict', 'binary.py'], { cwd: dir });
  assert.doesNotMatch(binary.stderr, /internal error/);
});

test('containers whose owner pid is dead are reaped at the next start', async () => {
  const docker = new Docker();
  const { sandboxImageName } = await import('../../src/sandbox/image.js');
  const { execa } = await import('execa');
  const gone = await execa(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  const deadPid = String(gone.stdout);
  const orphan = await docker.createContainer({
    Image: sandboxImageName(),
    Cmd: ['python3', '-c', 'pass'],
    Labels: { 'saferun.run': 'orphan-test', 'saferun.owner-pid': deadPid },
  });
  const result = await saferun(['hello.py'], { cwd: dir });
  assert.equal(result.exitCode, 0, result.stderr);
  await assert.rejects(orphan.inspect(), /no such container/i, 'the orphan was removed');
});

test('--network restricted reaches nothing: no interface but loopback, no route, no gateway; nothing left afterwards', async () => {
  await withTestListener(async (ip) => {
    const result = await saferun(['--network', 'restricted', 'connect.py', ip, '8080'], { cwd: dir });
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, /^connect failed /m);
    assert.match(result.stdout, /^interfaces \['lo'\]$/m);
  });
  await assertNoSaferunLeftovers();
});

test('started as root, an unreadable working dir gets a clear message (as a user, it just runs)', async () => {
  const { chmodSync } = await import('node:fs');
  const privateDir = tempWorkdir('saferun-private-');
  try {
    writeFileSync(path.join(privateDir, 'hello.py'), 'print("private hello")\n');
    chmodSync(privateDir, 0o700);
    const result = await saferun(['hello.py'], { cwd: privateDir });
    if (process.getuid!() === 0) {
      assert.equal(result.exitCode, 121);
      assert.match(result.stderr, /runs the program as nobody \(65534\), who cannot read .*mode 700/);
    } else {
      assert.equal(result.stdout, 'private hello\n');
    }
  } finally {
    rmSync(privateDir, { recursive: true, force: true });
  }
});
