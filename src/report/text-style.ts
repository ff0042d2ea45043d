/** What the text reports share: severity colours (on a terminal only) and findings grouped by file. */
import type { Finding, Severity } from '../findings/finding.js';

export const SEVERITY_COLOR: Record<Severity, string> = { low: '2', medium: '33', high: '31', critical: '1;31' };

export function painter(color: boolean): (code: string, text: string) => string {
  return (code, text) => (color ? `\u001b[${code}m${text}\u001b[0m` : text);
}

export function findingsByFile(findings: readonly Finding[]): Map<string, Finding[]> {
  const byFile = new Map<string, Finding[]>();
  for (const finding of findings) byFile.set(finding.file, [...(byFile.get(finding.file) ?? []), finding]);
  return byFile;
}
