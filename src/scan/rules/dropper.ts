import type { Node } from 'web-tree-sitter';
import type { CallSite } from '../engine/call-site.js';
import type { ModuleModel } from '../engine/module-model.js';
import { callsTo, commandText, partialPath, type Rule, type RuleContext } from './rule.js';
import { reportRunDownloadedFile } from './downloaded-file-run.js';

const DOWNLOAD = /^(requests\.(get|post|request)|requests\.Session\(\)\.get|urllib\.request\.(urlopen|urlretrieve)|urllib\.(urlopen|urlretrieve)|urllib2\.urlopen|httpx\.get|wget\.download|http\.client\.HTTPS?Connection)$/;
const START = /^(os\.(startfile|system|popen|exec\w*|spawn\w*|posix_spawnp?)|subprocess\.\w+|asyncio\.create_subprocess_(exec|shell)|ctypes\.windll\.shell32\.ShellExecute[AW]?)$/;
const EXECUTABLE = /\.(exe|scr|bat|cmd|ps1|vbs|msi|dll|sh|bin|elf|jar|apk|dmg|pkg|appimage)\b|\/tmp\/\.|chmod\s+\+x|powershell/i;

export const dropper: Rule = {
  meta: {
    id: 'dropper',
    title: 'Downloads a program and starts it (dropper)',
    severity: 'critical',
    confidence: 'medium',
    category: 'download-execute',
    cwe: 'CWE-494',
    explanation: 'The module fetches something from the network, names or makes an executable (.exe, .sh, chmod +x, PowerShell), or saves the download to a file, and starts a program (a named one, or one whose path is computed at run time): the shape of droppers that install the real malware.',
    advice: 'Do not run it. Find the URL and what it serves before anything else.',
  },
  check({ model, report }) {
    const download = callsTo(model, (name) => DOWNLOAD.test(name))[0];
    if (!download) return;
    reportImportedArchive(model, report);
    reportLoadedDownload(model, report);
    reportRunDownloadedFile(model, report);
    const starts = callsTo(model, (name) => START.test(name));
    if (starts.length === 0) return;
    const madeExecutable = model.calls.some((c) => c.name === 'os.chmod' && /0o?7[0-7][0-7]|stat\.S_IX/.test(c.node.text));
    // What is started must itself look like a dropped program, not a tool such as git: the call's
    // text, then its arguments' paths and command text, as far as they are known.
    const started = (arg: Node): string[] => (arg.type === 'list' || arg.type === 'tuple' ? arg.namedChildren.flatMap((item) => (item ? started(item) : [])) : [partialPath(model, arg) ?? '', commandText(model, arg)]);
    // what was downloaded went into a file, and the program started is that file (a temp file's
    // name, a path opened for writing here); or the URL names a program, and the program started
    // is computed at run time
    const savesDownload = savesDownloadedContent(model);
    const fetchesProgram = callsTo(model, (name) => DOWNLOAD.test(name)).some((d) => d.args[0] !== undefined && EXECUTABLE.test(partialPath(model, d.args[0]) ?? ''));
    const writtenPaths = pathsOpenedForWriting(model);
    const programOf = (call: CallSite): Node | undefined => (call.args[0]?.type === 'list' || call.args[0]?.type === 'tuple' ? (call.args[0].namedChildren[0] ?? undefined) : call.args[0]);
    const computedProgram = (call: CallSite): boolean => {
      const first = programOf(call);
      if (!first || first.type === 'string' || model.fold(first) !== undefined) return false;
      return !/^(sys\.executable|shutil\.which|sys\.argv)/.test(model.qualify(first) ?? ''); // python itself, an installed tool
    };
    const startsSavedFile = (call: CallSite): boolean => {
      const first = programOf(call);
      if (!first || !computedProgram(call)) return false;
      const spellings = [first.text, ...(first.type === 'identifier' ? model.assignedValues(first.text, first).map((value) => value.text) : [])];
      return spellings.some((text) => writtenPaths.has(text) || /\.name$/.test(text));
    };
    const startsDroppedProgram = (call: CallSite): boolean =>
      call.name === 'os.startfile' ||
      EXECUTABLE.test(call.node.text) ||
      call.args.flatMap(started).some((text) => EXECUTABLE.test(text)) ||
      (madeExecutable && call.args[0]?.type === 'identifier') ||
      (fetchesProgram && computedProgram(call)) ||
      (savesDownload && startsSavedFile(call));
    for (const start of starts) {
      if (startsDroppedProgram(start)) report(start.node, `downloads (${download.name}) and starts a program (${start.name})`);
    }
  },
};

/**
 * zipfile.ZipFile(io.BytesIO(urlopen(u).read())).extractall(d) and sys.path.insert(0, d): a package
 * fetched at run time is unpacked and put where `import` looks, so its code runs on the next import.
 */
function reportImportedArchive(model: ModuleModel, report: RuleContext['report']): void {
  const sameValue = (a: Node, b: Node): boolean => a.text === b.text || (model.fold(a)?.value !== undefined && model.fold(a)?.value === model.fold(b)?.value);
  const destinations: Node[] = [];
  for (const call of model.calls) {
    if (call.method !== 'extractall' && call.method !== 'extract') continue;
    const archive = call.node.childForFieldName('function')?.childForFieldName('object');
    const destination = call.keywords.get('path') ?? (call.method === 'extractall' ? call.args[0] : call.args[1]);
    if (archive && destination && model.tags(archive).has('downloaded')) destinations.push(destination);
  }
  if (destinations.length === 0) return;
  for (const call of callsTo(model, (name) => name === 'sys.path.insert' || name === 'sys.path.append')) {
    const added = call.name === 'sys.path.insert' ? call.args[1] : call.args[0];
    if (added && destinations.some((d) => sameValue(d, added))) report(call.node, `a downloaded archive is unpacked into ${JSON.stringify(added.text.slice(0, 40))} and that directory is put on sys.path: its code runs on import`);
  }
}

const MODULE_LOADERS = /^(importlib\.util\.spec_from_file_location|importlib\.machinery\.SourceFileLoader|runpy\.run_path|imp\.load_source|imp\.load_module)$/;

/** Downloaded content written to a file that is then loaded as a module: download and execute by import. */
function reportLoadedDownload(model: ModuleModel, report: RuleContext['report']): void {
  if (!savesDownloadedContent(model)) return;
  // the module loaded is a file this program opened for writing (same spelling of its path)
  const written = pathsOpenedForWriting(model);
  for (const call of callsTo(model, (name) => MODULE_LOADERS.test(name))) {
    const path = /run_path$/.test(call.name!) ? call.args[0] : (call.keywords.get('location') ?? call.keywords.get('path') ?? call.args[1]);
    if (path && written.has(path.text)) report(call.node, `${call.name}() loads code from a file this program wrote with downloaded content: download and execute by import`);
  }
}

/** Something fetched from the network is written to a file (f.write(resp.content)). */
function savesDownloadedContent(model: ModuleModel): boolean {
  return model.calls.some((c) => (c.name ?? `*.${c.method}`).endsWith('.write') && c.args[0] !== undefined && model.tags(c.args[0]).has('downloaded'));
}

/** The path expressions (as written) of the files opened for writing, appending or creating. */
function pathsOpenedForWriting(model: ModuleModel): Set<string | undefined> {
  const modeOf = (open: CallSite): string => {
    const mode = open.keywords.get('mode') ?? open.args[1];
    return mode ? (model.fold(mode)?.value ?? '') : '';
  };
  return new Set(callsTo(model, (name) => name === 'builtins.open').filter((open) => /[wax]/.test(modeOf(open))).map((open) => open.args[0]?.text));
}
