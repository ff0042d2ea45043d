/**
 * The same containment probes under each runtime (runc and gVisor's runsc): who the program is,
 * what it may write, execute, mount and reach, and that limits hold. Expectations that differ by
 * runtime are in the table, with the reason.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { rmSync, writeFileSync } from 'node:fs';
import { assertEngineReachable } from '../support/engine.js';
import { saferun, startSaferun, tempWorkdir } from '../support/saferun.js';
import { assertRuntimeRegistered, CONTAINMENT_RUNTIMES, saferunResourcesOf, type ContainmentRuntime } from '../support/runtimes.js';

const PROBE = `
import ctypes, errno, json, os, re, socket
facts = {}
status = open("/proc/self/status").read()
facts["uid"] = os.getuid()
facts["capEff"] = re.search(r"CapEff:\\s*(\\S+)", status).group(1)
m = re.search(r"NoNewPrivs:\\s*(\\S+)", status)
facts["noNewPrivs"] = m.group(1) if m else "absent"
def attempt(fn):
    try:
        fn()
        return "allowed"
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e.errno))
facts["writeRoot"] = attempt(lambda: open("/usr/evil", "w"))
facts["writeWorkdir"] = attempt(lambda: open("evil.txt", "w"))
open("/tmp/x.sh", "w").write("#!/bin/sh\\necho hi\\n")
os.chmod("/tmp/x.sh", 0o755)
import subprocess
facts["execTmp"] = attempt(lambda: subprocess.run(["/tmp/x.sh"], capture_output=True))
facts["interfaces"] = sorted(name for _, name in socket.if_nameindex())
libc = ctypes.CDLL(None, use_errno=True)
def sys_errno(rc):
    return "allowed" if rc == 0 else errno.errorcode.get(ctypes.get_errno(), "?")
facts["mount"] = sys_errno(libc.mount(b"none", b"/tmp", b"tmpfs", 0, None))
facts["chroot"] = attempt(lambda: os.chroot("/tmp"))
facts["unshareUser"] = sys_errno(libc.unshare(0x10000000))
facts["kernel"] = os.uname().release
facts["hostname"] = socket.gethostname()
print(json.dumps(facts))
`;

/** What each runtime must show; a difference is explained where it is. */
const EXPECTED: Record<ContainmentRuntime, Record<string, unknown>> = {
  runc: { noNewPrivs: '1', writeRoot: 'EROFS', writeWorkdir: 'EROFS', unshareUser: 'EPERM' },
  // gVisor's kernel: no NoNewPrivs line in /proc/self/status; a read-only mount answers EACCES; user
  // namespaces are gVisor's own (the program cannot reach the host kernel's), so unshare succeeds.
  runsc: { noNewPrivs: 'absent', writeRoot: 'EACCES', writeWorkdir: 'EACCES', unshareUser: 'allowed' },
};

let dir: string;
before(async () => {
  await assertEngineReachable();
  dir = tempWorkdir('saferun-containment-');
  writeFileSync(path.join(dir, 'probe.py'), PROBE);
  writeFileSync(path.join(dir, 'membomb.py'), 'chunks = []\nwhile True:\n    chunks.append(bytearray(16 * 1024 * 1024))\n');
  writeFileSync(
    path.join(dir, 'forkbomb.py'),
    'import os, time\nn = 0\ntry:\n    for _ in range(3000):\n        if os.fork() == 0:\n            time.sleep(8)\n            os._exit(0)\n        n += 1\n    print("forked", n)\nexcept OSError as e:\n    print("fork stopped after", n)\n',
  );
});
after(() => rmSync(dir, { recursive: true, force: true }));

for (const runtime of CONTAINMENT_RUNTIMES) {
  describe(`containment under ${runtime}`, () => {
    before(() => assertRuntimeRegistered(runtime));

    test('non-root, no capabilities, read-only, no exec in /tmp, loopback only, no mount', async () => {
      const child = startSaferun(['-q', '-p', 'strict', '--no-snapshot', '--runtime', runtime, 'probe.py'], { cwd: dir });
      const result = await child;
      assert.equal(result.exitCode, 0, String(result.stderr));
      const facts = JSON.parse(String(result.stdout).trim().split('\n').pop()!) as Record<string, unknown>;
      assert.notEqual(facts['uid'], 0);
      assert.equal(facts['capEff'], '0000000000000000');
      assert.equal(facts['execTmp'], 'EACCES', '/tmp is noexec');
      assert.deepEqual(facts['interfaces'], ['lo'], 'network none: loopback only');
      assert.equal(facts['mount'], 'EPERM');
      assert.equal(facts['chroot'], 'EPERM');
      assert.equal(facts['hostname'], 'sandbox');
      for (const [key, value] of Object.entries(EXPECTED[runtime])) assert.equal(facts[key], value, `${runtime}: ${key}`);
      if (runtime === 'runsc') assert.notEqual(facts['kernel'], os.release(), "under gVisor the program sees gVisor's kernel, not the host's");
      else assert.equal(facts['kernel'], os.release());
      assert.deepEqual(await saferunResourcesOf(child.pid!), []);
    });

    test('the report names the runtime the engine really used', async () => {
      const result = await saferun(['-q', '-p', 'strict', '--no-snapshot', '--runtime', runtime, '--json', '-c', 'print(1)'], { cwd: dir });
      assert.equal(result.exitCode, 0, result.stderr);
      const report = JSON.parse(result.stdout.slice(result.stdout.indexOf('{'))) as { sandbox: { runtime: string; runtimeReason: string }; monitor?: { source: string } };
      assert.equal(report.sandbox.runtime, runtime);
      assert.match(report.sandbox.runtimeReason, /--runtime/);
      if (runtime === 'runsc') assert.equal(report.monitor?.source, 'engine', "the host cannot see gVisor's processes: engine stats");
    });

    test('the memory limit holds: out of memory is exit 123', async () => {
      const result = await saferun(['-q', '-p', 'strict', '--no-snapshot', '--runtime', runtime, '--memory', '64m', 'membomb.py'], { cwd: dir });
      assert.equal(result.exitCode, 123, result.stderr);
    });

    test('a fork bomb is stopped at the pids limit and the run ends', async () => {
      const result = await saferun(['-q', '-p', 'strict', '--no-snapshot', '--runtime', runtime, '--timeout', '40s', 'forkbomb.py'], { cwd: dir });
      assert.notEqual(result.exitCode, 124, 'it did not run into the timeout');
      assert.doesNotMatch(result.stdout, /forked 3000/, 'the limit stopped it');
      // runc: fork fails with EAGAIN and the program says so. gVisor: the sandbox itself stops at the limit.
      if (runtime === 'runc') assert.match(result.stdout, /fork stopped after \d+/);
    });
  });
}
