import path from 'node:path';
import { PROCESS_START } from '../engine/shell-command.js';
import { callsTo, commandLine, isTruthyConstant, type Rule } from './rule.js';

/** Ways a started process is cut loose from the one that started it. */
const DETACHING_KEYWORDS = ['start_new_session', 'creationflags', 'preexec_fn'];
const DETACHED_COMMAND = /\bnohup\b|\bsetsid\b|\bdisown\b|&\s*$|\bstart\s+\/b\b|\bpythonw(\.exe)?\b/i;
/** A second interpreter handed code inline: python -c "from other_package import payload". */
const INLINE_CODE = /(^|[\s\/\\"'])(python[0-9.]*|pythonw|py|perl|ruby|node)(\.exe)?\s+(-[A-Za-z]+\s+)*-[ce]\s/i;

export const importTimeProcess: Rule = {
  meta: {
    id: 'import-time-process',
    title: 'A package that starts a process as soon as it is imported, or a .pth file that does at every start',
    severity: 'medium',
    confidence: 'medium',
    category: 'process',
    cwe: 'CWE-506',
    explanation:
      "Code at the top level of a package's __init__.py runs on every `import`, before the program has done anything. A library that starts a process there (and especially one that detaches it, with start_new_session, creationflags, setsid, nohup or a trailing &, or hands a second interpreter code with -c) is running something of its own behind the importer's back: the usual way a malicious dependency starts its payload. The import lines of a .pth file run at every Python start-up: a process started there is high.",
    advice: 'Read what the process runs. A library has no reason to start programs at import; if it only asks git for its version, that is harmless but worth knowing.',
  },
  check({ file, model, report }) {
    const startup = file.toLowerCase().endsWith('.pth'); // its import lines run at every interpreter start
    if (path.basename(file) !== '__init__.py' && !startup) return;
    for (const call of callsTo(model, (name) => PROCESS_START.test(name))) {
      if (!model.isModuleLevel(call.node)) continue;
      const command = commandLine(model, call);
      const detached =
        DETACHING_KEYWORDS.some((keyword) => call.keywords.has(keyword) && (keyword !== 'start_new_session' || isTruthyConstant(call.keywords.get(keyword)))) ||
        DETACHED_COMMAND.test(command) ||
        // Popen does not wait: started with its output thrown away, it runs on unseen
        (call.name === 'subprocess.Popen' && ['stdout', 'stderr'].every((stream) => /DEVNULL/.test(call.keywords.get(stream)?.text ?? '')));
      const inline = INLINE_CODE.test(command);
      const shown = command.length > 80 ? `${command.slice(0, 80)}…` : command;
      const how = detached ? ', detached from the importing program' : inline ? ', handing a new interpreter code to run' : '';
      const when = startup ? 'every time Python starts (a .pth start-up file)' : 'when the package is imported';
      report(call.node, `${call.name}(${JSON.stringify(shown)}) runs ${when}${how}`, detached || inline || startup ? { severity: 'high' } : undefined);
    }
  },
};
