import type { Rule } from './rule.js';

const SUPPRESSION = /#\s*(nosec\b|noqa\b|pylint:\s*disable|codeaudit\s*:\s*ignore|guarddog\s*:?\s*ignore|nosemgrep|bandit\s*:\s*(skip|ignore)|saferun\s*:\s*(ignore|skip|disable)|lgtm\b|pragma:\s*no\s*(scan|security))/i;

export const scannerSuppression: Rule = {
  meta: {
    id: 'scanner-suppression',
    title: 'Comment that tries to silence a security scanner',
    severity: 'low',
    confidence: 'high',
    category: 'anti-analysis',
    cwe: 'CWE-1164',
    explanation: "Comments like '# nosec' or '# noqa' tell scanners to look away. saferun never obeys them in code it did not get from you; it reports them so you can see what was meant to be hidden.",
    advice: 'Look closely at the line it is on. To accept a finding, add a suppression to your own saferun configuration (path, rule id and reason).',
  },
  check({ model, report }) {
    if (!SUPPRESSION.test(model.source)) return; // the comments are looked up only when one can match
    for (const comment of model.comments) {
      const match = SUPPRESSION.exec(comment.text);
      if (match) report(comment, `scanner suppression comment ${JSON.stringify(match[0].trim())} (not obeyed)`);
    }
  },
};
