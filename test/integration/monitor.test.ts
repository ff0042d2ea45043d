/**
 * The live monitor against the real engine. The "suspicious" traffic never leaves the container:
 * the program connects to a port it opened itself on its own (non-loopback) address.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { assertEngineReachable } from '../support/engine.js';
import { assertNoSaferunLeftovers } from '../support/leftovers.js';
import { saferun, tempWorkdir } from '../support/saferun.js';

let dir: string;
before(async () => {
  await assertEngineReachable();
  dir = tempWorkdir('saferun-monitor-');
  const calls = [
    'import os, socket, time',
    'ip = socket.gethostbyname(socket.gethostname())',
    'server = socket.socket(); server.bind((ip, 4444)); server.listen()',
    'client = socket.create_connection((ip, 4444))',
    'print("connected", flush=True)',
    'for _ in range(40):',
    '    if sorted(os.listdir("/sys/class/net")) == ["lo"]: break',
    '    time.sleep(0.1)',
    'print("interfaces", sorted(os.listdir("/sys/class/net")), flush=True)',
  ];
  writeFileSync(path.join(dir, 'calls_home.py'), `${calls.join('\n')}\n`);
  const reverse = [
    'import os, socket, sys, time',
    'ip = socket.gethostbyname(socket.gethostname())',
    'server = socket.socket(); server.bind((ip, 9009)); server.listen()',
    'client = socket.create_connection((ip, 9009))',
    'os.dup2(client.fileno(), 0); os.dup2(client.fileno(), 1)',
    'for _ in range(40):',
    '    if sorted(os.listdir("/sys/class/net")) == ["lo"]: break',
    '    time.sleep(0.1)',
    'print("interfaces", sorted(os.listdir("/sys/class/net")), file=sys.stderr, flush=True)',
  ];
  writeFileSync(path.join(dir, 'reverse_shell.py'), `${reverse.join('\n')}\n`);
  const udp = [
    'import os, socket, time',
    'ip = socket.gethostbyname(socket.gethostname())',
    'server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); server.bind((ip, 4444))',
    'client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); client.connect((ip, 4444))',
    'client.send(b"hello")',
    'for _ in range(40):',
    '    if sorted(os.listdir("/sys/class/net")) == ["lo"]: break',
    '    time.sleep(0.1)',
    'print("interfaces", sorted(os.listdir("/sys/class/net")), flush=True)',
  ];
  writeFileSync(path.join(dir, 'udp_home.py'), `${udp.join('\n')}\n`);
  // the benign scripts get a working dir of their own: every source in a working dir is scanned
  mkdirSync(path.join(dir, 'benign'), { mode: 0o755 });
  writeFileSync(path.join(dir, 'benign', 'shell_out.py'), 'import subprocess, time\nsubprocess.run(["sh", "-c", "sleep 1"])\nprint("back")\n');
  writeFileSync(path.join(dir, 'benign', 'quiet.py'), 'import time\ntotal = sum(i * i for i in range(300000))\ntime.sleep(0.6)\nprint("ok", total)\n');
  // These tests watch the container's own interface, so they use the open bridge (normal is the proxy's allowlist).
  writeFileSync(path.join(dir, 'open.yaml'), 'extends: normal\nnetwork: open\n');
  writeFileSync(path.join(dir, 'watch-only.yaml'), 'extends: normal\nnetwork: open\nmonitor:\n  cutNetwork: false\n');
});
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await assertNoSaferunLeftovers();
});

interface Report {
  exitCode: number;
  events: { type: string; detail?: string }[];
  monitor: { source: string; samples: number; peak: { processes: number; memoryBytes: number }; processes: { comm: string }[]; alerts: { kind: string; severity: string }[]; networkCut?: { reason: string } };
}

function reportOf(stdout: string): { output: string; report: Report } {
  const start = stdout.indexOf('{\n');
  return { output: stdout.slice(0, start), report: JSON.parse(stdout.slice(start)) as Report };
}

test('a connection to a reverse-shell port cuts the network while the program runs, and the report says why', async () => {
  const result = await saferun(['--json', '--yes', '--profile', 'open.yaml', 'calls_home.py'], { cwd: dir });
  const { output, report } = reportOf(result.stdout);
  assert.match(output, /connected/);
  assert.match(output, /interfaces \['lo'\]/, 'only loopback is left inside the container');
  assert.equal(report.monitor.source, 'proc');
  assert.ok(report.monitor.alerts.some((a) => a.kind === 'suspicious-port' && a.severity === 'high'));
  assert.match(report.monitor.networkCut!.reason, /suspicious-port/);
  assert.ok(report.events.some((e) => e.type === 'network-cut'));
  assert.match(result.stderr, /saferun: alert: high suspicious-port/);
  assert.match(result.stderr, /saferun: network cut/);
  assert.match(result.stderr, /saferun: network open: the program can reach this machine's own services and the cloud metadata address \(169\.254\.169\.254\)/, 'open says plainly what it reaches');
});

test('UDP counts: a connected UDP socket to port 4444 is a suspicious-port alert and cuts the network', async () => {
  const result = await saferun(['--json', '--yes', '--profile', 'open.yaml', 'udp_home.py'], { cwd: dir });
  const { output, report } = reportOf(result.stdout);
  assert.match(output, /interfaces \['lo'\]/);
  assert.ok(report.monitor.alerts.some((a) => a.kind === 'suspicious-port'), JSON.stringify(report.monitor.alerts));
  assert.match(report.monitor.networkCut!.reason, /UDP traffic to .*:4444/);
});

test('a process reading its commands from a socket (a reverse shell on an ordinary port) is critical and cuts the network', async () => {
  const result = await saferun(['--json', '--yes', '--profile', 'open.yaml', 'reverse_shell.py'], { cwd: dir });
  const { report } = reportOf(result.stdout);
  assert.match(result.stderr, /interfaces \['lo'\]/);
  assert.ok(report.monitor.alerts.some((a) => a.kind === 'socket-shell' && a.severity === 'critical'), JSON.stringify(report.monitor.alerts));
  assert.match(report.monitor.networkCut!.reason, /socket-shell/);
});

test('with cutNetwork: false the monitor alerts and leaves the network alone', async () => {
  const result = await saferun(['--json', '--yes', '--profile', 'watch-only.yaml', 'calls_home.py'], { cwd: dir });
  const { output, report } = reportOf(result.stdout);
  assert.match(output, /interfaces \['eth0', 'lo'\]/);
  assert.ok(report.monitor.alerts.some((a) => a.kind === 'suspicious-port'));
  assert.equal(report.monitor.networkCut, undefined);
});

test('a shell started by the program is an alert; with no network there is nothing to cut', async () => {
  // runc: the host sees the sandbox's processes (under gVisor the monitor has only the engine's stats)
  const result = await saferun(['--json', '--yes', '--profile', 'strict', '--runtime', 'runc', 'shell_out.py'], { cwd: path.join(dir, 'benign') });
  const { output, report } = reportOf(result.stdout);
  assert.match(output, /back/);
  assert.ok(report.monitor.alerts.some((a) => a.kind === 'shell-spawned'), JSON.stringify(report.monitor.alerts));
  assert.ok(report.monitor.processes.some((p) => p.comm === 'sh'));
  assert.equal(report.monitor.networkCut, undefined);
});

test('under gVisor the sandbox start opens no decoy (its gofer does, for itself); a program reading one is caught', async () => {
  const quiet = await saferun(['--json', '--profile', 'strict', '--runtime', 'runsc', 'quiet.py'], { cwd: path.join(dir, 'benign') });
  const calm = reportOf(quiet.stdout).report;
  assert.deepEqual(calm.monitor.alerts.filter((a) => a.kind === 'decoy-read'), [], JSON.stringify(calm.monitor.alerts));
  // a program that reads a credential file is high: offline asks, --yes runs it (strict would block it)
  mkdirSync(path.join(dir, 'peek'), { recursive: true, mode: 0o755 });
  writeFileSync(path.join(dir, 'peek', 'peek.py'), 'import os\nprint(len(open(os.path.expanduser("~/.aws/credentials")).read()) > 0)\n', { mode: 0o644 });
  const peek = await saferun(['--json', '--yes', '--profile', 'offline', '--runtime', 'runsc', 'peek.py'], { cwd: path.join(dir, 'peek') });
  const caught = reportOf(peek.stdout).report;
  assert.ok(caught.monitor.alerts.some((a) => a.kind === 'decoy-read' && /aws/.test(JSON.stringify(a))), JSON.stringify(caught.monitor.alerts));
});

test('an ordinary program: samples and peaks, no alert', async () => {
  const result = await saferun(['--json', '--profile', 'offline', 'quiet.py'], { cwd: path.join(dir, 'benign') });
  const { output, report } = reportOf(result.stdout);
  assert.match(output, /^ok /);
  assert.equal(report.exitCode, 0);
  assert.ok(report.monitor.samples >= 2, `samples ${report.monitor.samples}`);
  assert.ok(report.monitor.peak.processes >= 1 && report.monitor.peak.memoryBytes > 0);
  assert.deepEqual(report.monitor.alerts, []);
});
