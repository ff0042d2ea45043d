/** Paths and strings as far as they are known before the program runs. */
import type { Node } from 'web-tree-sitter';
import type { ModuleModel } from './module-model.js';
import { unescapePython } from './python-literals.js';

/** The constant parts of a path built at run time: home + "/.ssh/id_rsa" → "~/.ssh/id_rsa". */
export function partialPath(model: ModuleModel, node: Node, depth = 0): string | undefined {
  const folded = model.fold(node);
  if (folded) return folded.value;
  if (depth > 8) return undefined;
  if (node.type === 'parenthesized_expression') return node.namedChildren[0] ? partialPath(model, node.namedChildren[0], depth + 1) : undefined;
  const operator = node.type === 'binary_operator' ? node.childForFieldName('operator')?.text : undefined;
  if (operator === '+' || operator === '/') {
    // home + "/.ssh/id_rsa"; Path.home() / ".ssh" / "authorized_keys" (pathlib joins with /)
    const parts = [node.childForFieldName('left'), node.childForFieldName('right')].map((part) => (part ? (partialPath(model, part, depth + 1) ?? '~') : '~'));
    if (operator === '/' && parts.some((part) => /^\d+(\.\d+)?$/.test(part))) return undefined; // a division of numbers
    return parts.join(operator === '/' ? '/' : '');
  }
  if (node.type === 'list' || node.type === 'tuple') {
    // paths = [home + "/.electrum/wallets", …]: each element on a line of its own
    const known = node.namedChildren.slice(0, 16).map((item) => (item ? partialPath(model, item, depth + 1) : undefined)).filter((p): p is string => p !== undefined);
    return known.length > 0 ? known.join('\n') : undefined;
  }
  if (node.type === 'identifier') {
    // path = base + "/Login Data"; open(path): one assignment (or a few alternatives) is followed;
    // for p in paths: open(p) — the loop's iterable is, when the name is never assigned
    const assigned = model.assignedValues(node.text, node).filter((value) => value.id !== node.id);
    const values = assigned.length > 0 ? assigned : model.iteratedValues(node.text, node);
    const known = values.length <= 4 ? values.map((value) => partialPath(model, value, depth + 1)).filter((p): p is string => p !== undefined) : [];
    return known.length > 0 ? known.join('\n') : undefined;
  }
  if (node.type === 'string' && node.children.some((child) => child?.type === 'interpolation')) {
    // f"{base}/Local State"
    return interpolatedText(node, (expr) => (expr ? (partialPath(model, expr, depth + 1) ?? '~') : '~'));
  }
  if (node.type === 'call') {
    const name = model.qualify(node.childForFieldName('function')!);
    const args = node.childForFieldName('arguments')?.namedChildren ?? [];
    if (name === 'os.path.join' || name === 'pathlib.Path') return args.map((a) => (a ? (partialPath(model, a, depth + 1) ?? '~') : '~')).join('/');
    if (name === 'os.path.expanduser' && args[0]) return partialPath(model, args[0], depth + 1);
    // glob.glob(expanduser("~/.config/**/*.json")): the files found are under the pattern's path
    if ((name === 'glob.glob' || name === 'glob.iglob') && args[0]) return partialPath(model, args[0], depth + 1);
    // Path("~/.gitconfig").expanduser(), (home / ".netrc").resolve(): the same path
    const fn = node.childForFieldName('function');
    const method = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : undefined;
    const object = fn?.type === 'attribute' ? fn.childForFieldName('object') : undefined;
    if (object && method && /^(expanduser|resolve|absolute)$/.test(method)) return partialPath(model, object, depth + 1);
    if (object && method === 'joinpath') return [object, ...args].map((a) => (a ? (partialPath(model, a, depth + 1) ?? '~') : '~')).join('/');
  }
  return undefined;
}

/**
 * A string literal's text with each interpolation replaced by what `part` makes of its expression
 * (f"{home}/.ssh" → part(home) + "/.ssh"); escapes are undone unless the literal is raw.
 */
export function interpolatedText(node: Node, part: (expression: Node | undefined) => string): string {
  const raw = /r/i.test((node.children[0]?.text ?? '').replace(/['"]+$/, ''));
  let text = '';
  for (const child of node.children) {
    if (!child) continue;
    if (child.type === 'string_content' || child.type === 'escape_sequence') text += raw ? child.text : unescapePython(child.text);
    else if (child.type === 'interpolation') text += part(child.namedChildren[0] ?? undefined);
  }
  return text;
}

