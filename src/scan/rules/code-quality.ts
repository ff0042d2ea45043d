import type { Rule } from './rule.js';

export const codeQuality: Rule = {
  meta: {
    id: 'code-quality',
    title: 'Security-relevant habits: swallowed exceptions, jinja2 autoescape off, requests without timeout',
    severity: 'low',
    confidence: 'medium',
    category: 'quality',
    cwe: 'CWE-703',
    explanation: 'except: pass hides failures (including attacks); jinja2 without autoescape renders HTML unescaped; requests without a timeout can hang forever.',
    advice: 'Raise explicit errors, handle or log exceptions, keep autoescape on, always pass timeout=.',
  },
  check({ model, report }) {
    for (const call of model.calls) {
      const name = call.name ?? '';
      if (/^jinja2\.(Environment|Template)$/.test(name) && call.keywords.get('autoescape')?.type === 'false') report(call.node, `${name}(autoescape=False)`, { severity: 'medium' });
      if (/^requests\.(get|post|put|patch|delete|head|request)$/.test(name) && !call.keywords.has('timeout')) report(call.node, `${name}() without a timeout`);
    }
    model.exceptClauses.forEach((clause) => {
      const parts = clause?.namedChildren.filter((c) => c && c.type !== 'comment') ?? [];
      const body = parts.find((c) => c?.type === 'block');
      const statements = body?.namedChildren.filter((c) => c && c.type !== 'comment') ?? [];
      if (clause && parts.length === 1 && statements.length === 1 && statements[0]?.type === 'pass_statement') report(clause, 'bare except: pass swallows every error');
    });
  },
};
