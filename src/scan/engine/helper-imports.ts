/**
 * Modules imported by a helper the module defines, under a name made from the helper's arguments:
 * `def load(*p): return __import__("".join(p))` then `load("r", "e", "q", …)` is requests. The
 * helper's parameters are bound to the call's constant arguments and the imported name is
 * evaluated under that binding; `assembled` says whether the name was put together (joined,
 * concatenated, reversed, decoded) rather than passed whole, which is what makes it a trick.
 */
import type { Node } from 'web-tree-sitter';
import { argumentNodes } from './call-site.js';
import type { ModuleModel } from './module-model.js';

export interface HelperImport {
  module: string;
  assembled: boolean;
}

const IMPORTERS = new Set(['builtins.__import__', 'importlib.import_module', 'importlib.__import__']);

type Value = { text: string; assembled: boolean } | { items: string[] };
type Env = Map<string, Value>;

/** The module a call to a module-defined helper returns, when the helper returns an import. */
export function helperImport(model: ModuleModel, fn: Node, call: Node): HelperImport | undefined {
  if (fn.type !== 'identifier') return undefined;
  const defs = model.functionsNamed(fn.text);
  if (defs.length !== 1) return undefined;
  const def = defs[0]!;
  const env = bindParameters(model, def, call);
  if (!env) return undefined;
  for (const statement of def.descendantsOfType('return_statement')) {
    let value = statement?.namedChildren[0];
    // m = __import__(name); return m
    if (value?.type === 'identifier' && !env.has(value.text)) {
      const assigned = model.assignedValues(value.text, value);
      value = assigned.length === 1 ? assigned[0] : undefined;
    }
    if (value?.type !== 'call') continue;
    const callee = value.childForFieldName('function');
    if (!callee || !IMPORTERS.has(model.qualify(callee) ?? '')) continue;
    const first = argumentNodes(value).find((a) => a.type !== 'keyword_argument' && a.type !== 'comment');
    const name = first ? evaluate(model, first, env, 0) : undefined;
    if (name && 'text' in name && /^[A-Za-z_][\w.]*$/.test(name.text)) return { module: name.text, assembled: name.assembled };
  }
  return undefined;
}

/** Parameter name → the constant the call passes for it (a list of constants for *args). */
function bindParameters(model: ModuleModel, def: Node, call: Node): Env | undefined {
  const parameters = def.childForFieldName('parameters')?.namedChildren ?? [];
  const args = argumentNodes(call).filter((a) => a.type !== 'comment');
  const positional = args.filter((a) => a.type !== 'keyword_argument' && a.type !== 'list_splat' && a.type !== 'dictionary_splat');
  const keywords = new Map(args.filter((a) => a.type === 'keyword_argument').map((a) => [a.childForFieldName('name')?.text ?? '', a.childForFieldName('value')!]));
  const env: Env = new Map();
  let index = 0;
  for (const parameter of parameters) {
    if (!parameter) continue;
    if (parameter.type === 'list_splat_pattern') {
      const name = parameter.namedChildren[0]?.text;
      const rest = positional.slice(index).map((a) => model.fold(a)?.value);
      if (name && rest.every((v) => v !== undefined)) env.set(name, { items: rest as string[] });
      index = positional.length;
      continue;
    }
    const name = parameter.type === 'identifier' ? parameter.text : (parameter.childForFieldName('name')?.text ?? parameter.namedChildren[0]?.text);
    if (!name || parameter.type === 'dictionary_splat_pattern' || parameter.type === 'keyword_separator') continue;
    const argument = keywords.get(name) ?? positional[index++] ?? parameter.childForFieldName('value');
    const folded = argument ? model.fold(argument) : undefined;
    if (folded) env.set(name, { text: folded.value, assembled: folded.decoded });
  }
  return env;
}

/** The text of an expression with the parameters bound; undefined when any part is unknown. */
function evaluate(model: ModuleModel, node: Node, env: Env, depth: number): Value | undefined {
  if (depth > 12) return undefined;
  switch (node.type) {
    case 'identifier': {
      const bound = env.get(node.text);
      if (bound) return bound;
      break;
    }
    case 'parenthesized_expression':
      return node.namedChildren[0] ? evaluate(model, node.namedChildren[0], env, depth + 1) : undefined;
    case 'binary_operator': {
      if (node.childForFieldName('operator')?.text !== '+') break;
      const left = node.childForFieldName('left');
      const right = node.childForFieldName('right');
      const a = left ? evaluate(model, left, env, depth + 1) : undefined;
      const b = right ? evaluate(model, right, env, depth + 1) : undefined;
      if (a && b && 'text' in a && 'text' in b) return { text: a.text + b.text, assembled: true };
      return undefined;
    }
    case 'list':
    case 'tuple': {
      const items = node.namedChildren.map((child) => (child ? evaluate(model, child, env, depth + 1) : undefined));
      return items.every((item) => item && 'text' in item) ? { items: items.map((item) => (item as { text: string }).text) } : undefined;
    }
    case 'subscript': {
      // name[::-1]
      const value = node.childForFieldName('value');
      const slice = node.childForFieldName('subscript');
      if (!value || slice?.type !== 'slice' || slice.text.replace(/\s+/g, '') !== '::-1') break;
      const inner = evaluate(model, value, env, depth + 1);
      if (inner && 'text' in inner) return { text: [...inner.text].reverse().join(''), assembled: true };
      if (inner) return { items: [...inner.items].reverse() };
      return undefined;
    }
    case 'call': {
      const fn = node.childForFieldName('function');
      const [first] = argumentNodes(node);
      if (fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'join' && first) {
        const separator = fn.childForFieldName('object');
        const sep = separator ? model.fold(separator)?.value : undefined;
        const items = evaluate(model, first, env, depth + 1);
        if (sep !== undefined && items && 'items' in items) return { text: items.items.join(sep), assembled: items.items.length > 1 };
        if (sep !== undefined && items && 'text' in items) return { text: [...items.text].join(sep), assembled: true };
        return undefined;
      }
      if (fn?.type === 'identifier' && (fn.text === 'reversed' || fn.text === 'list') && first) {
        const inner = evaluate(model, first, env, depth + 1);
        if (inner && 'text' in inner) return { items: fn.text === 'reversed' ? [...inner.text].reverse() : [...inner.text] };
        if (inner) return { items: fn.text === 'reversed' ? [...inner.items].reverse() : inner.items };
        return undefined;
      }
      break;
    }
    case 'string': {
      if (!node.children.some((child) => child?.type === 'interpolation')) break;
      let text = '';
      for (const child of node.children) {
        if (!child) continue;
        if (child.type === 'string_content') text += child.text;
        else if (child.type === 'interpolation') {
          const inner = child.namedChildren[0] ? evaluate(model, child.namedChildren[0], env, depth + 1) : undefined;
          if (!inner || !('text' in inner)) return undefined;
          text += inner.text;
        }
      }
      return { text, assembled: true };
    }
  }
  const folded = model.fold(node);
  return folded ? { text: folded.value, assembled: folded.decoded || !isPlainLiteral(node) } : undefined;
}

/** A string literal written whole, without escapes, concatenation or interpolation. */
export function isPlainLiteral(node: Node): boolean {
  return node.type === 'string' && !node.children.some((child) => child?.type === 'interpolation' || child?.type === 'escape_sequence');
}
