import type { Node } from 'web-tree-sitter';
import { argumentNodes } from '../engine/call-site.js';
import { looksObfuscated } from '../engine/layout.js';
import type { ModuleModel } from '../engine/module-model.js';
import { callsTo, isConstant, type Rule } from './rule.js';

/** Opening or reading a file by path (the path is the first argument; pkgutil.get_data's second). */
const FILE_READS = /^(builtins\.open|io\.open|codecs\.open|pathlib\.Path|pkgutil\.get_data|importlib\.resources\.(read_binary|read_text))$/;
/** Files that hold code: running them through exec is how setup.py reads a version, not a hiding place. */
const CODE_FILE = /\.(py|pyw|cfg|toml|ini)$/i;
const DYNAMIC_CODE = new Set(['builtins.exec', 'builtins.eval', 'builtins.compile', 'builtins.execfile', 'code.InteractiveInterpreter().runsource', 'code.interact']);

export const execEval: Rule = {
  meta: {
    id: 'exec-eval',
    title: 'Dynamic code execution (exec, eval, compile)',
    severity: 'medium',
    confidence: 'high',
    category: 'code-execution',
    cwe: 'CWE-95',
    explanation: 'exec, eval and compile run text as Python code. Code that is not visible in the file cannot be reviewed, and text that an attacker can influence becomes code. Code read from a data file (an image, a .dat or .bin file) is a payload hidden outside the source: high.',
    advice: 'Replace with explicit logic (ast.literal_eval for literals, a dispatch table for names). Never run text that came from a file, the network or the environment.',
  },
  check({ model, report }) {
    for (const call of callsTo(model, (name) => DYNAMIC_CODE.has(name))) {
      const source = call.args[0];
      const tags = source ? model.tags(source) : new Set();
      if (tags.has('decoded') || tags.has('downloaded')) continue; // reported as a payload by its own rule
      const fn = call.name!.replace('builtins.', '');
      if (isConstant(model, source)) report(call.node, `${fn}() of a constant string: the code is visible but still run dynamically`, { severity: 'low' });
      else if (source && hiddenInDataFile(model, source)) report(call.node, `${fn}() runs code read from a data file (${hiddenInDataFile(model, source)}): a payload hidden outside the Python source`, { severity: 'high' });
      else if (looksObfuscated(model)) report(call.node, `${fn}() runs code computed at run time, in a file laid out to hide code (off-screen code or lines thousands of characters long)`, { severity: 'high' });
      else report(call.node, `${fn}() runs code computed at run time`);
    }
  },
};

/** The data file (an image, a .dat, a .bin …) whose content an expression reads, if it reads one. */
function hiddenInDataFile(model: ModuleModel, node: Node, depth = 0): string | undefined {
  if (depth > 6) return undefined;
  if (node.type === 'call') {
    const fn = node.childForFieldName('function');
    const name = fn ? (model.qualify(fn) ?? '') : '';
    if (FILE_READS.test(name)) {
      const args = argumentNodes(node);
      const path = args[name.startsWith('pkgutil') ? 1 : 0];
      const text = path ? model.fold(path)?.value : undefined;
      return text && /\.\w{1,5}$/.test(text) && !CODE_FILE.test(text) ? text : undefined;
    }
    // open(p).read(), zlib.decompress(open(p).read()), data[2048:]: look inside
    for (const inner of [fn?.type === 'attribute' ? fn.childForFieldName('object') : undefined, ...argumentNodes(node)]) {
      const found = inner ? hiddenInDataFile(model, inner, depth + 1) : undefined;
      if (found) return found;
    }
    return undefined;
  }
  if (node.type === 'subscript') {
    const value = node.childForFieldName('value');
    return value ? hiddenInDataFile(model, value, depth + 1) : undefined;
  }
  if (node.type === 'identifier') {
    const values = model.assignedValues(node.text, node).filter((value) => value.id !== node.id);
    for (const value of values.slice(0, 4)) {
      const found = hiddenInDataFile(model, value, depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}
