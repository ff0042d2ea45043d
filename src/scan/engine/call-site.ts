/** A call in the source, with what saferun resolved it to; its arguments are split on demand. */
import type { Node } from 'web-tree-sitter';
import { normaliseIdentifier } from './names.js';

export interface CallSite {
  node: Node;
  /** Resolved qualified name (e.g. 'os.system', 'builtins.exec'), or undefined when unknown. */
  name: string | undefined;
  /** The method name for calls on unknown objects (e.g. 'connect' in s.connect()). */
  method: string | undefined;
  args: Node[];
  keywords: Map<string, Node>;
}

/** A call site whose arguments are split only when a rule asks for them (most calls, no rule does). */
export class LazyCallSite implements CallSite {
  private split: { args: Node[]; keywords: Map<string, Node> } | undefined;

  constructor(
    readonly node: Node,
    readonly name: string | undefined,
    readonly method: string | undefined,
  ) {}

  get args(): Node[] {
    return this.arguments().args;
  }

  get keywords(): Map<string, Node> {
    return this.arguments().keywords;
  }

  private arguments(): { args: Node[]; keywords: Map<string, Node> } {
    if (this.split) return this.split;
    const split = { args: [] as Node[], keywords: new Map<string, Node>() };
    for (const arg of argumentNodes(this.node)) {
      if (arg.type === 'comment') continue;
      if (arg.type === 'keyword_argument') {
        const key = arg.childForFieldName('name');
        const value = arg.childForFieldName('value');
        if (key && value) split.keywords.set(normaliseIdentifier(key.text), value);
      } else split.args.push(arg);
    }
    this.split = split;
    return split;
  }
}

/** A call's arguments; `f(x for x in y)` has the generator itself as its argument list. */
export function argumentNodes(call: Node): Node[] {
  const list = call.childForFieldName('arguments');
  if (!list) return [];
  if (list.type === 'generator_expression') return [list];
  return list.namedChildren.filter((a): a is Node => a !== null);
}
