/**
 * What `saferun doctor` checks on the engine. Each check says ok, warn or fail with a one-line
 * explanation and, when not ok, the fix.
 */
import { Writable, type Readable } from 'node:stream';
import { execa } from 'execa';
import { demuxStream } from './demux.js';
import { connectEngine } from './engine.js';
import { findImage, sandboxImageName } from './image.js';
import { LABEL_OWNER_PID, LABEL_RUN } from './host-config.js';
import { canSee } from './monitor/proc-files.js';
import os from 'node:os';
import { loadInotify } from './decoys/watch-decoys.js';
import { engineCheck, engineIdentity, forEngine, gvisorStartCheck, rootlessCheck, runtimesCheck, type EngineIdentity, type EngineKind } from './doctor-engine.js';

export interface Check {
  name: string;
  status: 'ok' | 'warn' | 'fail';
  detail: string;
  fix?: string;
}

export async function runDoctorChecks(): Promise<Check[]> {
  const checks: Check[] = [];
  const engine = connectEngine();
  let info: Record<string, unknown>;
  let identity: EngineIdentity;
  try {
    identity = engineIdentity(await engine.version());
    info = (await engine.info()) as Record<string, unknown>;
    checks.push(engineCheck(identity));
  } catch (error) {
    checks.push({ name: 'engine', status: 'fail', detail: `no Docker engine reachable: ${(error as Error).message}`, fix: 'start one: `sudo systemctl start docker` or `sudo dockerd &` (or Podman: `podman system service` and DOCKER_HOST)' });
    return checks;
  }
  const security = (info['SecurityOptions'] as string[] | undefined) ?? [];
  checks.push(rootlessCheck(identity, security));
  const seccomp = security.some((s) => s.includes('seccomp'));
  checks.push({ name: 'seccomp', status: seccomp ? 'ok' : 'fail', detail: seccomp ? 'the default seccomp profile is available' : 'no seccomp support in the engine', ...(seccomp ? {} : { fix: 'use an engine built with seccomp' }) });
  const runtimes = Object.fromEntries(Object.entries((info['Runtimes'] as Record<string, { path?: string }> | undefined) ?? {}).map(([name, entry]) => [name, entry?.path ?? '']));
  checks.push(runtimesCheck(runtimes, String(info['DefaultRuntime'] ?? 'runc')));
  const image = await findImage(engine, sandboxImageName()).catch(() => undefined);
  if (!image) checks.push({ name: 'image', status: 'warn', detail: `${sandboxImageName()} is not built yet`, fix: '`saferun image build` (or the first run builds it)' });
  else {
    const days = Math.floor((Date.now() - Date.parse(image.createdAt)) / 86_400_000);
    checks.push({ name: 'image', status: days > 30 ? 'warn' : 'ok', detail: `${image.name}, built ${days} day(s) ago`, ...(days > 30 ? { fix: '`saferun image build --rebuild` for current security updates' } : {}) });
  }
  const cgroup = String(info['CgroupVersion'] ?? '?');
  checks.push(
    ...(await limitsCheck(engine, image ? image.name : undefined, cgroup, identity.kind).catch((error: unknown): Check[] => [
      { name: 'limits', status: 'fail', detail: `cgroup v${cgroup}: a test container with limits did not run: ${(error as Error).message.split('\n')[0]}`, fix: 'run `saferun doctor` again; if it persists, check the engine\'s log' },
    ])),
  );
  const gvisor = await gvisorStartCheck(engine, image?.name, runtimes, identity.kind);
  if (gvisor) checks.push(gvisor);
  checks.push(await networkCheck());
  checks.push(await debootstrapCheck());
  checks.push(await decoyWatchCheck());
  const node = Number(process.versions.node.split('.')[0]);
  checks.push({ name: 'node', status: node >= 20 ? 'ok' : 'fail', detail: `Node.js ${process.versions.node}`, ...(node >= 20 ? {} : { fix: 'install Node.js 20 or later' }) });
  return checks;
}

/**
 * Starts a tiny container with limits and reads them back from its cgroup; while it runs, checks
 * that the live monitor can see its processes and sockets from this host.
 */
async function limitsCheck(engine: ReturnType<typeof connectEngine>, image: string | undefined, cgroupVersion: string, kind: EngineKind): Promise<Check[]> {
  if (!image) return [{ name: 'limits', status: 'warn', detail: `cgroup v${cgroupVersion}; not verified (no image yet)`, fix: '`saferun image build`, then run doctor again' }];
  const script = [
    'import os, time',
    'time.sleep(0.5)',
    'def read(*paths):',
    '    for p in paths:',
    '        try: return open(p).read().strip()',
    '        except OSError: pass',
    '    return "?"',
    'print(read("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"))',
    'print(read("/sys/fs/cgroup/pids.max", "/sys/fs/cgroup/pids/pids.max"))',
    'print(read("/sys/fs/cgroup/cpu.max", "/sys/fs/cgroup/cpu/cpu.cfs_quota_us", "/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us").split()[0])',
  ].join('\n');
  const container = await engine.createContainer(
    forEngine(kind, {
      Image: image,
      Cmd: ['python3', '-c', script],
      User: '65534:65534',
      Labels: { [LABEL_RUN]: `doctor-${process.pid}`, [LABEL_OWNER_PID]: String(process.pid) },
      HostConfig: { NanoCpus: 500_000_000, Memory: 64 * 1024 * 1024, MemorySwap: 64 * 1024 * 1024, PidsLimit: 32, NetworkMode: 'none', CapDrop: ['ALL'], ReadonlyRootfs: true, Ulimits: [{ Name: 'nofile', Soft: 1024, Hard: 1024 }] },
    }),
  );
  try {
    const stream = await container.attach({ stream: true, stdout: true, stderr: true });
    // Split Docker's framed stream properly: frame headers carry length bytes that are not text.
    const chunks: Buffer[] = [];
    const collect = new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk);
        done();
      },
    });
    demuxStream(stream as unknown as Readable, collect, collect);
    // The container can exit before its output has arrived: read only once the stream ends.
    const ended = new Promise<void>((resolve) => {
      stream.once('end', () => resolve());
      stream.once('close', () => resolve());
      setTimeout(resolve, 5000).unref();
    });
    await container.start();
    const pid = ((await container.inspect()) as { State?: { Pid?: number } }).State?.Pid ?? 0;
    const visible = pid > 0 && canSee(pid);
    const monitor: Check = visible
      ? { name: 'monitor', status: 'ok', detail: "the container's processes and sockets are visible in this host's /proc (4 samples a second)" }
      : { name: 'monitor', status: 'warn', detail: "the container's processes are not visible from here (remote, rootless or VM engine): the monitor falls back to the engine's stats, once a second, without sockets", fix: 'run saferun on the engine host for socket-level monitoring' };
    await container.wait();
    await ended;
    const [memory, pids, cpuQuota] = Buffer.concat(chunks).toString('utf8').trim().split(/\s+/).slice(-3);
    // Half a CPU is a 50 ms quota per 100 ms period on both cgroup versions.
    const ok = memory === String(64 * 1024 * 1024) && pids === '32' && cpuQuota === '50000';
    const limits: Check = ok
      ? { name: 'limits', status: 'ok', detail: `cgroup v${cgroupVersion}: memory, pids and CPU limits are enforced` }
      : { name: 'limits', status: 'fail', detail: `cgroup v${cgroupVersion}: limits not visible in the container (memory ${memory}, pids ${pids}, cpu quota ${cpuQuota})`, fix: 'enable the memory, pids and cpu cgroup controllers for Docker' };
    return [limits, monitor];
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}

async function debootstrapCheck(): Promise<Check> {
  try {
    await execa('debootstrap', ['--version']);
    return { name: 'debootstrap', status: 'ok', detail: 'available for offline image builds' };
  } catch {
    return { name: 'debootstrap', status: 'warn', detail: 'not installed: the image can only be built from a pulled base', fix: 'apt-get install debootstrap' };
  }
}

/** Says plainly what the default profile's network reaches; `open` reaches this machine and the metadata address. */
async function networkCheck(): Promise<Check> {
  const { loadProfile } = await import('../config/load-profile.js');
  const name = process.env['SAFERUN_PROFILE'] || 'normal';
  const mode = await loadProfile(name).then(
    ({ profile }) => profile.network,
    () => undefined,
  );
  const gateway = os.networkInterfaces()['docker0']?.find((entry) => entry.family === 'IPv4')?.address ?? 'the bridge gateway';
  const openWarning = `under network open (Docker's bridge) a program reaches this machine's services at ${gateway} and the cloud metadata address 169.254.169.254`;
  if (mode === 'open') {
    return { name: 'network', status: 'warn', detail: `profile ${name} runs with network open: ${openWarning}`, fix: 'use network: allowlist (the default normal profile) with network.allow for the hosts a program needs' };
  }
  return { name: 'network', status: 'ok', detail: `profile ${name}: network ${mode ?? '?'}; allowlist and restricted go only through saferun's proxy (never this machine or metadata); ${openWarning}` };
}

/** Whether decoy reads can be seen (inotify through koffi); without it runs warn and go on unwatched. */
async function decoyWatchCheck(): Promise<Check> {
  try {
    await loadInotify();
    return { name: 'decoys', status: 'ok', detail: 'reads of decoy credentials are seen from this host (inotify)' };
  } catch (error) {
    return { name: 'decoys', status: 'warn', detail: `decoy credentials cannot be watched: ${(error as Error).message}`, fix: 'run saferun on Linux with the koffi package installed (npm install)' };
  }
}
