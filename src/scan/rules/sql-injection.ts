import { callRule } from './rule.js';

const SQL = /^\s*(select|insert|update|delete|replace|create|drop|alter)\b/i;

export const sqlInjection = callRule(
  {
    id: 'sql-injection',
    title: 'SQL built from strings',
    severity: 'medium',
    confidence: 'medium',
    category: 'injection',
    cwe: 'CWE-89',
    explanation: 'A query assembled with +, %, .format() or an f-string from values lets those values change the query.',
    advice: 'Pass values as parameters: cursor.execute("... WHERE id = ?", (value,)).',
  },
  (name) => /\.(execute|executemany|executescript|raw)$/.test(name) || name === 'execute',
  (call, context) => {
    const query = call.args[0];
    if (!query || context.model.fold(query)) return undefined; // a constant query is fine
    const text = query.text;
    const built = query.type === 'binary_operator' || (query.type === 'string' && query.text.startsWith('f')) || (query.type === 'call' && /\.format$/.test(query.childForFieldName('function')?.text ?? ''));
    const head = text.replace(/^[frbuFRBU]*["']{1,3}/, '');
    return built && SQL.test(head) ? `${call.method ?? 'execute'}() of a query built from values` : undefined;
  },
);
