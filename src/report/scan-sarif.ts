/** SARIF 2.1.0, for code-scanning tools. */
import { RULES } from '../scan/rules/index.js';
import type { FullScanResult } from '../scan/scan-paths.js';
import type { Severity } from '../findings/finding.js';
import { readPackageVersion } from '../util/package-info.js';

const LEVEL: Record<Severity, 'note' | 'warning' | 'error'> = { low: 'note', medium: 'warning', high: 'error', critical: 'error' };
const SCORE: Record<Severity, string> = { low: '3.0', medium: '5.5', high: '8.0', critical: '9.5' };

function artifactUri(file: string): { uri: string } {
  // archive members are shown as pkg.whl!/mod.py: the archive is the artifact
  const onDisk = file.split('!/')[0]!.split('#')[0]!;
  return { uri: encodeURI(onDisk.split('\\').join('/')) };
}

export function renderScanSarif(result: FullScanResult): string {
  const extraRules = [...new Set(result.findings.map((f) => f.ruleId))].filter((id) => !RULES.some((r) => r.meta.id === id));
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'saferun',
            version: readPackageVersion(),
            informationUri: 'https://github.com/saferun/saferun',
            rules: [
              ...RULES.map(({ meta }) => ({
                id: meta.id,
                name: meta.title,
                shortDescription: { text: meta.title },
                fullDescription: { text: meta.explanation },
                help: { text: meta.advice },
                defaultConfiguration: { level: LEVEL[meta.severity] },
                properties: { tags: ['security', meta.category, meta.cwe], 'security-severity': SCORE[meta.severity], precision: meta.confidence },
              })),
              ...extraRules.map((id) => ({ id, shortDescription: { text: id } })),
            ],
          },
        },
        results: result.findings.map((f) => ({
          ruleId: f.ruleId,
          level: LEVEL[f.severity],
          message: { text: f.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: artifactUri(f.file),
                region: { startLine: f.line, startColumn: f.column, endLine: Math.max(f.endLine, f.line), snippet: { text: f.snippet } },
              },
              ...(f.file.includes('!/') || f.file.includes('#') ? { logicalLocations: [{ fullyQualifiedName: f.file }] } : {}),
            },
          ],
          properties: { severity: f.severity, confidence: f.confidence, category: f.category, cwe: f.cwe },
        })),
        invocations: [
          {
            executionSuccessful: true,
            toolExecutionNotifications: result.skipped.map((s) => ({ level: 'note', message: { text: `skipped ${s.file}: ${s.reason}` } })),
          },
        ],
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}
