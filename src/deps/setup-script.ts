/**
 * A setup.py met by the scan (in a tree, a wheel or an sdist) declares what installing it pulls in:
 * its look-alike or unregistered names and untrusted `dependency_links` are findings of the scan
 * too. Known vulnerabilities are left to `saferun deps`: old pins are normal in old packages.
 */
import type { Finding } from '../findings/finding.js';
import { checkDependencies } from './check-dependencies.js';
import { parseSetupPy } from './manifests/setup-files.js';

const SCAN_RULES = new Set(['dep-typosquat', 'dep-unknown-package', 'dep-untrusted-source']);

export function setupScriptFindings(text: string, displayPath: string): Finding[] {
  if (!/install_requires|setup_requires|dependency_links/.test(text)) return [];
  const parsed = parseSetupPy(text, displayPath);
  if (parsed.dependencies.length === 0 && parsed.sources.length === 0) return [];
  const report = checkDependencies({ ...parsed, licenses: [], manifests: [displayPath] }, {}, undefined, new Map([[displayPath, text]]));
  return report.findings.filter((f) => SCAN_RULES.has(f.ruleId));
}
