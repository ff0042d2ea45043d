import { callsTo, type Rule } from './rule.js';

const INSTALL_COMMANDS = /^(setuptools\.command\.(install|develop|egg_info|build_py|sdist|bdist_egg)\.\w+|distutils\.command\.(install|build)\.\w+|setuptools\.command\.\w+\.\w+)$/;
const ACTION = /^(subprocess\.\w+|os\.(system|popen|exec\w*|spawn\w*|startfile)|builtins\.(exec|eval)|urllib\.request\.\w+|urllib\.urlopen|urllib2\.\w+|requests\.\w+|httpx\.\w+|socket\.\w+|http\.client\.\w+|pip\.main|pip\._internal\.\w+|webbrowser\.open)/;

export const setupInstallHook: Rule = {
  meta: {
    id: 'setup-install-hook',
    title: 'Code that runs at install time (setup.py command overrides, network or processes)',
    severity: 'high',
    confidence: 'medium',
    category: 'install-time',
    cwe: 'CWE-829',
    explanation: 'setup.py runs during `pip install` with your privileges, before you ever use the package. Overriding install/develop/egg_info commands, or starting processes and network connections from setup.py, is how most malicious packages act.',
    advice: 'Inspect setup.py before installing; prefer wheels, which run no code at install time.',
  },
  check({ model, report, isSetupScript }) {
    if (!isSetupScript) return;
    const actions = callsTo(model, (name) => ACTION.test(name));
    for (const cls of model.classDefs) {
      const bases = cls.childForFieldName('superclasses')?.namedChildren ?? [];
      const hook = bases.find((base) => base && INSTALL_COMMANDS.test(model.qualify(base) ?? ''));
      if (hook) {
        const acts = actions.some((call) => call.node.startIndex >= cls.startIndex && call.node.endIndex <= cls.endIndex);
        report(cls, `class overrides the ${hook.text} command${acts ? ' and starts processes or network connections' : ''}`, acts ? undefined : { severity: 'medium' });
      }
    }
    for (const call of actions) {
      const inClass = model.classDefs.some((cls) => call.node.startIndex >= cls.startIndex && call.node.endIndex <= cls.endIndex);
      if (!inClass) report(call.node, `${call.name}() runs when setup.py is executed (at install time)`);
    }
  },
};
