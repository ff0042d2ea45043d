/**
 * bench/scan: saferun scan (cold and cached) against bandit and Python Code Audit on the same tree
 * (default: this machine's CPython standard library, copied without site-packages), and python's
 * ast.parse of every file as the floor. Prints wall times and ratios.
 * Goals: bandit ≥ 10× and Python Code Audit ≥ 20× slower than saferun cold; cached < 0.3 s.
 *
 *   npm run bench:scan -- [--tree DIR] [--bandit "CMD"] [--codeaudit "CMD"]
 * A baseline runs only when its command is given or found on PATH (`bandit`, `codeaudit`); run
 * them from their own checkouts or packages, never from this repository.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../src/util/package-info.js';

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? undefined : process.argv[i + 1];
}

function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
}

/** Where every timed command runs: baselines drop reports in their working directory (Python Code Audit writes codeaudit-report.html), never in this repository. */
const scratch = mkdtempSync(path.join(os.tmpdir(), 'saferun-bench-cwd-'));

function time(label: string, command: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const t0 = performance.now();
  const result = spawnSync(command, args, { env, cwd: scratch, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 26 });
  const ms = performance.now() - t0;
  if (result.error) throw new Error(`${label}: ${result.error.message}`);
  return ms;
}

function stdlibCopy(): { dir: string; cleanup: () => void } {
  const lib = execFileSync('python3', ['-c', 'import sysconfig; print(sysconfig.get_paths()["stdlib"])']).toString().trim();
  const base = mkdtempSync(path.join(os.tmpdir(), 'saferun-bench-stdlib-'));
  execFileSync('sh', ['-c', `tar -C "${lib}" --exclude=site-packages -cf - . | tar -C "${base}" -xf -`]);
  return { dir: base, cleanup: () => rmSync(base, { recursive: true, force: true }) };
}

function main(): void {
  const given = flag('tree');
  const tree = given ? { dir: path.resolve(given), cleanup: () => undefined } : stdlibCopy();
  const bin = path.join(packageRoot(), 'dist', 'src', 'bin.js');
  const cache = mkdtempSync(path.join(os.tmpdir(), 'saferun-bench-cache-'));
  try {
    const env = { ...process.env, SAFERUN_CACHE_DIR: cache };
    const rows: [string, number][] = [];
    const scanArgs = [bin, 'scan', '--quiet', '--fail-on', 'never', tree.dir];
    const cold = time('saferun cold', process.execPath, scanArgs, env);
    rows.push(['saferun scan, cold', cold]);
    // cached: the median of three re-scans (one sample is at the mercy of the machine's noise)
    const cached = [0, 1, 2].map(() => time('saferun cached', process.execPath, scanArgs, env)).sort((a, b) => a - b)[1]!;
    rows.push(['saferun scan, cached (median of 3)', cached]);
    rows.push(['python ast.parse (floor)', time('ast.parse', 'python3', ['-c', `import ast, pathlib\nfor p in pathlib.Path(${JSON.stringify(tree.dir)}).rglob("*.py"):\n    try: ast.parse(p.read_bytes())\n    except Exception: pass`])]);
    const bandit = flag('bandit') ?? (onPath('bandit') ? 'bandit' : undefined);
    if (bandit) rows.push([`bandit (${bandit})`, time('bandit', 'sh', ['-c', `${bandit} -r -q -f json -o /dev/null "${tree.dir}"`])]);
    else process.stdout.write('bandit: not run (give --bandit "CMD" or put bandit on PATH)\n');
    const codeaudit = flag('codeaudit') ?? (onPath('codeaudit') ? 'codeaudit' : undefined);
    if (codeaudit) rows.push([`Python Code Audit (${codeaudit})`, time('codeaudit', 'sh', ['-c', `${codeaudit} filescan "${tree.dir}" >/dev/null`])]);
    else process.stdout.write('Python Code Audit: not run (give --codeaudit "CMD" or put codeaudit on PATH)\n');
    process.stdout.write(`scan bench on ${given ?? 'the CPython standard library'}\n`);
    for (const [label, ms] of rows) process.stdout.write(`  ${label.padEnd(42)} ${(ms / 1000).toFixed(2).padStart(7)} s   ${(ms / cold).toFixed(2).padStart(6)}× saferun cold\n`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    rmSync(cache, { recursive: true, force: true });
    tree.cleanup();
  }
}

main();
