import { callsTo, type Rule } from './rule.js';

const RUNNERS = /^(builtins\.(exec|eval|compile)|marshal\.loads|pickle\.loads|types\.FunctionType|runpy\.run_(path|module)|ctypes\.\w+)$/;

export const encodedPayloadExec: Rule = {
  meta: {
    id: 'encoded-payload-exec',
    title: 'Encoded or obfuscated payload executed',
    severity: 'critical',
    confidence: 'high',
    category: 'obfuscation',
    cwe: 'CWE-506',
    explanation: 'The program decodes text (base64, hex, zlib, rot13, character codes, reversal) and runs the result as code. Legitimate code has no reason to hide what it runs; this is the most common shape of malware droppers.',
    advice: 'Do not run it. Decode the payload in a safe place (never exec it) to see what it does.',
  },
  check({ model, report }) {
    for (const call of callsTo(model, (name) => RUNNERS.test(name))) {
      const payload = call.args[0];
      if (!payload || !model.tags(payload).has('decoded')) continue;
      const folded = model.fold(payload);
      const preview = folded ? `: ${JSON.stringify(folded.value.slice(0, 80))}` : '';
      report(call.node, `${call.name!.replace('builtins.', '')}() of a decoded payload${preview}`);
    }
  },
};
