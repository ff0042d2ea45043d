import { callsTo, isConstant, type Rule } from './rule.js';

const PROCESS_CALLS = /^(os\.(system|popen|popen[234]|exec[lv]p?e?|spawn[lv]p?e?|posix_spawnp?|startfile)|commands\.(getoutput|getstatusoutput)|subprocess\.(getoutput|getstatusoutput)|pty\.spawn|platform\.popen)$/;

export const osCommand: Rule = {
  meta: {
    id: 'os-command',
    title: 'Shell command or new program started through os',
    severity: 'medium',
    confidence: 'high',
    category: 'process',
    cwe: 'CWE-78',
    explanation: 'os.system, os.popen, the os.exec*/spawn* family and pty.spawn start other programs, most through a shell. A command built from data can be hijacked (shell injection), and any command can do what the Python code does not show.',
    advice: 'Prefer subprocess.run with a list of arguments and no shell; check what program is started and with which arguments.',
  },
  check({ model, report }) {
    for (const call of callsTo(model, (name) => PROCESS_CALLS.test(name))) {
      if (isConstant(model, call.args[0])) report(call.node, `${call.name}() with a fixed command`, { severity: 'low' });
      else report(call.node, `${call.name}() with a command computed at run time`);
    }
  },
};
