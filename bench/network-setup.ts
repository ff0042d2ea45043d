/**
 * bench/network-setup: what each way of giving the sandbox a controlled network costs to set up,
 * measured against a bare `docker run --network none` of the same image (interleaved, medians).
 *
 * - none + proxy socket (saferun's design): the run's proxy started in this process (import,
 *   directory, listen) and the container run with the socket directory mounted and the
 *   forwarder started before the program;
 * - default bridge (what `open` gets);
 * - a per-run internal network (what `restricted` used to get, and what a sidecar proxy would
 *   need): create, run on it, remove.
 *
 *   node dist/bench/network-setup.js [--runs 9]
 */
import { execa } from 'execa';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../src/util/package-info.js';
import { sandboxImageName } from '../src/sandbox/image-recipe.js';

const runsFlag = process.argv.indexOf('--runs');
const runs = runsFlag === -1 ? 9 : Number(process.argv[runsFlag + 1]);
const image = sandboxImageName();
const workdir = path.join(packageRoot(), 'examples');
const base = ['run', '--rm', '--user', '65534:65534', '-v', `${workdir}:/workspace:ro`, '-w', '/workspace'];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function timed(action: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await action();
  return performance.now() - t0;
}

/** The proxy as a run sets it up (fresh module load is measured once, separately). */
async function proxySetup(runId: string): Promise<{ ms: number; dir: string; close: () => Promise<void> }> {
  const t0 = performance.now();
  const [{ createRunDir }, { startEgressProxy }] = await Promise.all([import('../src/network/run-dir.js'), import('../src/network/egress-proxy.js')]);
  const dir = createRunDir(runId, 65534, 65534);
  const proxy = await startEgressProxy({ socketPath: dir.socketPath, allow: [], maxUploadBytes: 1 << 20 });
  const ms = performance.now() - t0;
  return { ms, dir: dir.path, close: async () => (await proxy.close(), dir.remove()) };
}

const variants: Record<string, (i: number) => Promise<number>> = {
  'none (baseline)': () => timed(() => execa('docker', [...base, '--network', 'none', image, 'python3', 'hello.py'])),
  'none + proxy socket + forwarder': async (i) => {
    const t0 = performance.now();
    const proxy = await proxySetup(`bench${process.pid}${i}`);
    try {
      await execa('docker', [...base, '--init', '--network', 'none', '-v', `${proxy.dir}:/saferun/net:ro`, image, 'python3', '-I', '-S', '/saferun/net/forward.py', '3128', 'python3', 'hello.py']);
    } finally {
      await proxy.close();
    }
    return performance.now() - t0;
  },
  'default bridge': () => timed(() => execa('docker', [...base, image, 'python3', 'hello.py'])),
  'per-run internal network': (i) =>
    timed(async () => {
      const name = `saferun-bench-net-${process.pid}-${i}`;
      await execa('docker', ['network', 'create', '--internal', '--label', 'saferun.bench=1', name]);
      try {
        await execa('docker', [...base, '--network', name, image, 'python3', 'hello.py']);
      } finally {
        await execa('docker', ['network', 'rm', name]);
      }
    }),
};

async function main(): Promise<void> {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'saferun-bench-'));
  try {
    const firstImport = await timed(() => import('../src/network/egress-proxy.js'));
    const setups: number[] = [];
    for (let i = 0; i < 20; i++) {
      const proxy = await proxySetup(`setup${process.pid}${i}`);
      setups.push(proxy.ms);
      await proxy.close();
    }
    for (const run of Object.values(variants)) await run(-1);
    const times = new Map(Object.keys(variants).map((name) => [name, [] as number[]]));
    for (let i = 0; i < runs; i++) for (const [name, run] of Object.entries(variants)) times.get(name)!.push(await run(i));
    const baseline = median(times.get('none (baseline)')!);
    process.stdout.write(`network set-up, ${runs} interleaved runs each, image ${image}\n`);
    process.stdout.write(`proxy module first import: ${firstImport.toFixed(1)} ms; proxy set-up in process (dir + listen): median ${median(setups).toFixed(1)} ms\n`);
    process.stdout.write(`${'variant'.padEnd(34)}${'median ms'.padStart(10)}${'+ms'.padStart(8)}${'ratio'.padStart(8)}\n`);
    for (const [name, values] of times) {
      const m = median(values);
      process.stdout.write(`${name.padEnd(34)}${m.toFixed(0).padStart(10)}${(m - baseline).toFixed(0).padStart(8)}${(m / baseline).toFixed(2).padStart(8)}\n`);
    }
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench/network-setup: ${String(error)}\n`);
  process.exitCode = 1;
});
