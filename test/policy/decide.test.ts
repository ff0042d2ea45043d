import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadProfile } from '../../src/config/load-profile.js';
import { decide } from '../../src/policy/decide.js';
import type { RiskLevel } from '../../src/findings/finding.js';

const byName = async (name: string) => (await loadProfile(name)).profile;

test('presets decide as documented', async () => {
  const table: [string, RiskLevel, string, string][] = [
    ['strict', 'low', 'run', 'strict'],
    ['strict', 'medium', 'run', 'strict'],
    ['strict', 'high', 'block', 'strict'],
    ['strict', 'critical', 'block', 'strict'],
    ['offline', 'medium', 'run', 'offline'],
    ['offline', 'high', 'ask', 'offline'],
    ['offline', 'critical', 'block', 'offline'],
    ['normal', 'low', 'run', 'normal'],
    ['normal', 'medium', 'run', 'offline'],
    ['normal', 'high', 'ask', 'normal'],
    ['normal', 'critical', 'block', 'normal'],
  ];
  for (const [start, level, kind, finalProfile] of table) {
    const decision = await decide(level, await byName(start), byName);
    assert.equal(decision.kind, kind, `${start}/${level}`);
    assert.equal(decision.profile.name, finalProfile, `${start}/${level}`);
  }
  assert.deepEqual((await decide('medium', await byName('normal'), byName)).escalatedFrom, ['normal']);
});

test('an escalation loop blocks instead of spinning', async () => {
  const strict = await byName('strict');
  const a = { ...strict, name: 'a', policy: { ...strict.policy, high: { kind: 'escalate' as const, profile: 'b' } } };
  const b = { ...strict, name: 'b', policy: { ...strict.policy, high: { kind: 'escalate' as const, profile: 'a' } } };
  const decision = await decide('high', a, async (name) => (name === 'a' ? a : b));
  assert.equal(decision.kind, 'block');
  assert.match((decision as { reason: string }).reason, /loop/);
});
