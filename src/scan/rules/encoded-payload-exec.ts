import { callsTo, type Rule } from './rule.js';

const RUNNERS = /^(builtins\.(exec|eval|compile)|types\.FunctionType)$/;
const LOADERS = /^(marshal\.loads|pickle\.loads)$/;

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
    for (const call of callsTo(model, (name) => RUNNERS.test(name) || LOADERS.test(name))) {
      const payload = call.args[0];
      if (!payload) continue;
      const folded = model.fold(payload);
      const fn = call.name!.replace('builtins.', '');
      // A literal blob decoded and run is the dropper shape: critical. Decoding data that is not
      // in the file and running it is suspicious but also how some loaders work: high.
      if (folded?.decoded && folded.value.trim().length >= 4) report(call.node, `${fn}() of a payload hidden in the file: ${JSON.stringify(folded.value.slice(0, 80))}`);
      else if (RUNNERS.test(call.name!) && model.tags(payload).has('decoded')) report(call.node, `${fn}() of data decoded at run time`, { severity: 'high' });
    }
  },
};
