import type { Node } from 'web-tree-sitter';
import type { ModuleModel } from '../engine/module-model.js';
import { callRule, constantArg, isTruthyConstant } from './rule.js';

const DESTROYERS = /^(shutil\.rmtree|os\.(remove|unlink|rmdir|removedirs)|pathlib\.Path\(\)\.(unlink|rmdir)|subprocess\.\w+|os\.system)$/;
/** File deletions: one file each, destructive when they run over a whole tree. */
const DELETERS = /^(shutil\.rmtree|os\.(remove|unlink)|pathlib\.Path\(\)\.unlink|\*\.unlink)$/;
/** Writes that replace a file's content (open() only in a writing mode): over every file of a tree, that is ransomware. */
const OVERWRITERS = /^(pathlib\.Path\(\)\.(write_bytes|write_text)|\*\.(write_bytes|write_text)|builtins\.open|io\.open)$/;
/** Starting a copy of the process: in a loop that does nothing else, a fork bomb. */
const FORKS = /^(os\.(fork|forkpty)|pty\.fork)$/;
/** Calls that list a tree (their first argument, or the object for Path methods, is the top). */
const WALKS = /^(os\.(walk|listdir|scandir)|glob\.i?glob|pathlib\.Path(\.home)?\(\)\.(r?glob|iterdir|walk))$/;
const PRECIOUS = /^(\/|~|~\/|\$HOME|\/home\/?|\/root\/?|\/etc\/?|\/usr\/?|\/var\/?|\/boot\/?|C:\\\\?|\/Users\/?)$/i;
const SHELL_WIPE = /\brm\s+-[a-z]*r[a-z]*f?\s+(--no-preserve-root\s+)?(\/|~|\$HOME|\/\*|~\/\*)(\s|$)|\bmkfs\.|\bdd\s+if=\/dev\/(zero|urandom)\s+of=\/dev\/|:\(\)\s*\{\s*:\|:&\s*\};:|\bshred\b.*\/dev\//;

export const destructiveFileOps = callRule(
  {
    id: 'destructive-file-ops',
    title: 'Deletes or wipes the home directory, the root file system or a disk',
    severity: 'critical',
    confidence: 'high',
    category: 'destructive',
    cwe: 'CWE-732',
    explanation: 'The program removes a whole home directory or system tree (shutil.rmtree of ~ or /, rm -rf /), deletes file by file everything a walk or glob of one finds (how wipers and ransomware work), formats or overwrites a disk, or starts a fork bomb. No legitimate script does this.',
    advice: 'Do not run it. If you already did outside a sandbox, restore from your backup.',
  },
  (name) => DESTROYERS.test(name) || name === '*.unlink' || OVERWRITERS.test(name) || FORKS.test(name),
  (call, context) => {
    const model = context.model;
    const name = call.name ?? `*.${call.method}`; // p.unlink() on a path saferun cannot name
    if (FORKS.test(name)) return inForkBombLoop(model, call.node) ? `${name}() in an endless loop that does nothing else: a fork bomb` : undefined;
    if (OVERWRITERS.test(name)) {
      if (name.endsWith('open') && !/[wa+x]/.test(constantArg(context, call, 1, 'mode') ?? 'r')) return undefined;
      // for p in Path.home().rglob("*"): p.write_bytes(encrypt(p.read_bytes())) — each file of home rewritten in place
      const written = name.endsWith('open') ? call.args[0] : call.node.childForFieldName('function')?.childForFieldName('object');
      const head = written ? pathHead(model, written) : undefined;
      const walk = head ? walkOverPreciousTree(model, head, call.node) : undefined;
      return walk ? { message: `${name}() over every file a walk of ${JSON.stringify(walk)} finds: rewrites the home directory or system tree in place (how ransomware encrypts)`, severity: 'high' } : undefined;
    }
    // for f in glob("~/**/*"): os.remove(f) — every file under home, one by one (wipers, ransomware)
    const target = name.endsWith('.unlink') && !name.startsWith('os.') ? call.node.childForFieldName('function')?.childForFieldName('object') : call.args[0];
    const walk = target && DELETERS.test(name) ? walkOverPreciousTree(model, target, call.node) : undefined;
    if (walk) return { message: `${call.name ?? call.node.childForFieldName('function')?.text ?? name}() of every file a walk of ${JSON.stringify(walk)} finds: deletes the home directory or system tree file by file`, severity: 'high' };
    const first = call.args[0];
    if (!first || !call.name) return undefined;
    const folded = model.fold(first)?.value;
    if (call.name!.startsWith('subprocess.') || call.name === 'os.system') {
      const text = folded ?? (first.type === 'list' ? first.namedChildren.map((n) => (n ? (model.fold(n)?.value ?? '') : '')).join(' ') : undefined);
      return text && SHELL_WIPE.test(text) ? `${call.name}() runs ${JSON.stringify(text.slice(0, 60))}` : undefined;
    }
    if (isPreciousTree(model, first)) return `${call.name}() of ${JSON.stringify((folded ?? first.text).slice(0, 40))}: a whole home or system tree`;
    return undefined;
  },
);

/**
 * The name a path is built on when it is that same file: p, os.path.join(top, name),
 * p.with_suffix(…), str(p), Path(p). A path only named after it (os.path.join(backup, name)) has none.
 */
function pathHead(model: ModuleModel, node: Node, depth = 0): Node | undefined {
  if (depth > 6) return undefined;
  if (node.type === 'identifier') return node;
  if (node.type === 'parenthesized_expression' && node.namedChildren[0]) return pathHead(model, node.namedChildren[0], depth + 1);
  if (node.type !== 'call') return undefined;
  const fn = node.childForFieldName('function');
  const first = node.childForFieldName('arguments')?.namedChildren[0];
  const name = fn ? model.qualify(fn) : undefined;
  if (name === 'os.path.join' || name === 'str' || name === 'os.fspath' || name === 'pathlib.Path' || name === 'os.path.abspath') return first ? pathHead(model, first, depth + 1) : undefined;
  // a method of the path itself: p.with_suffix(".x"), p.resolve()
  const object = fn?.type === 'attribute' ? fn.childForFieldName('object') : undefined;
  return object ? pathHead(model, object, depth + 1) : undefined;
}

/** An endless loop (while True) whose body calls nothing but forks and prints. */
function inForkBombLoop(model: ModuleModel, call: Node): boolean {
  let loop = call.parent;
  while (loop && loop.type !== 'while_statement' && loop.type !== 'function_definition') loop = loop.parent;
  if (!loop || loop.type !== 'while_statement') return false;
  const condition = loop.childForFieldName('condition');
  if (!isTruthyConstant(condition ?? undefined)) return false;
  const body = loop.childForFieldName('body');
  if (!body || body.descendantsOfType(['break_statement', 'return_statement']).length > 0) return false;
  return body.descendantsOfType('call').every((inner) => {
    const fn = inner?.childForFieldName('function');
    const name = fn ? model.qualify(fn) : undefined;
    return !!name && (FORKS.test(name) || name === 'print' || name === 'builtins.print');
  });
}

/** Whether a path expression is a home directory or a system tree (~, /, $HOME, Path.home()). */
function isPreciousTree(model: ModuleModel, node: Node): boolean {
  const folded = model.fold(node)?.value;
  if (folded !== undefined) return PRECIOUS.test(folded.trim());
  const qualified = model.qualify(node) ?? '';
  if (qualified === 'pathlib.Path.home()') return true;
  if (qualified === 'os.path.expanduser()') {
    // expanduser("~") is home; expanduser("~/.cache/app") is not
    const argument = node.childForFieldName('arguments')?.namedChildren[0];
    const text = argument ? model.fold(argument)?.value : undefined;
    return text === undefined || PRECIOUS.test(text.trim());
  }
  return /(environ|getenv)/.test(node.text) && /["'](HOME|USERPROFILE)["']/.test(node.text);
}

/** Trailing path parts that are patterns: "/**", "/*", "/**\/*.*", "/*.docx". */
const GLOB_TAIL = /([\\/]+[^\\/]*\*[^\\/]*)+[\\/]*$/;

/** A glob pattern's top directory: "~/**\/*" → "~", os.path.join(home, "**", "*") → home, home + "/**\/*.*" → home. */
function treeTop(model: ModuleModel, node: Node): Node | string {
  const folded = model.fold(node)?.value;
  if (folded !== undefined) return folded.replace(GLOB_TAIL, '') || '/';
  if (node.type === 'binary_operator' && node.childForFieldName('operator')?.text === '+') {
    const left = node.childForFieldName('left');
    const right = node.childForFieldName('right');
    const tail = right ? model.fold(right)?.value : undefined;
    if (left && tail !== undefined && tail.replace(GLOB_TAIL, '') === '') return treeTop(model, left);
  }
  if (node.type === 'call' && model.qualify(node.childForFieldName('function')!) === 'os.path.join') {
    const [top, ...rest] = (node.childForFieldName('arguments')?.namedChildren ?? []).filter((a): a is Node => a !== null);
    if (top && rest.every((part) => /^\*\*?$/.test(model.fold(part)?.value ?? ''))) return top;
  }
  return node;
}

/**
 * The home or system tree a path's names were listed from, following assignments and loop
 * variables back to a walk (os.walk, glob, rglob, listdir) of it; undefined when there is none.
 */
function walkOverPreciousTree(model: ModuleModel, path: Node, at: Node, depth = 0): string | undefined {
  if (depth > 4) return undefined;
  // the loop must be around the deletion: names are reused from loop to loop
  const encloses = (iterable: Node): boolean => {
    let loop = iterable.parent;
    if (loop?.type === 'for_in_clause') loop = loop.parent;
    return !!loop && loop.startIndex <= at.startIndex && loop.endIndex >= at.endIndex;
  };
  const identifiers = path.type === 'identifier' ? [path] : path.descendantsOfType('identifier').filter((n): n is Node => n !== null);
  for (const identifier of identifiers.slice(0, 8)) {
    for (const iterable of model.iteratedValues(identifier.text, identifier)) {
      if (!encloses(iterable)) continue;
      if (iterable.type === 'call') {
        const fn = iterable.childForFieldName('function');
        const name = fn ? model.qualify(fn) : undefined;
        if (!name || !WALKS.test(name)) continue;
        const topArg = name.startsWith('pathlib.') ? fn!.childForFieldName('object') : (iterable.childForFieldName('arguments')?.namedChildren.find((a) => a?.type !== 'keyword_argument') ?? undefined);
        if (!topArg) continue;
        if (name.startsWith('pathlib.Path.home')) return '~';
        const top = treeTop(model, topArg);
        if (typeof top === 'string' ? PRECIOUS.test(top.trim()) : isPreciousTree(model, top)) return typeof top === 'string' ? top : top.text.slice(0, 40);
        // def wipe(p): for … in os.walk(p) … — and wipe(os.environ["HOME"]) elsewhere in the module
        if (typeof top !== 'string' && top.type === 'identifier') {
          const passed = argumentsFor(model, top).find((argument) => isPreciousTree(model, argument));
          if (passed) return passed.text.slice(0, 40);
        }
      } else {
        const found = walkOverPreciousTree(model, iterable, at, depth + 1);
        if (found) return found;
      }
    }
    for (const value of model.assignedValues(identifier.text, identifier)) {
      if (value.id === identifier.id) continue;
      const found = walkOverPreciousTree(model, value, at, depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}

/** The arguments the module's own calls pass for a function parameter (positionally or by name). */
function argumentsFor(model: ModuleModel, parameter: Node): Node[] {
  let def = parameter.parent;
  while (def && def.type !== 'function_definition') def = def.parent;
  if (!def) return [];
  const names = (def.childForFieldName('parameters')?.namedChildren ?? []).map((p) => (p?.type === 'identifier' ? p.text : (p?.childForFieldName('name')?.text ?? p?.namedChildren[0]?.text ?? '')));
  const index = names.indexOf(parameter.text);
  const fname = def.childForFieldName('name')?.text;
  if (index < 0 || !fname) return [];
  const out: Node[] = [];
  for (const call of model.calls) {
    const fn = call.node.childForFieldName('function');
    if (fn?.type !== 'identifier' || fn.text !== fname) continue;
    const byName = call.keywords.get(parameter.text);
    const positional = call.args[names[0] === 'self' ? index - 1 : index];
    const argument = byName ?? positional;
    if (argument) out.push(argument);
  }
  return out;
}
