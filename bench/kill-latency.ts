/**
 * bench/kill-latency: from the program's read of a decoy credential to its network being cut.
 * Each run starts saferun (profile normal: the egress proxy) on a program that opens
 * ~/.aws/credentials and, with --open, then polls its own interfaces until only loopback is left.
 * Figures per run:
 *   - report: the report's decoy read → networkCut times (saferun's side: inotify poll + the cut,
 *     which closes the proxy's tunnels, or disconnects the bridge with --open);
 *   - inside (--open only, the proxied modes have no interface to lose): read → the program sees
 *     no interface but lo (what an exfiltration would have to beat).
 * Prints median and p95 of each over N runs. Goal: ≤ 500 ms. No traffic leaves the machine.
 *
 *   npm run bench:kill-latency -- [--runs 10] [--open]
 */
import { execa } from 'execa';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../src/util/package-info.js';

const GOAL_MS = 500;
const bin = path.join(packageRoot(), 'dist', 'src', 'bin.js');
const runsFlag = process.argv.indexOf('--runs');
const runs = runsFlag === -1 ? 10 : Number(process.argv[runsFlag + 1]);
if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs: a whole number of runs, e.g. 10');
const open = process.argv.includes('--open');

const workdir = mkdtempSync(path.join(os.tmpdir(), 'saferun-bench-kill-'));
chmodSync(workdir, 0o755); // readable by the sandbox user (nobody when this runs as root)
const stateDir = mkdtempSync(path.join(os.tmpdir(), 'saferun-bench-state-'));
process.once('exit', () => {
  rmSync(workdir, { recursive: true, force: true });
  rmSync(stateDir, { recursive: true, force: true });
});
const program = [
  'import os, time',
  'name = "".join([".aw", "s/creden", "tials"])',
  't0 = time.monotonic()',
  'open(os.path.join(os.path.expanduser("~"), name)).read()',
  ...(open
    ? [
        'while time.monotonic() - t0 < 5 and sorted(os.listdir("/sys/class/net")) != ["lo"]: time.sleep(0.002)',
        'print("inside", round((time.monotonic() - t0) * 1000, 1), flush=True)',
      ]
    : ['time.sleep(0.5)']),
];
writeFileSync(path.join(workdir, 'read_decoy.py'), `${program.join('\n')}\n`);
writeFileSync(path.join(workdir, 'open.yaml'), 'extends: normal\nnetwork: open\n');

interface Report {
  monitor?: { networkCut?: { atMs: number }; decoys?: { reads: { atMs: number }[] } };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const inside: number[] = [];
const reported: number[] = [];
for (let i = 0; i < runs; i++) {
  const result = await execa(process.execPath, [bin, '--json', '--yes', '--no-snapshot', '--profile', open ? 'open.yaml' : 'normal', 'read_decoy.py'], {
    cwd: workdir,
    reject: false,
    stdin: 'ignore',
    env: { SAFERUN_STATE_DIR: stateDir, NO_COLOR: '1' },
  });
  const stdout = String(result.stdout);
  const seen = /inside ([\d.]+)/.exec(stdout);
  const start = stdout.indexOf('{\n');
  if (start < 0) throw new Error(`run ${i + 1}: no report\n${stdout}\n${String(result.stderr)}`);
  const report = JSON.parse(stdout.slice(start)) as Report;
  const read = report.monitor?.decoys?.reads[0]?.atMs;
  const cut = report.monitor?.networkCut?.atMs;
  if ((open && !seen) || read === undefined || cut === undefined) throw new Error(`run ${i + 1}: no decoy read or no cut\n${stdout}\n${String(result.stderr)}`);
  if (seen) inside.push(Number(seen[1]));
  reported.push(cut - read);
  process.stderr.write(`run ${i + 1}/${runs}: ${seen ? `inside ${seen[1]} ms, ` : ''}report ${cut - read} ms\n`);
}

const line = (label: string, values: number[]): string =>
  `${label.padEnd(34)} median ${percentile(values, 50).toFixed(0).padStart(4)} ms   p95 ${percentile(values, 95).toFixed(0).padStart(4)} ms   max ${Math.max(...values).toFixed(0).padStart(4)} ms`;
console.log(`decoy read → network cut, ${runs} runs, network ${open ? 'open (bridge)' : 'allowlist (proxy)'} (goal ≤ ${GOAL_MS} ms)`);
if (open) console.log(line('seen by the program', inside));
console.log(line('in the report (read → cut)', reported));
const p95 = Math.max(percentile(reported, 95), open ? percentile(inside, 95) : 0);
console.log(p95 <= GOAL_MS ? `goal met: p95 ${p95.toFixed(0)} ms ≤ ${GOAL_MS} ms` : `GOAL MISSED: p95 ${p95.toFixed(0)} ms > ${GOAL_MS} ms`);
if (p95 > GOAL_MS) process.exitCode = 1;
