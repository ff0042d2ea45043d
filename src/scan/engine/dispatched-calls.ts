/**
 * Calls a program makes through a function that is handed the callee: functools.partial(os.system,
 * cmd)(), map(os.system, cmds), threading.Thread(target=exec, args=(code,)), atexit.register(f, x),
 * executor.submit(f, x), sched's enter(…, f, argument=…), operator.methodcaller("system", cmd)(os).
 * Each becomes a call site of the callee with the arguments it will get, placed at the handing-over
 * call, so every rule sees `os.system("curl … | sh")` however it is reached.
 */
import type { Node } from 'web-tree-sitter';
import { argumentNodes, type CallSite } from './call-site.js';
import type { ModuleModel } from './module-model.js';

/** Where the callee and its arguments are, by the name of the call that receives them. */
interface Dispatch {
  /** The callee: a positional index or a keyword. */
  target: number | string;
  /** Its arguments: the positional arguments after this index, or the items of a tuple keyword. */
  rest?: number;
  tupleKeyword?: string;
}

const DISPATCHERS = new Map<string, Dispatch>([
  ['functools.partial', { target: 0, rest: 1 }],
  ['atexit.register', { target: 0, rest: 1 }],
  ['asyncio.to_thread', { target: 0, rest: 1 }],
  ['*.submit', { target: 0, rest: 1 }],
  ['*.apply_async', { target: 0, tupleKeyword: 'args' }],
  ['*.run_in_executor', { target: 1, rest: 2 }],
  ['threading.Thread', { target: 'target', tupleKeyword: 'args' }],
  ['multiprocessing.Process', { target: 'target', tupleKeyword: 'args' }],
  ['threading.Timer', { target: 1, tupleKeyword: 'args' }],
  ['sched.scheduler().enter', { target: 2, tupleKeyword: 'argument' }],
  ['sched.scheduler().enterabs', { target: 2, tupleKeyword: 'argument' }],
]);

/** Calls this many items of a literal list handed to map() (each is one call). */
const MAX_MAPPED = 8;

export function dispatchedCalls(model: ModuleModel, calls: readonly CallSite[]): CallSite[] {
  const found: CallSite[] = [];
  for (const call of calls) {
    const name = call.name ?? (call.method ? `*.${call.method}` : undefined);
    if (!name) continue;
    if (name === 'builtins.map') found.push(...mapped(model, call));
    else if (name === 'operator.methodcaller') {
      const applied = methodCalled(model, call);
      if (applied) found.push(applied);
    } else {
      const dispatch = DISPATCHERS.get(name);
      if (!dispatch) continue;
      const target = typeof dispatch.target === 'number' ? (call.args[dispatch.target] ?? (dispatch.target === 1 ? call.keywords.get('function') : undefined)) : call.keywords.get(dispatch.target);
      const tuple = dispatch.tupleKeyword ? call.keywords.get(dispatch.tupleKeyword) : undefined;
      const args = dispatch.rest !== undefined ? call.args.slice(dispatch.rest) : items(tuple);
      const keywords = dispatch.rest !== undefined ? call.keywords : new Map<string, Node>();
      const site = target ? siteFor(model, call.node, target, args, keywords) : undefined;
      if (site) found.push(site);
    }
  }
  return found;
}

function siteFor(model: ModuleModel, at: Node, target: Node, args: Node[], keywords: Map<string, Node>): CallSite | undefined {
  if (target.type === 'lambda') return undefined; // its body's calls are in the module already
  const name = model.qualify(target);
  return name ? { node: at, name, method: undefined, args, keywords } : undefined;
}

/** map(f, [a, b]) calls f(a) and f(b); map(f, items) calls f with what saferun cannot list. */
function mapped(model: ModuleModel, call: CallSite): CallSite[] {
  const [target, iterable] = call.args;
  if (!target) return [];
  const listed = iterable && (iterable.type === 'list' || iterable.type === 'tuple') ? items(iterable).slice(0, MAX_MAPPED) : undefined;
  const sites = (listed ?? [undefined]).map((item) => siteFor(model, call.node, target, item ? [item] : [], new Map()));
  return sites.filter((site): site is CallSite => site !== undefined);
}

/** operator.methodcaller("system", cmd)(os) is os.system(cmd). */
function methodCalled(model: ModuleModel, call: CallSite): CallSite | undefined {
  const applied = call.node.parent;
  if (applied?.type !== 'call' || applied.childForFieldName('function')?.id !== call.node.id) return undefined;
  const method = call.args[0] ? model.fold(call.args[0])?.value : undefined;
  const object = argumentNodes(applied)[0];
  const base = object ? model.qualify(object) : undefined;
  if (!method || !base || !/^\w+$/.test(method)) return undefined;
  return { node: applied, name: `${base}.${method}`, method, args: call.args.slice(1), keywords: call.keywords };
}

function items(node: Node | undefined): Node[] {
  if (!node || (node.type !== 'tuple' && node.type !== 'list' && node.type !== 'parenthesized_expression')) return node ? [node] : [];
  return node.namedChildren.filter((child): child is Node => child !== null && child.type !== 'comment');
}
