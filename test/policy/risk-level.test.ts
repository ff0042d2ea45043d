import { test } from 'node:test';
import assert from 'node:assert/strict';
import { riskLevelOf } from '../../src/policy/risk-level.js';
import type { Confidence, Finding, RiskLevel, Severity } from '../../src/findings/finding.js';

function finding(severity: Severity, confidence: Confidence, category = 'code-execution'): Finding {
  return { ruleId: 'r', title: 't', severity, confidence, category, cwe: 'CWE-0', file: 'a.py', line: 1, column: 1, endLine: 1, snippet: '', message: '' };
}

const TABLE: [string, Finding[], RiskLevel][] = [
  ['no findings', [], 'low'],
  ['one medium, medium confidence', [finding('medium', 'medium')], 'medium'],
  ['one high, high confidence', [finding('high', 'high')], 'high'],
  ['a critical, low confidence counts as high', [finding('critical', 'low')], 'high'],
  ['a high, low confidence counts as medium', [finding('high', 'low')], 'medium'],
  ['a low, low confidence stays low', [finding('low', 'low')], 'low'],
  ['the highest wins', [finding('low', 'high'), finding('critical', 'high'), finding('medium', 'high')], 'critical'],
  ['two medium findings of one malware category stay medium', [finding('medium', 'medium', 'persistence'), finding('medium', 'high', 'persistence')], 'medium'],
  ['two different medium malware categories raise to high', [finding('medium', 'medium', 'obfuscation'), finding('medium', 'medium', 'exfiltration')], 'high'],
  ['code-quality categories do not combine', [finding('medium', 'medium', 'weak-crypto'), finding('medium', 'medium', 'code-execution')], 'medium'],
  ['a low-confidence medium malware finding does not combine', [finding('medium', 'low', 'obfuscation'), finding('medium', 'medium', 'exfiltration')], 'medium'],
  ['combination never exceeds critical', [finding('critical', 'high', 'obfuscation'), finding('high', 'high', 'exfiltration')], 'critical'],
];

for (const [name, findings, expected] of TABLE) {
  test(`risk level: ${name} → ${expected}`, () => {
    assert.equal(riskLevelOf(findings), expected);
  });
}

test('risk level does not depend on finding order', () => {
  const findings = [finding('medium', 'medium', 'obfuscation'), finding('low', 'high'), finding('medium', 'high', 'persistence')];
  assert.equal(riskLevelOf(findings), riskLevelOf([...findings].reverse()));
});
