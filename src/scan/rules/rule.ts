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

/** Calls whose resolved name satisfies the test. */
export function callsTo(model: ModuleModel, test: (name: string) => boolean): CallSite[] {
  return model.calls.filter((call) => call.name !== undefined && test(call.name));
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
