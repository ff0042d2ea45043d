/**
 * A file the analyser could not finish (its time budget ran out — a program can be written to make
 * that happen — the parser gave up, or a rule crashed on it) is not a clean file: what was not
 * checked could be anything. Before a run it becomes a high finding, so strict refuses it and
 * normal asks, instead of running on the strength of a partial scan.
 */
import type { Finding } from '../../findings/finding.js';

export function incompleteScanFinding(file: string, why: string): Finding {
  return {
    ruleId: 'scan-incomplete',
    title: 'The scan of this file did not finish',
    severity: 'high',
    confidence: 'medium',
    category: 'obfuscation',
    cwe: 'CWE-506',
    file,
    line: 1,
    column: 1,
    endLine: 1,
    snippet: '',
    message: `the scan stopped short (${why}); what it did not check could be anything`,
  };
}
