/**
 * bench/run-scan: what scanning everything a program can import costs a run. A generated working
 * directory of 2,000 files (1,500 Python modules in packages, 500 data files) is scanned by
 * `saferun --dry-run main.py` cold (empty scan cache) and cached, against the floor: the same
 * command for a 3-line script alone in its directory (what scanning only the entry cost before).
 * Prints wall times (median of --repeat runs) and ratios.
 * Goal: the cached case within ~1.5× the lone-script floor.
 *
 *   npm run bench:run-scan -- [--files 2000] [--repeat 5]
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../src/util/package-info.js';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
}

function generateWorkdir(files: number): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'saferun-bench-workdir-'));
  chmodSync(dir, 0o755); // as root the sandbox user must be able to read it
  const modules = Math.round(files * 0.75);
  for (let i = 0; i < modules; i++) {
    const pkg = path.join(dir, `pkg${i % 50}`, `sub${i % 7}`);
    mkdirSync(pkg, { recursive: true });
    const body = [`"""module ${i}"""`, 'import os, json', `def f${i}(path):`, '    with open(path) as fh:', `        return json.load(fh).get("k${i}")`, ''];
    for (let j = 0; j < 30; j++) body.push(`def g${i}_${j}(x):`, `    return [v * ${j} for v in x if v]`, '');
    writeFileSync(path.join(pkg, `mod${i}.py`), body.join('\n'));
  }
  mkdirSync(path.join(dir, 'data'));
  for (let i = 0; i < files - modules - 1; i++) writeFileSync(path.join(dir, 'data', `row${i}.json`), JSON.stringify({ i, value: 'x'.repeat(200) }));
  writeFileSync(path.join(dir, 'main.py'), 'import json\nprint(json.dumps({"ok": True}))\n');
  return dir;
}

function timeDryRun(cwd: string, cacheDir: string): number {
  const bin = path.join(packageRoot(), 'dist', 'src', 'bin.js');
  const t0 = performance.now();
  const result = spawnSync(process.execPath, [bin, '--dry-run', 'main.py'], { cwd, env: { ...process.env, SAFERUN_CACHE_DIR: cacheDir }, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = performance.now() - t0;
  if (result.status !== 0) throw new Error(`saferun --dry-run failed in ${cwd}: ${String(result.stderr)}`);
  return ms;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function main(): void {
  const files = flag('files', 2000);
  const repeat = flag('repeat', 5);
  const big = generateWorkdir(files);
  const lone = mkdtempSync(path.join(os.tmpdir(), 'saferun-bench-lone-'));
  chmodSync(lone, 0o755);
  writeFileSync(path.join(lone, 'main.py'), 'import sys\nname = sys.argv[1] if len(sys.argv) > 1 else "world"\nprint(f"hello {name}")\n');
  const caches: string[] = [];
  const freshCache = (): string => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'saferun-bench-cache-'));
    caches.push(dir);
    return dir;
  };
  try {
    const loneCache = freshCache();
    timeDryRun(lone, loneCache); // warm the OS file cache and node's own
    const floor = median(Array.from({ length: repeat }, () => timeDryRun(lone, loneCache)));
    const cold = median(Array.from({ length: repeat }, () => timeDryRun(big, freshCache())));
    const bigCache = freshCache();
    timeDryRun(big, bigCache);
    const cached = median(Array.from({ length: repeat }, () => timeDryRun(big, bigCache)));
    const rows: [string, number][] = [
      ['lone 3-line script (floor)', floor],
      [`${files}-file working dir, cold cache`, cold],
      [`${files}-file working dir, cached`, cached],
    ];
    process.stdout.write(`saferun --dry-run main.py, median of ${repeat} runs, ${os.availableParallelism()} cores\n`);
    for (const [label, ms] of rows) process.stdout.write(`  ${label.padEnd(36)} ${ms.toFixed(0).padStart(6)} ms  ${(ms / floor).toFixed(2)}× floor\n`);
    process.stdout.write(`  cold / cached: ${(cold / cached).toFixed(1)}×\n`);
  } finally {
    rmSync(big, { recursive: true, force: true });
    rmSync(lone, { recursive: true, force: true });
    for (const dir of caches) rmSync(dir, { recursive: true, force: true });
  }
}

main();
