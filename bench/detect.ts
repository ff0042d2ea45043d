/**
 * bench/detect: detection quality on known-malicious and benign packages.
 *
 *   npm run bench:detect -- --malicious DIR [--benign DIR ...] [--set tune|measure|all] [--json]
 *
 * DIR for --malicious holds one directory per package (e.g. the public pypi_malregistry layout
 * <name>/<version>/<archive>); archives are read in memory, never extracted or run. Packages whose
 * sha256(name) starts with 0–b are for tuning, c–f for measuring (the default set). Each --benign
 * DIR holds one directory per benign package (e.g. Debian python3-* packages unpacked with
 * dpkg-deb -x). Prints package recall at high/critical, package and file false-positive rates,
 * each with a 95% Wilson interval.
 */
import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { scanPaths } from '../src/scan/scan-paths.js';
import type { Finding } from '../src/scan/types.js';

function args(name: string): string[] {
  const values: string[] = [];
  process.argv.forEach((a, i) => {
    if (a === `--${name}` && process.argv[i + 1]) values.push(process.argv[i + 1]!);
  });
  return values;
}

function wilson(hits: number, n: number): [number, number] {
  if (n === 0) return [0, 0];
  const z = 1.96;
  const p = hits / n;
  const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / (1 + (z * z) / n);
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const blocking = (f: Finding): boolean => f.severity === 'high' || f.severity === 'critical';

function packages(dir: string): string[] {
  return readdirSync(dir).filter((name) => statSync(path.join(dir, name)).isDirectory()).sort();
}

function inSet(name: string, set: string): boolean {
  const first = createHash('sha256').update(name).digest('hex')[0]!;
  const tune = first <= 'b';
  return set === 'all' || (set === 'tune' ? tune : !tune);
}

async function main(): Promise<void> {
  const malicious = args('malicious')[0];
  const benign = args('benign');
  const set = args('set')[0] ?? 'measure';
  if (!malicious && benign.length === 0) throw new Error('give --malicious DIR and/or --benign DIR (see the header of bench/detect.ts)');
  const summary: Record<string, unknown> = { set };
  if (malicious) {
    const names = packages(malicious).filter((n) => inSet(n, set));
    let caught = 0;
    const missedBy: Record<string, number> = {};
    const missedNames: string[] = [];
    for (const name of names) {
      const result = await scanPaths([path.join(malicious, name)], { cache: false, jobs: 1 });
      if (result.riskLevel === 'high' || result.riskLevel === 'critical') caught++;
      else {
        missedBy[result.riskLevel] = (missedBy[result.riskLevel] ?? 0) + 1;
        if (set === 'tune') missedNames.push(name);
      }
    }
    const [lo, hi] = wilson(caught, names.length);
    process.stdout.write(`malicious (${set} set): ${caught}/${names.length} packages at high/critical = ${pct(caught / names.length)} (95% CI ${pct(lo)}–${pct(hi)})\n`);
    process.stdout.write(`  missed packages by their risk level: ${JSON.stringify(missedBy)}\n`);
    if (missedNames.length && !process.argv.includes('--json')) process.stdout.write(`  missed (tune set only): ${missedNames.slice(0, 40).join(', ')}${missedNames.length > 40 ? ' …' : ''}\n`);
    Object.assign(summary, { malicious: { packages: names.length, caught, recall: caught / names.length, ci: [lo, hi], missedBy } });
  }
  for (const dir of benign) {
    const names = packages(dir);
    let flagged = 0;
    let files = 0;
    let flaggedFiles = 0;
    const flaggedNames: string[] = [];
    const rules: Record<string, number> = {};
    for (const name of names) {
      const result = await scanPaths([path.join(dir, name)], { cache: false });
      files += result.summary.files;
      const bad = new Set(result.findings.filter(blocking).map((f) => f.file));
      flaggedFiles += bad.size;
      for (const f of result.findings.filter(blocking)) rules[f.ruleId] = (rules[f.ruleId] ?? 0) + 1;
      if (result.riskLevel === 'high' || result.riskLevel === 'critical') {
        flagged++;
        flaggedNames.push(name);
      }
    }
    const [plo, phi] = wilson(flagged, names.length);
    const [flo, fhi] = wilson(flaggedFiles, files);
    process.stdout.write(`benign ${dir}: ${flagged}/${names.length} packages at high/critical = ${pct(flagged / names.length)} (95% CI ${pct(plo)}–${pct(phi)})${flaggedNames.length ? ` [${flaggedNames.join(', ')}]` : ''}\n`);
    process.stdout.write(`  files with a high/critical finding: ${flaggedFiles}/${files} = ${(100 * flaggedFiles / Math.max(1, files)).toFixed(2)}% (95% CI ${(flo * 100).toFixed(2)}%–${(fhi * 100).toFixed(2)}%); rules: ${JSON.stringify(rules)}\n`);
    summary[`benign:${dir}`] = { packages: names.length, flagged, flaggedNames, files, flaggedFiles, rules };
  }
  if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench/detect: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
