/**
 * Download to a file, then run that file: urlretrieve(url, p), a response's content written to p,
 * or shutil.copyfileobj(response, f) — then p run through runpy.run_path, exec(open(p).read()),
 * the interpreter or another program in a subprocess, os.exec*, or imported from its directory
 * (sys.path). Paths are matched by spelling, by folded value and by the path known before running;
 * a helper that saves a download makes what it returns, and the paths given to it, downloaded files.
 */
import type { Node } from 'web-tree-sitter';
import type { CallSite } from '../engine/call-site.js';
import type { ModuleModel } from '../engine/module-model.js';
import { partialPath } from '../engine/path-text.js';
import { callsTo, type RuleContext } from './rule.js';

const RETRIEVE = /^(urllib\.request\.urlretrieve|urllib\.urlretrieve|wget\.download)$/;
const FILE_RUNNERS = /^(runpy\.run_path|imp\.load_source|importlib\.util\.spec_from_file_location|importlib\.machinery\.SourceFileLoader|os\.startfile|os\.(system|popen|exec\w*|spawn\w*|posix_spawnp?)|subprocess\.\w+|asyncio\.create_subprocess_(exec|shell))$/;
const CODE_RUNNERS = /^builtins\.(exec|eval|compile)$/;
const OPENERS = /^(builtins\.open|io\.open|codecs\.open)$/;
const INTERPRETER = /^(\S*[\\/])?(python[\d.]*|pythonw|py|sh|bash|zsh|dash|cmd(\.exe)?|powershell(\.exe)?|pwsh|node|perl|ruby|php|wscript|cscript)$/i;

/** The path expressions that hold downloaded content, and the helpers that save downloads. */
function downloadedFiles(model: ModuleModel): { paths: Node[]; helpers: Set<string> } {
  const paths: Node[] = [];
  const helpers = new Set<string>();
  const save = (path: Node | undefined, at: Node): void => {
    if (!path) return;
    paths.push(path);
    const helper = enclosingFunction(at);
    if (helper) helpers.add(helper);
  };
  for (const call of callsTo(model, (name) => RETRIEVE.test(name))) save(call.keywords.get('filename') ?? call.keywords.get('out') ?? call.args[1], call.node);
  for (const call of model.calls) {
    const writes = (call.name ?? `*.${call.method}`).endsWith('.write') || call.name === 'shutil.copyfileobj';
    const data = call.name === 'shutil.copyfileobj' ? call.args[0] : call.args[0];
    if (!writes || !data || !model.tags(data).has('downloaded')) continue;
    // f.write(r.content) / copyfileobj(resp, f): the path f was opened on
    const file = call.name === 'shutil.copyfileobj' ? call.args[1] : call.node.childForFieldName('function')?.childForFieldName('object');
    const opened = file ? openedPath(model, file) : undefined;
    save(opened, call.node);
  }
  return { paths, helpers };
}

/** For a file object (a name bound by `with open(p) as f` or `f = open(p)`), the path p. */
function openedPath(model: ModuleModel, file: Node): Node | undefined {
  const values = file.type === 'identifier' ? model.assignedValues(file.text, file) : [file];
  for (const value of values) {
    const fn = value.type === 'call' ? value.childForFieldName('function') : null;
    if (fn && OPENERS.test(model.qualify(fn) ?? '')) return value.childForFieldName('arguments')?.namedChildren[0] ?? undefined;
    // Path(p).open("wb")
    if (fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'open') return fn.childForFieldName('object') ?? undefined;
  }
  return undefined;
}

function enclosingFunction(node: Node): string | undefined {
  let scope = node.parent;
  for (let steps = 0; scope && scope.type !== 'function_definition' && steps < 200; steps++) scope = scope.parent;
  return scope?.type === 'function_definition' ? scope.childForFieldName('name')?.text : undefined;
}

/** The paths a runner call runs: its path argument, the files its code was read from, the parts of its command. */
function pathsRun(model: ModuleModel, call: CallSite): Node[] {
  if (CODE_RUNNERS.test(call.name!)) {
    // exec(open(p).read()), exec(Path(p).read_text()), code = open(p).read(); exec(code)
    let code = call.args[0];
    if (code?.type === 'identifier') code = model.assignedValues(code.text, code)[0];
    if (!code) return [];
    const found: Node[] = [];
    for (const inner of [code, ...code.descendantsOfType('call').filter((c): c is Node => c !== null)]) {
      if (inner.type !== 'call') continue;
      const fn = inner.childForFieldName('function');
      if (fn && OPENERS.test(model.qualify(fn) ?? '')) found.push(...(inner.childForFieldName('arguments')?.namedChildren.slice(0, 1).filter((n): n is Node => n !== null) ?? []));
      if (fn?.type === 'attribute' && /^(read_text|read_bytes)$/.test(fn.childForFieldName('attribute')?.text ?? '')) found.push(fn.childForFieldName('object')!);
    }
    return found;
  }
  // a process runs the file when it is the program, or what an interpreter is given
  // (git clone URL filename writes to the file, it does not run it)
  const command = call.args[0] ?? call.keywords.get('args');
  if (command && (command.type === 'list' || command.type === 'tuple')) {
    const [program, ...rest] = command.namedChildren.filter((n): n is Node => n !== null);
    if (!program) return [];
    const programText = model.qualify(program) ?? model.fold(program)?.value ?? '';
    const interpreter = programText === 'sys.executable' || INTERPRETER.test(programText);
    if (!interpreter) return [program];
    // python [options] script args…: the script (python -c/-m run no file)
    const option = (part: Node): string | undefined => (model.fold(part)?.value ?? '').match(/^-\S*/)?.[0];
    const firstOther = rest.findIndex((part) => option(part) === undefined);
    const options = rest.slice(0, firstOther < 0 ? rest.length : firstOther).map(option);
    if (options.some((o) => o === '-c' || o === '-m') || firstOther < 0) return [program];
    return [program, rest[firstOther]!];
  }
  if (/^os\.(exec|spawn)/.test(call.name!)) {
    // os.execv(path, args), os.execl(sys.executable, "python", path)
    return call.args.filter((a) => model.qualify(a) !== 'sys.executable' && !INTERPRETER.test(model.fold(a)?.value ?? ''));
  }
  const parts: Node[] = [];
  const collect = (node: Node | undefined, depth: number): void => {
    if (!node || depth > 4) return;
    if (node.type === 'list' || node.type === 'tuple') node.namedChildren.forEach((n) => collect(n ?? undefined, depth + 1));
    else if (node.type === 'string') node.children.filter((c) => c?.type === 'interpolation').forEach((c) => collect(c!.namedChildren[0] ?? undefined, depth + 1));
    else if (node.type === 'binary_operator') [node.childForFieldName('left'), node.childForFieldName('right')].forEach((n) => collect(n ?? undefined, depth + 1));
    else parts.push(node);
  };
  for (const arg of [...call.args, ...call.keywords.values()]) collect(arg, 0);
  return parts;
}

export function reportRunDownloadedFile(model: ModuleModel, report: RuleContext['report']): void {
  const runners = callsTo(model, (name) => FILE_RUNNERS.test(name) || CODE_RUNNERS.test(name));
  const syspath = callsTo(model, (name) => name === 'sys.path.insert' || name === 'sys.path.append');
  if (runners.length === 0 && syspath.length === 0) return;
  const { paths, helpers } = downloadedFiles(model);
  if (paths.length === 0) return;
  const known = new Set<string>();
  for (const path of paths) {
    // a spelling names the same file only inside one function (two functions' `filename` are not one file)
    known.add(`text:${enclosingFunction(path) ?? ''}:${path.text}`);
    const folded = model.fold(path)?.value;
    if (folded) known.add(`value:${folded}`);
    const partial = partialPath(model, path);
    if (partial && partial !== '~' && /[\w.]/.test(partial)) known.add(`path:${partial}`);
  }
  const isDownloaded = (node: Node, depth = 0): boolean => {
    if (known.has(`text:${enclosingFunction(node) ?? ''}:${node.text}`)) return true;
    const folded = model.fold(node)?.value;
    if (folded && known.has(`value:${folded}`)) return true;
    const partial = partialPath(model, node);
    if (partial && known.has(`path:${partial}`)) return true;
    if (node.type === 'call') {
      // path = fetch(url, dest): a helper that saves a download returns the file it saved
      const fn = node.childForFieldName('function');
      const helper = fn?.type === 'identifier' ? fn.text : fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : undefined;
      if (helper && helpers.has(helper)) return true;
    }
    if (node.type === 'identifier' && depth < 3) return model.assignedValues(node.text, node).some((value) => value.id !== node.id && isDownloaded(value, depth + 1));
    return false;
  };
  for (const call of runners) {
    const run = pathsRun(model, call).find((path) => isDownloaded(path));
    if (run) report(call.node, `${call.name!.replace(/^builtins\./, '')}() runs ${JSON.stringify(run.text.slice(0, 60))}, a file this program filled with downloaded content`, { severity: 'critical' });
  }
  // sys.path.insert(0, d) where a downloaded .py file was saved under d: the next import runs it
  for (const call of syspath) {
    const added = call.name === 'sys.path.insert' ? call.args[1] : call.args[0];
    const dir = added ? (partialPath(model, added) ?? model.fold(added)?.value) : undefined;
    if (!added || !dir || dir === '~') continue;
    const under = paths.some((path) => {
      const file = partialPath(model, path) ?? '';
      return /\.py$/.test(file) && file.startsWith(`${dir}/`);
    });
    if (under) report(call.node, `${JSON.stringify(added.text.slice(0, 40))} holds a downloaded Python file and is put on sys.path: its code runs on import`, { severity: 'critical' });
  }
}
