/**
 * bench/run-overhead: what saferun adds on top of a bare `docker run` of the same image.
 * Interleaved runs (bare, normal, strict, bare, ...) with a warm image; prints medians, the
 * difference in ms and the ratio. Goals (issue 15): normal and strict each ≤ +150 ms over the bare
 * run in the same network mode; `--dry-run` ≤ 200 ms wall.
 *
 * The network: `normal` runs with saferun's egress proxy (allowlist: --network none plus the
 * proxy socket and the in-container forwarder). It is compared with a bare `docker run
 * --network none`, and with itself under `--network none` (same run, no proxy): that difference
 * is what setting up the proxy costs. Goal: ≤ 100 ms.
 *
 *   npm run bench:overhead -- [--runs 15]
 */
import { execa } from 'execa';
import pidusage from 'pidusage';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../src/util/package-info.js';
import { sandboxImageName } from '../src/sandbox/image.js';

const root = packageRoot();
// Runs from examples/ (a small project dir, snapshotted as it would be for a user).
const workdir = path.join(root, 'examples');
const stateDir = mkdtempSync(path.join(os.tmpdir(), 'saferun-bench-state-'));
process.once('exit', () => rmSync(stateDir, { recursive: true, force: true }));
const bin = path.join(root, 'dist', 'src', 'bin.js');
const runsFlag = process.argv.indexOf('--runs');
const runs = runsFlag === -1 ? 15 : Number(process.argv[runsFlag + 1]);

interface Variant {
  name: string;
  file: string;
  args: string[];
  /** what stdout must contain (default: the program's greeting) */
  expect?: string;
}

const image = sandboxImageName();
const variants: Variant[] = [
  { name: 'bare docker run', file: 'docker', args: ['run', '--rm', '-v', `${workdir}:/workspace:ro`, '-w', '/workspace', image, 'python3', 'hello.py'] },
  { name: 'bare docker run, no network', file: 'docker', args: ['run', '--rm', '--network', 'none', '-v', `${workdir}:/workspace:ro`, '-w', '/workspace', image, 'python3', 'hello.py'] },
  { name: 'saferun normal (proxy)', file: process.execPath, args: [bin, '--quiet', '--profile', 'normal', 'hello.py'] },
  { name: 'saferun normal, no network', file: process.execPath, args: [bin, '--quiet', '--profile', 'normal', '--network', 'none', 'hello.py'] },
  { name: 'saferun strict', file: process.execPath, args: [bin, '--quiet', '--profile', 'strict', 'hello.py'] },
  { name: 'saferun --dry-run', file: process.execPath, args: [bin, '--dry-run', 'hello.py'], expect: '"decision": "run"' },
  { name: 'saferun normal, no snapshot', file: process.execPath, args: [bin, '--quiet', '--no-snapshot', '--profile', 'normal', 'hello.py'] },
];

async function timeOnce(variant: Variant): Promise<{ ms: number; peakRss: number }> {
  const t0 = performance.now();
  const child = execa(variant.file, variant.args, { cwd: workdir, stdin: 'ignore', env: { SAFERUN_STATE_DIR: stateDir } });
  let peakRss = 0;
  const sampler = setInterval(() => {
    if (child.pid === undefined) return;
    pidusage(child.pid).then(
      (stat) => (peakRss = Math.max(peakRss, stat.memory)),
      () => undefined,
    );
  }, 20);
  try {
    const result = await child;
    if (!String(result.stdout).includes(variant.expect ?? 'Hello from Python')) throw new Error(`${variant.name}: unexpected output ${String(result.stdout)}`);
  } finally {
    clearInterval(sampler);
  }
  return { ms: performance.now() - t0, peakRss };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function main(): Promise<void> {
  // warm-up: image cached, page cache warm, snapshot store initialised
  for (const variant of variants) await timeOnce(variant);
  const times = new Map<string, number[]>(variants.map((v) => [v.name, []]));
  const rss = new Map<string, number[]>(variants.map((v) => [v.name, []]));
  for (let i = 0; i < runs; i++) {
    for (const variant of variants) {
      const { ms, peakRss } = await timeOnce(variant);
      times.get(variant.name)!.push(ms);
      if (peakRss > 0) rss.get(variant.name)!.push(peakRss);
    }
  }
  const baseline = median(times.get('bare docker run')!);
  const noNetwork = median(times.get('bare docker run, no network')!);
  process.stdout.write(`run overhead, ${runs} interleaved runs each, image ${image}\n`);
  process.stdout.write(`${'variant'.padEnd(28)}${'median ms'.padStart(10)}${'+ms'.padStart(8)}${'ratio'.padStart(8)}${'peak RSS MB'.padStart(13)}\n`);
  for (const variant of variants) {
    const m = median(times.get(variant.name)!);
    const peak = rss.get(variant.name)!;
    const rssText = variant.file === 'docker' ? '(docker cli)' : peak.length ? (median(peak) / 1024 ** 2).toFixed(0) : '-';
    process.stdout.write(`${variant.name.padEnd(28)}${m.toFixed(0).padStart(10)}${(m - baseline).toFixed(0).padStart(8)}${(m / baseline).toFixed(2).padStart(8)}${rssText.padStart(13)}\n`);
  }
  const proxied = median(times.get('saferun normal (proxy)')!);
  const unproxied = median(times.get('saferun normal, no network')!);
  process.stdout.write(`\nnormal with the proxy vs bare docker run --network none: +${(proxied - noNetwork).toFixed(0)} ms (ratio ${(proxied / noNetwork).toFixed(2)})\n`);
  process.stdout.write(`proxy set-up (normal − normal --network none): ${(proxied - unproxied).toFixed(0)} ms (goal ≤ 100 ms)\n`);
  const strict = median(times.get('saferun strict')!);
  process.stdout.write(`strict vs bare docker run --network none: +${(strict - noNetwork).toFixed(0)} ms (goal ≤ +150 ms)\n`);
  process.stdout.write(`saferun --dry-run: ${median(times.get('saferun --dry-run')!).toFixed(0)} ms wall (goal ≤ 200 ms)\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench/run-overhead: ${String(error)}\n`);
  process.exitCode = 1;
});
