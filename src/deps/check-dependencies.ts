/**
 * Declared and imported dependencies → findings: look-alike names (typo- and slop-squats), names
 * PyPI does not have, untrusted sources, known vulnerabilities and licences.
 */
import { readFileSync } from 'node:fs';
import { riskLevelOf } from '../policy/risk-level.js';
import { severityRank, type Confidence, type Finding, type Severity } from '../findings/finding.js';
import { exposures, type Exposure } from './advisories.js';
import { compareVersionText } from './pep440.js';
import { distributionOf } from './imports.js';
import { deniedBy, licenseKind } from './licenses.js';
import { loadPypiData, type PypiData } from './pypi-data.js';
import { DEPENDENCY_RULES, type DependencyRuleId } from './dependency-rules.js';
import { judgeDirectReference, judgeIndex, isTrustedHost } from './sources.js';
import { squatTarget } from './typosquat.js';
import type { DeclaredDependencies, Dependency, DependencyReport } from './types.js';

export interface DependencyPolicy {
  /** Index hosts trusted like PyPI (a host name matches itself and its subdomains). */
  trustedIndexes?: readonly string[];
  /** Licences (SPDX ids or prefixes) this user will not run code under. */
  deniedLicenses?: readonly string[];
}

/** `texts`: file contents already in memory (a file inside an archive has no path to read). */
export function checkDependencies(declared: DeclaredDependencies, policy: DependencyPolicy = {}, data: PypiData = loadPypiData(), texts: ReadonlyMap<string, string> = new Map()): DependencyReport {
  const findings: Finding[] = [];
  const snippets = new SnippetReader(texts);
  const add = (rule: DependencyRuleId, severity: Severity, confidence: Confidence, file: string, line: number, message: string) => {
    const meta = DEPENDENCY_RULES[rule];
    findings.push({ ruleId: rule, title: meta.title, severity, confidence, category: meta.category, cwe: meta.cwe, file, line, column: 1, endLine: line, snippet: snippets.line(file, line), message });
  };
  const trusted = policy.trustedIndexes ?? [];
  const privateIndex = declared.sources.some((s) => (s.kind === 'index-url' || s.kind === 'extra-index-url' || s.kind === 'find-links') && !isPypi(s.value));
  // pip (and Poetry for secondary/supplemental sources, uv for indexes not pinned) takes a name from PyPI
  // as well as from the extra index: a private name anyone can register on PyPI is dependency confusion
  const extraIndex = declared.sources.find((s) => s.kind === 'extra-index-url' && !s.pinned && !isPypi(s.value));

  for (const source of declared.sources) {
    if (source.kind === 'trusted-host') {
      add('dep-untrusted-source', 'high', 'high', source.file, source.line, `--trusted-host ${source.value} switches off TLS certificate checks for that host`);
      continue;
    }
    if (source.kind === 'no-verify-ssl') {
      add('dep-untrusted-source', 'high', 'high', source.file, source.line, `verify_ssl = false: packages from ${source.value} are fetched without checking the server's certificate`);
      continue;
    }
    const verdict = judgeIndex(source.kind, source.value, trusted);
    if (verdict) add('dep-untrusted-source', verdict.severity, 'high', source.file, source.line, `${source.kind} ${redact(source.value)}: ${verdict.reason}`);
  }

  const reported = new Set<string>();
  for (const dependency of declared.dependencies) {
    const key = `${dependency.normalized}\0${dependency.file}\0${dependency.line}`;
    if (reported.has(key)) continue;
    reported.add(key);
    const rank = data.rank(dependency.normalized);
    if (rank !== undefined) dependency.popularityRank = rank;
    if (dependency.url) {
      const verdict = judgeDirectReference(dependency.url, trusted);
      if (verdict && verdict.severity !== 'low') add('dep-untrusted-source', verdict.severity, 'high', dependency.file, dependency.line, `${dependency.name} @ ${redact(dependency.url)}: ${verdict.reason}`);
      continue; // a direct reference is not looked up by name on PyPI
    }
    if (dependency.origin === 'import') {
      checkImportName(dependency, data, add);
      continue;
    }
    dependency.onPypi = data.exists(dependency.normalized);
    const squat = squatTarget(dependency.normalized, data.popular, (n) => data.rank(n) !== undefined);
    if (squat) {
      const registered = dependency.onPypi ? 'a registered project' : 'not on PyPI, so anyone can claim it';
      add('dep-typosquat', 'high', 'high', dependency.file, dependency.line, `'${dependency.name}' looks like the popular '${squat.target}' (#${squat.targetRank} by downloads) with ${squat.how}; it is ${registered}`);
    } else if (!dependency.onPypi && extraIndex) {
      add('dep-unknown-package', 'high', 'high', dependency.file, dependency.line, `'${dependency.name}' is not a PyPI project (list of ${data.dates.pypiIndex}) and ${extraIndex.file}:${extraIndex.line} adds an extra index (${redact(extraIndex.value)}) besides PyPI: pip takes the highest version from either, so whoever registers '${dependency.name}' on PyPI wins (dependency confusion); use --index-url alone, or pin the index`);
    } else if (!dependency.onPypi) {
      const severity: Severity = privateIndex ? 'medium' : 'high';
      const why = privateIndex ? 'it may be a private package from the extra index, which is how dependency confusion starts' : 'names nobody registered are what AI assistants hallucinate and squatters then claim (slopsquatting), and PyPI removes names it finds malicious';
      add('dep-unknown-package', severity, privateIndex ? 'medium' : 'high', dependency.file, dependency.line, `'${dependency.name}' is not a PyPI project (list of ${data.dates.pypiIndex}): ${why}`);
    }
    const found = exposures(data.advisories, dependency.normalized, dependency.specifier);
    if (found.length > 0) add('dep-known-vulnerability', 'medium', 'high', dependency.file, dependency.line, describeExposures(dependency, found));
  }

  const denied = policy.deniedLicenses ?? [];
  for (const license of declared.licenses) {
    if (license.own) continue;
    const dependency = declared.dependencies.find((d) => d.normalized === license.name);
    if (dependency) dependency.license = license.license;
    const deny = deniedBy(license.license, denied);
    const kind = licenseKind(license.license);
    if (deny) add('dep-license', 'medium', 'high', license.file, license.line, `${license.name} is licensed '${license.license}', which your profile denies (${deny})`);
    else if (kind === 'network-copyleft' || kind === 'restricted') add('dep-license', 'low', 'medium', license.file, license.line, `${license.name} is licensed '${license.license}' (${kind === 'restricted' ? 'restricted use' : 'copyleft that reaches network use'}): check it fits how you use it`);
  }

  findings.sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || a.file.localeCompare(b.file) || a.line - b.line);
  return {
    version: 1,
    riskLevel: riskLevelOf(findings),
    manifests: declared.manifests,
    dependencies: declared.dependencies,
    sources: declared.sources,
    findings,
    skipped: declared.problems,
    data: data.dates,
  };
}

/** One finding per dependency: how many advisories, the first few by id, and the release that fixes them all. */
function describeExposures(dependency: Dependency, found: Exposure[]): string {
  const scope = found[0]!.how === 'pinned' ? `${dependency.name}${dependency.specifier} is affected` : `every version ${dependency.name}${dependency.specifier} allows is affected`;
  const label = (e: Exposure) => e.advisory.aliases.find((a) => a.startsWith('CVE-')) ?? e.advisory.id;
  const listed = found.slice(0, 3).map(label).join(', ');
  const more = found.length > 3 ? ` and ${found.length - 3} more` : '';
  const fixes = found.map((e) => e.fixedIn).filter((f): f is string => f !== undefined);
  const newest = fixes.sort((a, b) => compareVersionText(a, b) ?? 0).at(-1);
  const what = found.length === 1 ? `: ${found[0]!.advisory.summary}` : '';
  return `${scope} by ${found.length === 1 ? 'advisory' : `${found.length} advisories`} ${listed}${more}${what}${newest ? `; ${found.length === 1 ? 'fixed' : 'all fixed'} in ${newest}` : ''}`;
}

/**
 * An import is only a name in code, and module names often differ from project names, so only a
 * clear slip counts: a look-alike of a popular project that is no known module name itself.
 */
function checkImportName(dependency: Dependency, data: PypiData, add: (rule: DependencyRuleId, severity: Severity, confidence: Confidence, file: string, line: number, message: string) => void): void {
  const { known } = distributionOf(dependency.name);
  if (known || dependency.name.length < 5) return;
  const squat = squatTarget(dependency.normalized, data.popular, (n) => data.rank(n) !== undefined, { affixes: false, edits: 'slips' });
  if (!squat) return;
  const onPypi = data.exists(dependency.normalized);
  add('dep-typosquat', 'medium', 'medium', dependency.file, dependency.line, `imports '${dependency.name}', which looks like the popular '${squat.target}' with ${squat.how}; installing it by that name gets ${onPypi ? 'a different, registered project' : 'whoever registers it first'}`);
}

function isPypi(url: string): boolean {
  try {
    return isTrustedHost(new URL(url).hostname.toLowerCase());
  } catch {
    return false;
  }
}

/** Tokens in index URLs are secrets: never repeat them in a report. */
function redact(url: string): string {
  return url.replace(/\/\/[^/@\s]*@/g, '//***@');
}

class SnippetReader {
  private readonly files = new Map<string, string[]>();

  constructor(private readonly texts: ReadonlyMap<string, string>) {}

  line(file: string, line: number): string {
    let lines = this.files.get(file);
    if (!lines) {
      try {
        lines = (this.texts.get(file) ?? readFileSync(file, 'utf8')).split(/\r?\n/);
      } catch {
        lines = [];
      }
      this.files.set(file, lines);
    }
    return redact((lines[line - 1] ?? '').trim()).slice(0, 200);
  }
}
