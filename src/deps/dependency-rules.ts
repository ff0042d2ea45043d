/** The dependency check's finding kinds: id, title, category, CWE and what to do about each. */

export type DependencyRuleId = 'dep-typosquat' | 'dep-unknown-package' | 'dep-untrusted-source' | 'dep-known-vulnerability' | 'dep-license';

export interface DependencyRule {
  title: string;
  category: 'supply-chain';
  cwe: string;
  severities: string;
  explanation: string;
  advice: string;
}

export const DEPENDENCY_RULES: Record<DependencyRuleId, DependencyRule> = {
  'dep-typosquat': {
    title: 'Dependency name looks like a popular package',
    category: 'supply-chain',
    cwe: 'CWE-1357',
    severities: 'high for a declared name; medium for a name only imported in code (module names often differ from project names)',
    explanation: "The name is one slip away from one of PyPI's 5,000 most downloaded projects (a swapped, missing, doubled or wrong letter, other separators, look-alike characters, or an added python-/-py style affix) and is not popular itself. Squatters register such names and wait for typos or for AI assistants to suggest them.",
    advice: 'Check the exact project name on PyPI and fix the requirement or import.',
  },
  'dep-unknown-package': {
    title: 'Dependency is not a PyPI project',
    category: 'supply-chain',
    cwe: 'CWE-1357',
    severities: 'high; medium when the project declares its own index',
    explanation: "No PyPI project had this name when saferun's list was made. Names nobody registered are what AI assistants hallucinate and squatters later claim (slopsquatting); names PyPI removed were usually malware; a private name next to an extra index is open to dependency confusion.",
    advice: 'Find where the package really comes from; install private packages only from your own index (--index-url, not --extra-index-url).',
  },
  'dep-untrusted-source': {
    title: 'Dependency fetched from an untrusted source',
    category: 'supply-chain',
    cwe: 'CWE-494',
    severities: 'high for plain http, bare IPs, file-drop hosts, --trusted-host and verify_ssl = false; medium for other indexes, extra indexes, unpinned repositories and unhashed URLs',
    explanation: "Code that does not come from PyPI over TLS skips PyPI's malware checks, can be swapped on the way, or can change after you looked at it.",
    advice: 'Install from PyPI or your own HTTPS index; pin repositories to a commit and archives to a hash; list your own index hosts under dependencies.trustedIndexes in your profile.',
  },
  'dep-known-vulnerability': {
    title: 'Dependency version with a known vulnerability',
    category: 'supply-chain',
    cwe: 'CWE-1395',
    severities: 'medium',
    explanation: 'The pinned version, or every version the range allows, is affected by a published advisory in the bundled PyPA advisory database.',
    advice: 'Move to the fixed release named in the finding.',
  },
  'dep-license': {
    title: 'Dependency licence to check',
    category: 'supply-chain',
    cwe: 'CWE-1357',
    severities: 'medium when your profile denies the licence; low for network copyleft (AGPL, SSPL) and restricted-use licences',
    explanation: "A distribution installed in the project (a virtualenv or vendored metadata) carries a licence that may not fit how you use it. saferun has no licence data for packages that are not installed.",
    advice: 'Check the licence, or list the licences you never accept under dependencies.deniedLicenses in your profile.',
  },
};
