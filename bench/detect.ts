/**
 * bench/detect: detection quality on known-malicious and benign packages.
 *
 *   npm run bench:detect -- --malicious DIR [--benign DIR ...] [--set tune|measure|all] [--missed FILE] [--json]
 *
 * DIR for --malicious holds one directory per package (e.g. the public pypi_malregistry layout
 * <name>/<version>/<archive>); archives are read in memory, never extracted or run. Packages whose
 * sha256(name) starts with 0–b are for tuning, c–f for measuring (the default set). Each --benign
 * DIR holds one directory per benign package (e.g. Debian python3-* packages unpacked with
 * dpkg-deb -x). Prints package recall at high/critical, package and file false-positive rates,
 * each with a 95% Wilson interval.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { MALWARE_CATEGORIES } from '../src/policy/risk-level.js';
import { scanPaths } from '../src/scan/scan-paths.js';
import type { Finding } from '../src/findings/finding.js';

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

/** The highest finding names why a package got its level: "severity ruleId (category)", or "no finding". */
function topFinding(findings: Finding[]): string {
  const rank = { low: 0, medium: 1, high: 2, critical: 3 } as const;
  const top = [...findings].sort((a, b) => rank[b.severity] - rank[a.severity])[0];
  return top ? `${top.severity} ${top.ruleId} (${top.category})` : 'no finding';
}

async function scanOne(dir: string, jobs?: number): Promise<{ riskLevel: string; findings: Finding[]; files: number } | undefined> {
  try {
    const result = await scanPaths([dir], { cache: false, ...(jobs ? { jobs } : {}) });
    return { riskLevel: result.riskLevel, findings: result.findings, files: result.summary.files };
  } catch (error) {
    process.stderr.write(`  scan failed for ${dir}: ${error instanceof Error ? error.message : String(error)}\n`);
    return undefined;
  }
}

function inSet(name: string, set: string): boolean {
  const first = createHash('sha256').update(name).digest('hex')[0]!;
  const tune = first <= 'b';
  return set === 'all' || (set === 'tune' ? tune : !tune);
}

async function main(): Promise<void> {
  // Defaults: the layout described in bench/README.md (a gitignored .bench-data/ in the repo).
  // `--malicious none` / `--benign none` skip that side.
  const givenMalicious = args('malicious')[0];
  const malicious = givenMalicious === 'none' ? undefined : givenMalicious ?? (existsSync('.bench-data/malicious') ? '.bench-data/malicious' : undefined);
  const benign = args('benign').length ? args('benign').filter((d) => d !== 'none') : ['.bench-data/benign'].filter((d) => existsSync(d));
  const set = args('set')[0] ?? 'measure';
  if (!['tune', 'measure', 'all'].includes(set)) throw new Error(`--set: '${set}' is not a set; use tune, measure or all`);
  const limit = Number(args('limit')[0] ?? 0);
  const resultsFile = args('results')[0];
  const report: string[] = [];
  if (!malicious && benign.length === 0) throw new Error('give --malicious DIR and/or --benign DIR (see the header of bench/detect.ts)');
  const summary: Record<string, unknown> = { set };
  if (malicious) {
    let names = packages(malicious).filter((n) => inSet(n, set));
    // --limit N: a deterministic sample (every k-th name in sorted order) for a quick run.
    if (limit > 0 && names.length > limit) {
      const step = names.length / limit;
      names = Array.from({ length: limit }, (_, i) => names[Math.floor(i * step)]!);
    }
    let caught = 0;
    let failed = 0;
    const missedBy: Record<string, number> = {};
    const missedTop: Record<string, number> = {};
    const missedNames: string[] = [];
    for (const name of names) {
      const result = await scanOne(path.join(malicious, name), 1);
      if (!result) {
        failed++;
        continue;
      }
      if (result.riskLevel === 'high' || result.riskLevel === 'critical') caught++;
      else {
        missedBy[result.riskLevel] = (missedBy[result.riskLevel] ?? 0) + 1;
        const top = topFinding(result.findings);
        missedTop[top] = (missedTop[top] ?? 0) + 1;
        // Per-package detail only for the tuning set: the measure set must stay unseen by tuning.
        if (set === 'tune') missedNames.push(`${name}\t${result.riskLevel}\t${top}`);
      }
    }
    const scanned = names.length - failed;
    const [lo, hi] = wilson(caught, scanned);
    const line = `malicious (${set} set${limit ? `, sample of ${limit}` : ''}): ${caught}/${scanned} packages at high/critical = ${pct(caught / Math.max(1, scanned))} (95% CI ${pct(lo)}–${pct(hi)})${failed ? `; ${failed} failed to scan` : ''}`;
    const histogram = Object.entries(missedTop).sort((a, b) => b[1] - a[1]).map(([k, v]) => `    ${v}  ${k}`).join('\n');
    process.stdout.write(`${line}\n  missed packages by their risk level: ${JSON.stringify(missedBy)}\n  missed packages by their highest finding:\n${histogram}\n`);
    const shortNames = missedNames.map((entry) => entry.split('\t')[0]!);
    if (shortNames.length && !process.argv.includes('--json')) process.stdout.write(`  missed (tune set only): ${shortNames.slice(0, 40).join(', ')}${shortNames.length > 40 ? ' …' : ''}\n`);
    const missedFile = args('missed')[0];
    if (missedFile && set === 'tune') writeFileSync(missedFile, missedNames.map((entry) => `${entry}\n`).join(''));
    report.push(`## ${line}`, '', `Missed by risk level: ${JSON.stringify(missedBy)}`, '', 'Missed packages by their highest finding:', '', '```', histogram, '```', '');
    if (set === 'tune' && shortNames.length) report.push(`Missed (tune set): ${shortNames.slice(0, 200).join(', ')}`, '');
    Object.assign(summary, { malicious: { packages: scanned, failed, caught, recall: caught / Math.max(1, scanned), ci: [lo, hi], missedBy, missedTop } });
  }
  for (const dir of benign) {
    const names = packages(dir);
    let flagged = 0;
    let files = 0;
    let flaggedFiles = 0;
    const flaggedNames: string[] = [];
    const rules: Record<string, number> = {};
    for (const name of names) {
      const result = await scanOne(path.join(dir, name));
      if (!result) continue;
      files += result.files;
      const bad = new Set(result.findings.filter(blocking).map((f) => f.file));
      flaggedFiles += bad.size;
      for (const f of result.findings.filter(blocking)) rules[f.ruleId] = (rules[f.ruleId] ?? 0) + 1;
      if (result.riskLevel === 'high' || result.riskLevel === 'critical') {
        flagged++;
        // Why: the high/critical rules, or else the medium malware-category rules whose combination raised the level.
        const high = [...new Set(result.findings.filter(blocking).map((f) => f.ruleId))];
        const combined = [...new Set(result.findings.filter((f) => f.severity === 'medium' && MALWARE_CATEGORIES.has(f.category)).map((f) => `${f.ruleId} (${f.category})`))];
        flaggedNames.push(`${name}: ${high.length ? high.join(', ') : `medium ${combined.join(' + ')}`}`);
      }
    }
    const [plo, phi] = wilson(flagged, names.length);
    const [flo, fhi] = wilson(flaggedFiles, files);
    process.stdout.write(`benign ${dir}: ${flagged}/${names.length} packages at high/critical = ${pct(flagged / names.length)} (95% CI ${pct(plo)}–${pct(phi)})${flaggedNames.length ? ` [${flaggedNames.join(', ')}]` : ''}\n`);
    process.stdout.write(`  files with a high/critical finding: ${flaggedFiles}/${files} = ${(100 * flaggedFiles / Math.max(1, files)).toFixed(2)}% (95% CI ${(flo * 100).toFixed(2)}%–${(fhi * 100).toFixed(2)}%); rules: ${JSON.stringify(rules)}\n`);
    report.push(`## benign ${path.basename(dir)}: ${flagged}/${names.length} packages at high/critical (95% CI ${pct(plo)}–${pct(phi)}); files ${flaggedFiles}/${files} (95% CI ${(flo * 100).toFixed(2)}%–${(fhi * 100).toFixed(2)}%)`, '', `Flagged packages: ${flaggedNames.join(', ') || 'none'}`, '', 'High/critical findings on benign code by rule:', '', '```', ...Object.entries(rules).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${v}  ${k}`), '```', '');
    summary[`benign:${dir}`] = { packages: names.length, flagged, flaggedNames, files, flaggedFiles, ci: { packages: [plo, phi], files: [flo, fhi] }, rules };
  }
  if (resultsFile) writeFileSync(resultsFile, `# bench/detect results (${new Date().toISOString()})\n\n${report.join('\n')}\n`);
  if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench/detect: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
