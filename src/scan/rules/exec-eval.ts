import { looksObfuscated } from '../engine/layout.js';
import { callsTo, isConstant, type Rule } from './rule.js';

const DYNAMIC_CODE = new Set(['builtins.exec', 'builtins.eval', 'builtins.compile', 'builtins.execfile', 'code.InteractiveInterpreter().runsource', 'code.interact']);

export const execEval: Rule = {
  meta: {
    id: 'exec-eval',
    title: 'Dynamic code execution (exec, eval, compile)',
    severity: 'medium',
    confidence: 'high',
    category: 'code-execution',
    cwe: 'CWE-95',
    explanation: 'exec, eval and compile run text as Python code. Code that is not visible in the file cannot be reviewed, and text that an attacker can influence becomes code.',
    advice: 'Replace with explicit logic (ast.literal_eval for literals, a dispatch table for names). Never run text that came from a file, the network or the environment.',
  },
  check({ model, report }) {
    for (const call of callsTo(model, (name) => DYNAMIC_CODE.has(name))) {
      const source = call.args[0];
      const tags = source ? model.tags(source) : new Set();
      if (tags.has('decoded') || tags.has('downloaded')) continue; // reported as a payload by its own rule
      const fn = call.name!.replace('builtins.', '');
      if (isConstant(model, source)) report(call.node, `${fn}() of a constant string: the code is visible but still run dynamically`, { severity: 'low' });
      else if (looksObfuscated(model)) report(call.node, `${fn}() runs code computed at run time, in a file laid out to hide code (off-screen code or lines thousands of characters long)`, { severity: 'high' });
      else report(call.node, `${fn}() runs code computed at run time`);
    }
  },
};
