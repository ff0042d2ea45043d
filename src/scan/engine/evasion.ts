/**
 * How a call reached its callee, when that took a trick: a non-ASCII name that normalises to a
 * different ASCII one (ｅｖａｌ is eval), a reflective lookup (getattr, vars(), __dict__,
 * sys.modules, globals(), builtins) by a name built from split, reversed or encoded constants, or
 * a module whose name was assembled from parts (also through a helper's parameters). A plain
 * literal name, a variable name and a name that is itself are not tricks.
 */
import type { Node } from 'web-tree-sitter';
import { argumentNodes } from './call-site.js';
import { helperImport, isPlainLiteral } from './helper-imports.js';
import type { ModuleModel } from './module-model.js';
import { normaliseIdentifier } from './names.js';

const IMPORTERS = /^(builtins\.__import__|importlib\.import_module|importlib\.__import__)$/;
const REFLECTIVE_BASES = /^(sys\.modules|builtins|saferun:namespace)$|\.__dict__$/;

/** The trick the callee expression of a call needed, in words; undefined when it needed none. */
export function evasionIn(model: ModuleModel, callee: Node, depth = 0): string | undefined {
  if (depth > 8) return undefined;
  switch (callee.type) {
    case 'identifier': {
      const renamed = disguisedName(callee.text);
      if (renamed) return renamed;
      for (const value of model.assignedValues(callee.text, callee)) {
        if (value.id === callee.id || value.startIndex <= callee.startIndex && value.endIndex >= callee.endIndex) continue;
        const trick = evasionIn(model, value, depth + 1);
        if (trick) return trick;
      }
      return undefined;
    }
    case 'attribute': {
      const attribute = callee.childForFieldName('attribute');
      const renamed = attribute ? disguisedName(attribute.text) : undefined;
      if (renamed) return renamed;
      const object = callee.childForFieldName('object');
      return object ? evasionIn(model, object, depth + 1) : undefined;
    }
    case 'parenthesized_expression':
      return callee.namedChildren[0] ? evasionIn(model, callee.namedChildren[0], depth + 1) : undefined;
    case 'subscript': {
      const value = callee.childForFieldName('value');
      const key = callee.childForFieldName('subscript');
      if (!value) return undefined;
      const base = model.qualify(value);
      if (base && key && REFLECTIVE_BASES.test(base) && isBuiltName(model, key)) return `looked up in ${describeBase(base)} by a name built at run time (${JSON.stringify(model.fold(key)?.value)})`;
      return evasionIn(model, value, depth + 1);
    }
    case 'call': {
      const fn = callee.childForFieldName('function');
      if (!fn) return undefined;
      const name = model.qualify(fn);
      const args = argumentNodes(callee).filter((a) => a.type !== 'keyword_argument' && a.type !== 'comment');
      if (name && IMPORTERS.test(name) && args[0] && isBuiltName(model, args[0])) return `a module imported under a name assembled at run time (${JSON.stringify(model.fold(args[0])?.value)})`;
      if (name === 'builtins.getattr' && args[1] && isBuiltName(model, args[1])) return `getattr() with a name built at run time (${JSON.stringify(model.fold(args[1])?.value)})`;
      if (name === 'builtins.getattr' && args[0]) return evasionIn(model, args[0], depth + 1);
      if (name?.endsWith('.__dict__.get') && args[0] && isBuiltName(model, args[0])) return `looked up in a __dict__ by a name built at run time (${JSON.stringify(model.fold(args[0])?.value)})`;
      if (name === 'builtins.eval' && args[0] && isBuiltName(model, args[0])) return `eval() of a name built at run time (${JSON.stringify(model.fold(args[0])?.value)})`;
      if (!name) {
        const helper = helperImport(model, fn, callee);
        if (helper?.assembled) return `a module imported by ${fn.text}() under a name assembled from its arguments (${JSON.stringify(helper.module)})`;
        if (helper) return undefined;
      }
      return evasionIn(model, fn, depth + 1);
    }
    default:
      return undefined;
  }
}

/** A non-ASCII identifier that NFKC-normalises to a different name ("ｅｖａｌ" → "eval"). */
function disguisedName(text: string): string | undefined {
  const normal = normaliseIdentifier(text);
  return normal !== text && /^[\x00-\x7f]+$/.test(normal) ? `the name ${JSON.stringify(text)} normalises to ${JSON.stringify(normal)}` : undefined;
}

/** A name that is a constant, but not written whole: joined, concatenated, reversed, decoded, escaped. */
function isBuiltName(model: ModuleModel, node: Node, depth = 0): boolean {
  const folded = model.fold(node);
  if (!folded || !/^[A-Za-z_][\w.]*$/.test(folded.value)) return false;
  if (folded.decoded) return true;
  if (node.type === 'identifier' && depth < 4) {
    const values = model.assignedValues(node.text, node);
    return values.length === 1 && isBuiltName(model, values[0]!, depth + 1);
  }
  return !isPlainLiteral(node);
}

function describeBase(base: string): string {
  if (base === 'saferun:namespace') return 'globals()';
  return base;
}
