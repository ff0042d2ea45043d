import type { Node } from 'web-tree-sitter';
import type { CallSite } from '../engine/call-site.js';
import { callsTo, commandParts, commandText, type Rule } from './rule.js';
import { PROCESS_START } from '../engine/shell-command.js';

const INSTALL_COMMANDS = /^(setuptools\.command\.(install|develop|egg_info|build_py|sdist|bdist_egg)\.\w+|distutils\.command\.(install|build)\.\w+|setuptools\.command\.\w+\.\w+)$/;
/**
 * Running or loading code: counted only inside an overridden install command. At the top of
 * setup.py it is how packages read their own version (exec(open("pkg/__version__.py").read())),
 * and hidden or downloaded code is caught by the payload rules anyway.
 */
const LOADS_CODE = /^(zipimport\.\w+|importlib\.(import_module|util\.(module_from_spec|spec_from_file_location|spec_from_loader))|runpy\.\w+|\*\.exec_module|builtins\.(exec|eval|compile|__import__))$/;
const ACTION = /^(subprocess\.\w+|os\.(system|popen|exec\w*|spawn\w*|startfile)|urllib\.request\.\w+|urllib\.urlopen|urllib2\.\w+|requests\.\w+|httpx\.\w+|socket\.\w+|http\.client\.\w+|pip\.main|pip\._internal\.\w+|webbrowser\.open)/;

/** Programs a build legitimately runs from setup.py (compilers, build systems, version control). */
const BUILD_TOOL = /^\s*["']?(\S*[\\/])?(git|hg|cmake|make|gmake|ninja|meson|gcc|g\+\+|cc|c\+\+|clang|clang\+\+|cl|nvcc|pkg-config|cython|swig|cargo|rustc|protoc|autoreconf|\.\/configure|configure|xcrun|xcode-select|sw_vers|ldconfig|uname|lsb_release|npm|yarn)(\.exe)?["']?(\s|$)/;

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
    // a process that is a known build tool (git describe, cmake, gcc) is what builds do: not an action
    const buildStep = (call: CallSite): boolean => PROCESS_START.test(call.name ?? '') && BUILD_TOOL.test(commandText(model, commandParts(call)[0]));
    const hookActions = callsTo(model, (name) => ACTION.test(name) || LOADS_CODE.test(name)).filter((call) => !buildStep(call));
    const actions = hookActions.filter((call) => ACTION.test(call.name ?? ''));
    const inside = (node: Node, outer: Node): boolean => node.startIndex >= outer.startIndex && node.endIndex <= outer.endIndex;
    for (const cls of model.classDefs) {
      const bases = cls.childForFieldName('superclasses')?.namedChildren ?? [];
      const hook = bases.find((base) => base && INSTALL_COMMANDS.test(model.qualify(base) ?? ''));
      if (hook) {
        // what the command runs: its own body, and the module's functions it calls (one hop)
        const helpers = model.calls.filter((call) => inside(call.node, cls) && call.name === undefined && call.node.childForFieldName('function')?.type === 'identifier').flatMap((call) => model.functionsNamed(call.node.childForFieldName('function')!.text));
        const acts = hookActions.some((call) => inside(call.node, cls) || helpers.some((fn) => inside(call.node, fn)));
        // extending a build command is how extension modules get compiled; install/develop hooks are rarer
        const building = /build/.test(model.qualify(hook) ?? '');
        report(cls, `class overrides the ${hook.text} command${acts ? ' and starts processes, opens connections or runs code' : ''}`, acts ? undefined : { severity: building ? 'low' : 'medium' });
      }
    }
    for (const call of actions) {
      if (!model.classDefs.some((cls) => inside(call.node, cls))) report(call.node, `${call.name}() runs when setup.py is executed (at install time)`);
    }
  },
};
