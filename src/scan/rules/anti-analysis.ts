import type { Rule } from './rule.js';

const VM_MARKERS = /(vboxservice|vboxtray|vmtoolsd|vmwaretray|vmware|virtualbox|qemu-ga|sandboxie|wireshark|procmon|x64dbg|ollydbg|ida64|fiddler|SbieDll|cuckoo|any\.run|hybrid-analysis|joebox)/i;

export const antiAnalysis: Rule = {
  meta: {
    id: 'anti-analysis',
    title: 'Tries to detect sandboxes, debuggers or analysts before acting',
    severity: 'high',
    confidence: 'medium',
    category: 'anti-analysis',
    cwe: 'CWE-693',
    explanation: 'Checking for virtual machines, analysis tools or a debugger (sys.gettrace, IsDebuggerPresent), or sleeping for a long time before doing anything, is how malware avoids being seen in a sandbox.',
    advice: 'Treat it as malicious: a program that hides from inspection has something to hide.',
  },
  check({ model, report }) {
    for (const call of model.calls) {
      const name = call.name ?? '';
      if (name === 'ctypes.windll.kernel32.IsDebuggerPresent' || name === 'ctypes.windll.kernel32.CheckRemoteDebuggerPresent') report(call.node, `${name}(): debugger detection`);
      if (name === 'time.sleep' || name === 'asyncio.sleep') {
        const seconds = call.args[0] ? Number(model.fold(call.args[0])?.value) : NaN;
        if (seconds >= 600) report(call.node, `${name}(${seconds}): waits ${Math.round(seconds / 60)} minutes before going on (outlasting sandboxes)`, { severity: 'medium', confidence: 'low' });
      }
    }
    const texts = model.stringTexts;
    for (const [i, node] of model.strings.entries()) {
      const match = VM_MARKERS.exec(texts[i]!);
      if (match) report(node, `looks for ${JSON.stringify(match[0])} (sandbox or analysis tool detection)`, { severity: 'medium', confidence: 'low' });
    }
  },
};
