/**
 * What a module's own calls pass for a function's parameter: `send(collect())` for `def send(data)`,
 * also through the places that call a function later (threading.Thread(target=f, args=(x,)),
 * threading.Timer(5, f, args=[x]), atexit.register(f, x), pool.submit(f, x),
 * loop.run_in_executor(None, f, x)). Tags follow data from the caller into the function.
 */
import type { Node } from 'web-tree-sitter';
import { argumentNodes } from './call-site.js';
import type { ModuleModel } from './module-model.js';

interface Parameter {
  functionName: string;
  index: number;
  /** A method (first parameter self/cls): calls through an object pass one argument fewer. */
  method: boolean;
}

/** The parameter an identifier names inside the function that declares it, if it is one. */
function parameterOf(identifier: Node): Parameter | undefined {
  let scope = identifier.parent;
  for (let steps = 0; scope && scope.type !== 'function_definition' && steps < 200; steps++) scope = scope.parent;
  if (scope?.type !== 'function_definition') return undefined;
  const functionName = scope.childForFieldName('name')?.text;
  const parameters = (scope.childForFieldName('parameters')?.namedChildren ?? []).filter((p) => p !== null);
  const names = parameters.map((p) => (p.type === 'identifier' ? p.text : (p.childForFieldName('name')?.text ?? p.namedChildren.find((c) => c?.type === 'identifier')?.text)));
  const index = names.indexOf(identifier.text);
  if (!functionName || index < 0) return undefined;
  return { functionName, index, method: names[0] === 'self' || names[0] === 'cls' };
}

/** Per module: "function\0parameter" → what the calls pass (each parameter is looked up once). */
const memo = new WeakMap<ModuleModel, Map<string, Node[]>>();

/** The argument nodes the module's calls pass for the parameter `identifier` names (none when it is not one). */
export function argumentsForParameter(model: ModuleModel, identifier: Node): Node[] {
  const parameter = parameterOf(identifier);
  if (!parameter) return [];
  const known = memo.get(model) ?? new Map<string, Node[]>();
  memo.set(model, known);
  const key = `${parameter.functionName}\0${identifier.text}`;
  const cached = known.get(key);
  if (cached) return cached;
  const passed = passedFor(model, parameter, identifier.text);
  known.set(key, passed);
  return passed;
}

function passedFor(model: ModuleModel, parameter: Parameter, parameterName: string): Node[] {
  const { functionName, index, method } = parameter;
  const passed: Node[] = [];
  const names = (node: Node | undefined): boolean =>
    node !== undefined && ((node.type === 'identifier' && node.text === functionName) || (node.type === 'attribute' && node.childForFieldName('attribute')?.text === functionName));
  for (const call of model.calls) {
    const fn = call.node.childForFieldName('function');
    const args = argumentNodes(call.node).filter((a) => a.type !== 'comment');
    const positional = args.filter((a) => a.type !== 'keyword_argument');
    const keyword = (key: string): Node | undefined => args.find((a) => a.type === 'keyword_argument' && a.childForFieldName('name')?.text === key)?.childForFieldName('value') ?? undefined;
    if (fn && names(fn)) {
      // f(x) for def f(data); obj.f(x) and self.f(x) for def f(self, data)
      const shift = method && fn.type === 'attribute' ? 1 : 0;
      const given = keyword(parameterName) ?? positional[index - shift];
      if (given) passed.push(given);
      continue;
    }
    // Thread(target=f, args=(x,)), Timer(5, f, args=[x]), atexit.register(f, x), pool.submit(f, x)
    const target = keyword('target') ?? keyword('function');
    const at = positional.findIndex((a) => names(a));
    if (!names(target ?? undefined) && at < 0) continue;
    const packed = keyword('args');
    const rest = packed && (packed.type === 'tuple' || packed.type === 'list') ? packed.namedChildren.filter((n): n is Node => n !== null) : positional.slice(at + 1);
    const shift = method ? 1 : 0;
    const given = rest[index - shift];
    if (given) passed.push(given);
  }
  return passed;
}
