import type { Rule } from './rule.js';

const NAME = /^(password|passwd|pwd|secret|secret_key|api_key|apikey|access_key|private_key|auth_token|token|client_secret)$/i;
const KEY_SHAPES = /\b(AKIA[0-9A-Z]{16}|ghp_[A-Za-z0-9]{36}|gh[ousr]_[A-Za-z0-9]{36}|xox[baprs]-[A-Za-z0-9-]{10,}|sk_live_[A-Za-z0-9]{20,}|AIza[0-9A-Za-z_-]{35}|-----BEGIN (RSA |EC |OPENSSH |DSA )?PRIVATE KEY-----)/;

export const hardcodedSecret: Rule = {
  meta: {
    id: 'hardcoded-secret',
    title: 'Hard-coded password, token or private key',
    severity: 'low',
    confidence: 'medium',
    category: 'secrets',
    cwe: 'CWE-798',
    explanation: 'Secrets written into code end up in every copy of it. A program carrying someone else’s cloud or bot token is also a sign of a stealer sending data to its owner.',
    advice: 'Read secrets from the environment or a secret store; rotate any that were committed.',
  },
  check({ model, report }) {
    const texts = model.stringTexts;
    for (const [i, node] of model.strings.entries()) {
      const match = KEY_SHAPES.exec(texts[i]!);
      if (match) report(node, `looks like a real credential (${match[0].slice(0, 12)}…)`, { severity: 'medium' });
    }
    // Splitting arguments costs; look only at calls whose text names a secret-like keyword (and
    // not at all when the file has none).
    const SECRET_KEYWORD = /(password|passwd|pwd|secret|api_?key|access_key|private_key|auth_token|token)\s*=/i;
    for (const call of SECRET_KEYWORD.test(model.source) ? model.calls : []) {
      if (!SECRET_KEYWORD.test(call.node.text)) continue;
      for (const [key, value] of call.keywords) {
        if (NAME.test(key) && value.type === 'string') {
          const text = model.fold(value)?.value ?? '';
          if (text.length >= 4 && !/^(\*+|x+|changeme|password|secret|test|example|dummy|none|null)$/i.test(text)) report(value, `${key}= a literal`);
        }
      }
    }
  },
};
