/**
 * A package's own name as a signal: a wheel or sdist named one slip away from a popular project is
 * what typosquatting uploads look like (the same check as for dependencies, on the archive's name).
 * A name absent from PyPI says nothing here: private and unpublished packages are normal.
 */
import type { Finding } from '../findings/finding.js';
import { DEPENDENCY_RULES } from './dependency-rules.js';
import { loadPypiData } from './pypi-data.js';
import { normalizeName } from './requirement.js';
import { squatTarget } from './typosquat.js';

/** `name-1.0-py3-none-any.whl`, `name-1.0.tar.gz`, `name-1.0.zip` → `name`. */
export function distributionNameOf(fileName: string): string | undefined {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  const m = /^([A-Za-z0-9](?:[A-Za-z0-9._-]*?[A-Za-z0-9])?)-v?\d[^/]*\.(?:whl|tar\.gz|tgz|tar\.bz2|tbz2?|zip|egg)$/i.exec(base);
  return m?.[1];
}

export function packageNameFindings(archives: readonly string[]): Finding[] {
  const named = archives.map((file) => ({ file, name: distributionNameOf(file) })).filter((a): a is { file: string; name: string } => a.name !== undefined);
  if (named.length === 0) return [];
  const data = loadPypiData();
  const rule = DEPENDENCY_RULES['dep-typosquat'];
  const findings: Finding[] = [];
  for (const { file, name } of named) {
    const squat = squatTarget(normalizeName(name), data.popular, (n) => data.rank(n) !== undefined);
    if (!squat) continue;
    findings.push({
      ruleId: 'dep-typosquat',
      title: rule.title,
      severity: 'high',
      confidence: 'medium',
      category: rule.category,
      cwe: rule.cwe,
      file,
      line: 1,
      column: 1,
      endLine: 1,
      snippet: '',
      message: `this package is named '${name}', which looks like the popular '${squat.target}' (#${squat.targetRank} by downloads) with ${squat.how}: the shape of a typosquatting upload`,
    });
  }
  return findings;
}
