/**
 * Every downloaded distribution is inspected before anything is installed: its code goes through
 * the scan engine (archives read in memory, never extracted, capped against bombs), its name
 * through the dependency checks. An archive the scan could not read whole cannot be vouched for,
 * so that is a finding too.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { riskLevelOf } from '../policy/risk-level.js';
import type { Finding } from '../findings/finding.js';
import type { PackageReport } from './types.js';

/** name and version from a wheel (PEP 427) or sdist file name; undefined for anything else. */
export function distributionOf(fileName: string): { name: string; version: string } | undefined {
  const wheel = /^([A-Za-z0-9][A-Za-z0-9._]*?)-([0-9][^-]*)(?:-\d[^-]*)?-[^-]+-[^-]+-[^-]+\.whl$/.exec(fileName);
  if (wheel) return { name: wheel[1]!, version: wheel[2]! };
  const sdist = /^([A-Za-z0-9][A-Za-z0-9._-]*?)-([0-9][A-Za-z0-9.+!_-]*)\.(tar\.gz|zip|tgz|tar)$/.exec(fileName);
  if (sdist) return { name: sdist[1]!, version: sdist[2]! };
  return undefined;
}

export function isSdist(fileName: string): boolean {
  return !fileName.endsWith('.whl');
}

function uninspectable(file: string, reason: string): Finding {
  return {
    ruleId: 'package-uninspectable',
    title: 'Distribution that could not be inspected',
    severity: 'high',
    confidence: 'high',
    category: 'supply-chain',
    cwe: 'CWE-494',
    file,
    line: 1,
    column: 1,
    endLine: 1,
    snippet: '',
    message: `${path.basename(file)} could not be read whole (${reason}), so nothing vouches for what it would install`,
  };
}

/** Reasons the scan gives for entries it skips that are ordinary in a distribution. */
const ORDINARY_SKIPS = /binary content/;

/**
 * `privateIndex`: the packages came from an index the user named, where names PyPI lacks are
 * expected; an unregistered name is then medium, as beside a project's own index.
 */
export async function inspectDistributions(distsDir: string, options: { privateIndex?: boolean } = {}): Promise<PackageReport[]> {
  const files = readdirSync(distsDir).filter((f) => !f.startsWith('.')).sort();
  const archives = files.map((f) => path.join(distsDir, f));
  if (archives.length === 0) return [];
  const [{ scanPaths }, deps] = await Promise.all([import('../scan/scan-paths.js'), loadDependencyCheck(options.privateIndex === true)]);
  const scan = await scanPaths(archives, { cache: false });
  const reports: PackageReport[] = [];
  for (const archive of archives) {
    const file = path.basename(archive);
    const owned = (f: string): boolean => f === archive || f.startsWith(`${archive}!`);
    // a finding names the distribution file and the path inside it, never the temporary directory
    const findings: Finding[] = scan.findings.filter((f) => owned(f.file)).map((f) => ({ ...f, file: `${file}${f.file.slice(archive.length)}` }));
    for (const skip of scan.skipped) if (owned(skip.file) && !ORDINARY_SKIPS.test(skip.reason)) findings.push(uninspectable(file, skip.reason));
    const dist = distributionOf(file);
    if (!dist) findings.push(uninspectable(file, 'not a wheel or sdist file name'));
    else findings.push(...deps(dist.name, dist.version, file));
    reports.push({
      name: dist?.name ?? file,
      version: dist?.version ?? '',
      file,
      sha256: createHash('sha256').update(readFileSync(archive)).digest('hex'),
      riskLevel: riskLevelOf(findings),
      findings,
    });
  }
  return reports;
}

/** Look-alike and unregistered names and known vulnerabilities of one downloaded distribution. */
async function loadDependencyCheck(privateIndex: boolean): Promise<(name: string, version: string, file: string) => Finding[]> {
  const [{ checkDependencies }, { normalizeName }] = await Promise.all([import('../deps/check-dependencies.js'), import('../deps/requirement.js')]);
  return (name, version, file) => {
    const report = checkDependencies({
      dependencies: [{ name, normalized: normalizeName(name), specifier: `==${version}`, origin: 'metadata', file, line: 1 }],
      sources: [],
      licenses: [],
      problems: [],
      manifests: [],
    });
    if (!privateIndex) return report.findings;
    return report.findings.map((f) => (f.ruleId === 'dep-unknown-package' && f.severity === 'high' ? { ...f, severity: 'medium' as const, message: `${f.message} (from the index you named)` } : f));
  };
}
