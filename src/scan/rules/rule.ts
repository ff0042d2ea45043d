/** What a rule is: metadata people read (docs, SARIF) and a check over one module. */
import type { Node } from 'web-tree-sitter';
import type { ModuleModel, CallSite } from '../engine/module-model.js';
import type { Confidence, Severity } from '../types.js';

export interface RuleMeta {
  id: string;
  title: string;
  /** The usual severity; a check may report higher or lower with a reason. */
  severity: Severity;
  confidence: Confidence;
  category: string;
  cwe: string;
  explanation: string;
  advice: string;
}

export interface RuleContext {
  file: string;
  /** setup.py runs at install time: some behaviour is worse there. */
  isSetupScript: boolean;
  model: ModuleModel;
  report(node: Node, message: string, override?: { severity?: Severity; confidence?: Confidence }): void;
}

export interface Rule {
  meta: RuleMeta;
  check(context: RuleContext): void;
}

/**
 * Calls whose resolved name satisfies the test. A method called on an object saferun cannot
 * resolve (cursor.execute) is offered as '*.execute'.
 */
export function callsTo(model: ModuleModel, test: (name: string) => boolean): CallSite[] {
  return model.calls.filter((call) => {
    const name = call.name ?? (call.method ? `*.${call.method}` : undefined);
    return name !== undefined && test(name);
  });
}

/** Whether an argument is a constant the folder can compute (a literal in disguise counts). */
export function isConstant(model: ModuleModel, node: Node | undefined): boolean {
  if (!node) return true;
  if (model.fold(node)) return true;
  if (node.type === 'list' || node.type === 'tuple') return node.namedChildren.every((child) => !child || isConstant(model, child));
  return false;
}

export function isTruthyConstant(node: Node | undefined): boolean {
  if (!node) return false;
  return node.type === 'true' || (node.type === 'integer' && node.text !== '0');
}

export type CallVerdict = string | { message: string; severity?: Severity; confidence?: Confidence } | undefined;

/** A rule that looks at calls by resolved name: most rules are this. */
export function callRule(meta: RuleMeta, matches: (name: string) => boolean, judge: (call: CallSite, context: RuleContext) => CallVerdict): Rule {
  return {
    meta,
    check(context) {
      for (const call of callsTo(context.model, matches)) {
        const verdict = judge(call, context);
        if (verdict === undefined) continue;
        if (typeof verdict === 'string') context.report(call.node, verdict);
        else context.report(call.node, verdict.message, verdict);
      }
    },
  };
}

/** The folded text of an argument (positional index or keyword), if it is a constant. */
export function constantArg(context: RuleContext, call: CallSite, index: number, keyword?: string): string | undefined {
  const node = (keyword ? call.keywords.get(keyword) : undefined) ?? call.args[index];
  return node ? context.model.fold(node)?.value : undefined;
}

/** The constant parts of a path built at run time: home + "/.ssh/id_rsa" → "~/.ssh/id_rsa". */
export function partialPath(model: ModuleModel, node: Node, depth = 0): string | undefined {
  const folded = model.fold(node);
  if (folded) return folded.value;
  if (depth > 8) return undefined;
  if (node.type === 'binary_operator' && node.childForFieldName('operator')?.text === '+') {
    const parts = [node.childForFieldName('left'), node.childForFieldName('right')].map((part) => (part ? (partialPath(model, part, depth + 1) ?? '~') : '~'));
    return parts.join('');
  }
  if (node.type === 'call') {
    const name = model.qualify(node.childForFieldName('function')!);
    const args = node.childForFieldName('arguments')?.namedChildren ?? [];
    if (name === 'os.path.join' || name === 'pathlib.Path') return args.map((a) => (a ? (partialPath(model, a, depth + 1) ?? '~') : '~')).join('/');
    if (name === 'os.path.expanduser' && args[0]) return partialPath(model, args[0], depth + 1);
  }
  return undefined;
}

const FILE_ACCESS = /^(builtins\.open|io\.open|codecs\.open|os\.open|os\.path\.(expanduser|join|exists|isfile)|pathlib\.Path(\(\)\.(home|joinpath|expanduser))?|pathlib\.Path\.home\(\)\.joinpath|shutil\.(copy|copy2|copyfile|copytree|make_archive)|glob\.glob|os\.listdir|os\.walk|zipfile\.ZipFile\(\)\.write|tarfile\.open\(\)\.add)$/;


/**
 * Tests a string literal against a pattern: its raw text first (cheap), and the folded value only
 * when the literal has escapes that folding would undo.
 */
export function matchStringLiteral(model: ModuleModel, node: Node, pattern: RegExp): RegExpExecArray | null {
  const text = node.text;
  return pattern.exec(text) ?? (text.includes('\\') ? pattern.exec(model.fold(node)?.value ?? '') : null);
}
