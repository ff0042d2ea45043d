/**
 * Stage 3: the risk level and the profile's policy give a decision; an "ask" is answered here (by
 * --yes, by the person at the terminal, or no when there is nobody to ask).
 */
import type { Profile } from '../../config/profile.js';
import { decide, describeDecision, type Decision } from '../../policy/decide.js';
import type { RiskLevel } from '../../findings/finding.js';
import { askToRun, canAsk } from '../confirm.js';

export interface DecideStageInput {
  riskLevel: RiskLevel;
  profile: Profile;
  loadProfileByName: (name: string) => Promise<Profile>;
}

export function decideStage(input: DecideStageInput): Promise<Decision> {
  return decide(input.riskLevel, input.profile, input.loadProfileByName);
}

export type ReportDecision = 'run' | 'ask-yes' | 'ask-no' | 'block';

export interface Verdict {
  /** What the report records. */
  decision: ReportDecision;
  /** Why nothing runs; undefined when the program runs. */
  blockedReason: string | undefined;
}

/** Answers an "ask" (never on a dry run) and says whether the program may run. */
export async function answerDecision(decision: Decision, riskLevel: RiskLevel, options: { yes: boolean; dryRun: boolean }): Promise<Verdict> {
  if (decision.kind === 'block') return { decision: 'block', blockedReason: decision.reason };
  if (decision.kind === 'run') return { decision: 'run', blockedReason: undefined };
  if (options.yes) return { decision: 'ask-yes', blockedReason: undefined };
  if (!options.dryRun && canAsk() && (await askToRun(`saferun: ${describeDecision(decision, riskLevel)}. Run it anyway?`))) {
    return { decision: 'ask-yes', blockedReason: undefined };
  }
  const why = `risk ${riskLevel} needs a yes under profile ${decision.profile.name}${canAsk() ? '' : ': no terminal to ask on, pass --yes to run anyway'}`;
  return { decision: 'ask-no', blockedReason: why };
}
