/**
 * bench/packages: what a cached package environment costs a run. A fixture wheel is served by a
 * loopback index; the first run downloads, inspects and installs it (timed once), then runs of
 * a standard-library-only script and of a script importing the cached package are interleaved.
 * Prints medians and the difference. Goal: the cached run ≤ +50 ms over the stdlib-only run.
 *
 *   npm run bench:packages -- [--runs 9]
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { packageRoot } from '../src/util/package-info.js';
import { serveSimpleIndex, wheel } from '../test/support/wheels.js';

const runsFlag = process.argv.indexOf('--runs');
const runs = runsFlag === -1 ? 9 : Number(process.argv[runsFlag + 1]);
const bin = path.join(packageRoot(), 'dist', 'src', 'bin.js');
const dir = mkdtempSync(path.join(os.tmpdir(), 'saferun-bench-packages-'));
const state = mkdtempSync(path.join(os.tmpdir(), 'saferun-bench-state-'));
process.once('exit', () => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(state, { recursive: true, force: true });
});
chmodSync(dir, 0o755);
writeFileSync(path.join(dir, 'plain.py'), 'import json\nprint(json.dumps("hello"))\n');
writeFileSync(path.join(dir, 'withpkg.py'), 'import greetlib\nprint(greetlib.hello())\n');
const index = await serveSimpleIndex([wheel('greetlib', '1.0.0', { 'greetlib/__init__.py': 'def hello():\n    return "hello"\n' })]);
const env = { SAFERUN_STATE_DIR: state, SAFERUN_CACHE_DIR: path.join(state, 'cache') };
const plain = [bin, '--quiet', '--profile', 'strict', 'plain.py'];
const withPkg = [bin, '--quiet', '--profile', 'strict', '--index-url', index.url, '--with', 'greetlib==1.0.0', 'withpkg.py'];

async function time(args: string[]): Promise<number> {
  const t0 = performance.now();
  const result = await execa(process.execPath, args, { cwd: dir, env, stdin: 'ignore', reject: false });
  if (result.exitCode !== 0) throw new Error(`saferun ${args.slice(1).join(' ')} failed: ${String(result.stderr)}`);
  return performance.now() - t0;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const first = await time(withPkg);
const plainTimes: number[] = [];
const cachedTimes: number[] = [];
for (let i = 0; i < runs; i++) {
  plainTimes.push(await time(plain));
  cachedTimes.push(await time(withPkg));
}
await index.close();
const p = median(plainTimes);
const c = median(cachedTimes);
console.log(`first run (download, inspect, install, run): ${first.toFixed(0)} ms`);
console.log(`stdlib-only run, median of ${runs}:          ${p.toFixed(0)} ms`);
console.log(`cached-package run, median of ${runs}:        ${c.toFixed(0)} ms`);
console.log(`difference: ${(c - p).toFixed(0)} ms (goal ≤ +50 ms), ratio ×${(c / p).toFixed(2)}`);
