/** docs/rules.md is generated from the rules' own metadata: `npm run docs:rules`. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../../util/package-info.js';
import { RULES } from './index.js';
import { DEPENDENCY_RULES } from '../../deps/dependency-rules.js';

export function renderRuleDocs(): string {
  const lines = [
    '# saferun scan rules',
    '',
    'Generated from `src/scan/rules/` by `npm run docs:rules`; a test fails when this file is stale.',
    'Severity is the usual one; a rule reports lower when the evidence is weaker (for example a fixed',
    'command instead of one computed at run time) and the finding says why. A finding may name a more',
    'precise category than its rule\'s usual one (`malicious-command` reports the behaviour it saw:',
    'download-execute, backdoor, obfuscation, anti-analysis, persistence, destructive or exfiltration).',
    '',
    '## What every rule sees',
    '',
    '- Names are resolved through imports, aliases, `getattr`, `__import__`, `sys.modules`, `vars()`,',
    '  `__dict__` and `globals()`; a well-known module used without any import (an excerpt, an import',
    '  hidden in exec\'d text) is read as that module.',
    '- Strings are folded (concatenation, join, %, f-strings, slices, chr, hex, base64, rot13, zlib).',
    '- Data is followed through assignments, loops, comprehensions and helper functions the module',
    '  defines (a `decode(s)` helper returns decoded data).',
    '- Python code carried as text (written to a file, passed to `python -c`, exec\'d) is scanned as a',
    '  module of its own; its findings are reported where the text is, prefixed with how it is carried.',
    '',
    '## How findings become a risk level',
    '',
    '1. A finding counts at its severity when its confidence is medium or high, one level lower when low.',
    '2. The risk level is the highest count; no findings means `low`.',
    '3. Two or more different malware-behaviour categories (obfuscation, download-execute, backdoor,',
    '   credential-theft, exfiltration, install-time, persistence, anti-analysis, destructive, spyware,',
    '   cryptojacking) at medium or above raise',
    '   the level by one, up to `critical`.',
    '',
    '| id | severity | confidence | category | CWE | title |',
    '| --- | --- | --- | --- | --- | --- |',
    ...RULES.map((r) => `| [\`${r.meta.id}\`](#${r.meta.id}) | ${r.meta.severity} | ${r.meta.confidence} | ${r.meta.category} | ${r.meta.cwe} | ${r.meta.title} |`),
    '',
  ];
  for (const { meta } of RULES) {
    lines.push(`## ${meta.id}`, '', `**${meta.title}** — ${meta.severity}, confidence ${meta.confidence}, ${meta.category}, ${meta.cwe}`, '', meta.explanation, '', `*Advice:* ${meta.advice}`, '');
  }
  lines.push(
    '# Dependency findings',
    '',
    '`saferun deps` and the run\'s Dependencies phase report these (category `supply-chain`). `saferun scan`',
    'reports `dep-typosquat` for a wheel or sdist whose own name is a look-alike, and the look-alike,',
    'unregistered-name and untrusted-source findings for what a `setup.py` declares. They count toward',
    'the risk level like any finding.',
    '',
  );
  for (const [id, rule] of Object.entries(DEPENDENCY_RULES)) {
    lines.push(`## ${id}`, '', `**${rule.title}** — ${rule.severities}; ${rule.category}, ${rule.cwe}`, '', rule.explanation, '', `*Advice:* ${rule.advice}`, '');
  }
  return lines.join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]).endsWith(path.join('rules', 'rule-docs.js'))) {
  writeFileSync(path.join(packageRoot(), 'docs', 'rules.md'), renderRuleDocs());
  process.stdout.write('wrote docs/rules.md\n');
}
