import { callsTo, isConstant, isTruthyConstant, type Rule } from './rule.js';

const SUBPROCESS = /^subprocess\.(call|run|Popen|check_call|check_output)$/;

export const subprocessShell: Rule = {
  meta: {
    id: 'subprocess-shell',
    title: 'subprocess with shell=True, or a shell subprocess',
    severity: 'medium',
    confidence: 'high',
    category: 'process',
    cwe: 'CWE-78',
    explanation: 'With shell=True (and asyncio.create_subprocess_shell) the command line is interpreted by /bin/sh: quotes, ;, $() and backticks in any data that reaches it run extra commands.',
    advice: 'Pass a list of arguments with shell=False (the default).',
  },
  check({ model, report }) {
    for (const call of callsTo(model, (name) => SUBPROCESS.test(name) || name === 'asyncio.create_subprocess_shell')) {
      const shell = call.name === 'asyncio.create_subprocess_shell' || isTruthyConstant(call.keywords.get('shell'));
      const dynamicShell = call.keywords.has('shell') && !isTruthyConstant(call.keywords.get('shell')) && call.keywords.get('shell')?.type !== 'false' && call.keywords.get('shell')?.type !== 'none';
      if (!shell && !dynamicShell) continue;
      const command = call.args[0] ?? call.keywords.get('args');
      if (isConstant(model, command)) report(call.node, `${call.name}() runs a fixed command through the shell`, { severity: 'low' });
      else report(call.node, `${call.name}() runs a command computed at run time through the shell`);
    }
  },
};
