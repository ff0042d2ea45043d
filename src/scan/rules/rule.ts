/** What a rule is: metadata people read (docs, SARIF) and a check over one module. */
import type { Node } from 'web-tree-sitter';
import type { CallSite } from '../engine/call-site.js';
import type { ModuleModel } from '../engine/module-model.js';
import { interpolatedText } from '../engine/path-text.js';

export { partialPath } from '../engine/path-text.js';
import type { Confidence, Severity } from '../../findings/finding.js';

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
  /** A finding; the override may name a more precise category than the rule's usual one. */
  report(node: Node, message: string, override?: { severity?: Severity; confidence?: Confidence; category?: string }): void;
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
  // each distinct name is tested once (a module calls far fewer names than it has calls)
  const matched: CallSite[] = [];
  let names = 0;
  for (const [name, calls] of model.callsByName) {
    if (!test(name)) continue;
    matched.push(...calls);
    names++;
  }
  return names > 1 ? matched.sort((a, b) => a.node.startIndex - b.node.startIndex) : matched;
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

const FILE_ACCESS = /^(builtins\.open|io\.open|codecs\.open|os\.open|os\.path\.(expanduser|join|exists|isfile)|pathlib\.Path(\(\)\.(home|joinpath|expanduser))?|pathlib\.Path\.home\(\)\.joinpath|shutil\.(copy|copy2|copyfile|copytree|make_archive)|glob\.glob|os\.listdir|os\.walk|zipfile\.ZipFile\(\)\.write|tarfile\.open\(\)\.add)$/;


/**
 * Tests a string literal against a pattern: its raw text first (cheap), and the folded value only
 * when the literal has escapes that folding would undo.
 */
export function matchStringLiteral(model: ModuleModel, node: Node, pattern: RegExp, text = node.text): RegExpExecArray | null {
  return pattern.exec(text) ?? (text.includes('\\') ? pattern.exec(model.fold(node)?.value ?? '') : null);
}

/** The nodes that make up the command of a process call: its positional arguments, else args=/cmd=. */
export function commandParts(call: CallSite): Node[] {
  if (call.args.length > 0) return call.args;
  const keyword = call.keywords.get('args') ?? call.keywords.get('cmd');
  return keyword ? [keyword] : [];
}

/** A process call's whole command line as far as it is known (see commandText). */
export function commandLine(model: ModuleModel, call: CallSite): string {
  return commandParts(call).map((part) => commandText(model, part)).join(' ');
}

/**
 * The text of a command as far as it is known: folded where constant, with "…" for the parts
 * computed at run time (f"curl {url} | sh" → "curl … | sh"); argv lists are joined by spaces.
 */
export function commandText(model: ModuleModel, node: Node | undefined, depth = 0): string {
  if (!node || depth > 8) return '…';
  const folded = model.fold(node);
  if (folded) return folded.value;
  switch (node.type) {
    case 'list':
    case 'tuple':
      return node.namedChildren.map((child) => (child ? commandText(model, child, depth + 1) : '…')).join(' ');
    case 'string':
      return interpolatedText(node, (expr) => (expr ? commandText(model, expr, depth + 1) : '…'));
    case 'concatenated_string':
      return node.namedChildren.map((child) => (child ? commandText(model, child, depth + 1) : '…')).join('');
    case 'binary_operator': {
      const left = node.childForFieldName('left');
      const right = node.childForFieldName('right');
      const operator = node.childForFieldName('operator')?.text;
      if (operator === '+') return commandText(model, left ?? undefined, depth + 1) + commandText(model, right ?? undefined, depth + 1);
      if (operator === '%') return commandText(model, left ?? undefined, depth + 1).replace(/%[-#0 +]*\d*(\.\d+)?[sdrxif]/g, '…');
      return '…';
    }
    case 'parenthesized_expression':
      return commandText(model, node.namedChildren[0] ?? undefined, depth + 1);
    case 'identifier': {
      const values = model.assignedValues(node.text, node);
      return values.length > 0 && values.length <= 4 ? values.map((value) => commandText(model, value, depth + 1)).join('\n') : '…';
    }
    case 'call': {
      const fn = node.childForFieldName('function');
      if (fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'format') return commandText(model, fn.childForFieldName('object') ?? undefined, depth + 1).replace(/\{[^{}]*\}/g, '…');
      if (fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'join') {
        const items = node.childForFieldName('arguments')?.namedChildren[0];
        return items ? commandText(model, items, depth + 1) : '…';
      }
      return '…';
    }
    default:
      return '…';
  }
}
