/**
 * Risk level + profile policy → decision. Pure. Escalation switches to the named profile and
 * applies that profile's policy for the same level (so a chain ends in run, ask or block).
 */
import type { PolicyAction, Profile } from '../config/profile.js';
import type { RiskLevel } from '../findings/finding.js';

export type Decision =
  | { kind: 'run'; profile: Profile; escalatedFrom: string[] }
  | { kind: 'ask'; profile: Profile; escalatedFrom: string[] }
  | { kind: 'block'; profile: Profile; escalatedFrom: string[]; reason: string };

export async function decide(riskLevel: RiskLevel, start: Profile, loadProfileByName: (name: string) => Promise<Profile>): Promise<Decision> {
  const trail: string[] = [];
  let profile = start;
  for (;;) {
    const action: PolicyAction = profile.policy[riskLevel];
    if (action.kind === 'run') return { kind: 'run', profile, escalatedFrom: trail };
    if (action.kind === 'ask') return { kind: 'ask', profile, escalatedFrom: trail };
    if (action.kind === 'block') {
      return { kind: 'block', profile, escalatedFrom: trail, reason: `risk level ${riskLevel} is blocked by profile ${profile.name}` };
    }
    if (trail.includes(action.profile) || action.profile === profile.name || trail.length >= 8) {
      return { kind: 'block', profile, escalatedFrom: trail, reason: `profile ${profile.name} escalates in a loop (${[...trail, profile.name, action.profile].join(' → ')})` };
    }
    trail.push(profile.name);
    profile = await loadProfileByName(action.profile);
  }
}

export function describeDecision(decision: Decision, riskLevel: RiskLevel): string {
  const via = decision.escalatedFrom.length > 0 ? ` (escalated from ${decision.escalatedFrom.join(' → ')})` : '';
  switch (decision.kind) {
    case 'run':
      return `risk ${riskLevel}: run under profile ${decision.profile.name}${via}`;
    case 'ask':
      return `risk ${riskLevel}: profile ${decision.profile.name}${via} asks before running`;
    case 'block':
      return `risk ${riskLevel}: blocked — ${decision.reason}${via}`;
  }
}
