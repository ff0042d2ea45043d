/**
 * Analyses one Python source: decode (PEP 263), parse once (partial trees on syntax errors),
 * build the module model with one query, run every rule. Never throws on bad input.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { Node, Parser } from 'web-tree-sitter';
import { RULES } from '../rules/index.js';
import type { Rule, RuleContext } from '../rules/rule.js';
import type { Confidence, Finding, Severity } from '../../findings/finding.js';
import { decodePythonSource } from './decode.js';
import { findEmbeddedCode } from './embedded-code.js';
import { ModuleModel } from './module-model.js';
import { loadPythonParser, moduleModelQuery } from './parser.js';

export interface ParseProblem {
  line: number;
  column: number;
  message: string;
}

export interface SourceAnalysis {
  findings: Finding[];
  parseErrors: ParseProblem[];
  /** Set when the analysis stopped short (parser failed or stopped, time budget spent, a rule crashed): why, and what was not checked. */
  incomplete?: string;
}

export interface Analyzer {
  analyze(displayPath: string, source: Uint8Array): SourceAnalysis;
}

/**
 * The cache key of every result: a hash of the engine's and the rules' own compiled code, so any
 * change to a rule's logic or data (not only its id) invalidates cached results. Falls back to the
 * rule ids and severities if the code cannot be read (e.g. a bundled build).
 */
let version: string | undefined;

/** Computed on first use (only the scan cache needs it): reading the rule code costs every run otherwise. */
export function engineVersion(): string {
  version ??= computeEngineVersion();
  return version;
}

function computeEngineVersion(): string {
  const hash = createHash('sha256').update(`engine-2:${RULES.map((rule) => `${rule.meta.id}/${rule.meta.severity}/${rule.meta.confidence}`).join(',')}`);
  try {
    // the dependency check runs on setup.py files; its bundled data changes only with its code
    for (const dir of ['.', '../rules', '../../deps', '../../deps/manifests', '../../deps/data']) {
      const folder = fileURLToPath(new URL(`${dir}/`, import.meta.url));
      for (const file of readdirSync(folder).filter((name) => name.endsWith('.js')).sort()) hash.update(file).update(readFileSync(path.join(folder, file)));
    }
  } catch {
    // the ids and severities alone still key the cache
  }
  return hash.digest('hex').slice(0, 16);
}

const PARSE_BUDGET_MS = 5000;
/**
 * Parse + model + rules on one file. Rules run in RULES order (malware behaviour first); once the
 * budget is spent the rest are skipped and said so, rather than stalling the whole scan.
 */
const FILE_BUDGET_MS = 15000;

/** Checks the dependencies a setup.py declares (see src/deps/setup-script.ts). */
type SetupScriptCheck = (text: string, displayPath: string) => Finding[];

/**
 * `setupScripts: false` leaves out the dependency check of setup.py files, and with it the loading
 * of the dependency code and data (a run of a script that is not a setup.py has no use for them).
 */
export async function createAnalyzer(options: { rules?: readonly Rule[]; setupScripts?: boolean; fileBudgetMs?: number } = {}): Promise<Analyzer> {
  const [parser, setupCheck] = await Promise.all([
    loadPythonParser(),
    options.setupScripts === false ? undefined : import('../../deps/setup-script.js').then((m) => m.setupScriptFindings),
  ]);
  const rules = options.rules ?? RULES;
  const fileBudgetMs = options.fileBudgetMs ?? FILE_BUDGET_MS;
  return { analyze: (displayPath, source) => analyzeSource(parser, rules, displayPath, source, 0, setupCheck, fileBudgetMs) };
}

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

/** Code embedded as text inside code inside code… is followed this deep. */
const MAX_EMBEDDING_DEPTH = 2;

function analyzeSource(parser: Parser, rules: readonly Rule[], displayPath: string, source: Uint8Array, depth = 0, setupCheck?: SetupScriptCheck, fileBudgetMs = FILE_BUDGET_MS): SourceAnalysis {
  const parseErrors: ParseProblem[] = [];
  const decoded = decodePythonSource(source);
  if (decoded.problem) parseErrors.push({ line: 1, column: 1, message: decoded.problem });
  const started = performance.now();
  // The rules' budget counts CPU time, not wall time: on a crowded machine a small file must not
  // run out of it while waiting for a core (that would leave it partly checked, a high finding in a run).
  const cpuStarted = process.cpuUsage();
  let tree;
  try {
    tree = parser.parse(decoded.text, null, { progressCallback: () => performance.now() - started > PARSE_BUDGET_MS });
  } catch (error) {
    parseErrors.push({ line: 1, column: 1, message: `the parser failed: ${(error as Error).message}` });
    return { findings: [], parseErrors, incomplete: 'the parser failed; no rule checked it' };
  }
  if (!tree) {
    parseErrors.push({ line: 1, column: 1, message: `parsing took longer than ${PARSE_BUDGET_MS / 1000}s and was stopped` });
    return { findings: [], parseErrors, incomplete: `parsing took longer than ${PARSE_BUDGET_MS / 1000}s; no rule checked it` };
  }
  try {
    const findings: Finding[] = [];
    const model = new ModuleModel(tree.rootNode, moduleModelQuery(), decoded.text);
    const lines = model.lines;
    if (tree.rootNode.hasError) parseErrors.push(...syntaxErrors(tree.rootNode));
    const seen = new Set<string>();
    const notChecked: string[] = [];
    const isSetupScript = path.basename(displayPath.split('!/').pop() ?? displayPath) === 'setup.py';
    for (const [index, rule] of rules.entries()) {
      if (cpuMsSince(cpuStarted) > fileBudgetMs) {
        const skipped = rules.slice(index).map((r) => r.meta.id);
        parseErrors.push({ line: 1, column: 1, message: `analysis took longer than ${fileBudgetMs / 1000}s; not checked: ${skipped.join(', ')}` });
        notChecked.push(...skipped);
        break;
      }
      const context: RuleContext = {
        file: displayPath,
        isSetupScript,
        model,
        report(node: Node, message: string, override?: { severity?: Severity; confidence?: Confidence; category?: string }) {
          const line = node.startPosition.row + 1;
          const key = `${rule.meta.id}:${line}:${node.startPosition.column}`;
          if (seen.has(key)) return;
          seen.add(key);
          findings.push({
            ruleId: rule.meta.id,
            title: rule.meta.title,
            severity: override?.severity ?? rule.meta.severity,
            confidence: override?.confidence ?? rule.meta.confidence,
            category: override?.category ?? rule.meta.category,
            cwe: rule.meta.cwe,
            file: displayPath,
            line,
            column: node.startPosition.column + 1,
            endLine: node.endPosition.row + 1,
            snippet: (lines[line - 1] ?? '').trim().slice(0, 200),
            message,
          });
        },
      };
      try {
        rule.check(context);
      } catch (error) {
        parseErrors.push({ line: 1, column: 1, message: `rule ${rule.meta.id} failed on this file: ${(error as Error).message}` });
        notChecked.push(rule.meta.id);
      }
    }
    if (depth < MAX_EMBEDDING_DEPTH) findings.push(...embeddedFindings(parser, rules, displayPath, model, lines, depth));
    if (isSetupScript && depth === 0 && setupCheck) findings.push(...setupCheck(decoded.text, displayPath));
    findings.sort((a, b) => a.line - b.line || a.column - b.column || a.ruleId.localeCompare(b.ruleId));
    return { findings, parseErrors, ...(notChecked.length > 0 ? { incomplete: `not checked: ${notChecked.join(', ')}` } : {}) };
  } finally {
    tree.delete();
  }
}

/** Findings in code carried as text (written to a file, run by python -c or exec), placed where it is carried. */
function embeddedFindings(parser: Parser, rules: readonly Rule[], displayPath: string, model: ModuleModel, lines: string[], depth: number): Finding[] {
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const { node, code, how } of findEmbeddedCode(model)) {
    const inner = analyzeSource(parser, rules, displayPath, Buffer.from(code, 'utf8'), depth + 1);
    const line = node.startPosition.row + 1;
    for (const finding of inner.findings) {
      const key = `${finding.ruleId}:${line}:${finding.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      findings.push({
        ...finding,
        line,
        column: node.startPosition.column + 1,
        endLine: node.endPosition.row + 1,
        snippet: (lines[line - 1] ?? '').trim().slice(0, 200),
        message: `in ${how} (its line ${finding.line}): ${finding.message}`,
      });
    }
  }
  return findings;
}

/** The first few ERROR / MISSING nodes, as "line:col: syntax error" problems. */
function syntaxErrors(root: Node): ParseProblem[] {
  const problems: ParseProblem[] = [];
  const stack: Node[] = [root];
  while (stack.length > 0 && problems.length < 5) {
    const node = stack.pop()!;
    if (!node.hasError && !node.isMissing) continue;
    if (node.type === 'ERROR' || node.isMissing) {
      problems.push({
        line: node.startPosition.row + 1,
        column: node.startPosition.column + 1,
        message: node.isMissing ? `syntax error: missing ${node.type}` : 'syntax error (the rest of the file is still scanned)',
      });
      continue;
    }
    for (let i = node.childCount - 1; i >= 0; i--) {
      const child = node.child(i);
      if (child) stack.push(child);
    }
  }
  return problems;
}
