import { callsTo, type Rule } from './rule.js';

const VM_MARKERS = /(vboxservice|vboxtray|vmtoolsd|vmwaretray|vmware|virtualbox|qemu-ga|sandboxie|wireshark|procmon|x64dbg|ollydbg|ida64|fiddler|SbieDll|cuckoo|any\.run|hybrid-analysis|joebox)/i;

/** Security, audit and endpoint-protection agents by process name. */
const SECURITY_AGENTS = /^(auditd|clamd|freshclam|falcon-sensor|falcond|osqueryd|sysmon\w*|wazuh-\w+|ossec\w*|sentineld|sentinelagent|cbagent|cbdaemon|elastic-agent|msmpeng(\.exe)?|mssense(\.exe)?|avp(\.exe)?|ekrn(\.exe)?|bdagent(\.exe)?|avgnt(\.exe)?|savservice(\.exe)?|csfalconservice(\.exe)?|mbamservice(\.exe)?)$/i;
const SECURITY_AGENTS_WORD = new RegExp(SECURITY_AGENTS.source.slice(1, -1), 'i');
/** Ways to end another process. */
const KILLS = /^(os\.kill|os\.killpg|psutil\.Process\(\)\.(kill|terminate|send_signal)|\*\.(kill|terminate|send_signal))$/;

export const antiAnalysis: Rule = {
  meta: {
    id: 'anti-analysis',
    title: 'Tries to detect sandboxes, debuggers or analysts before acting',
    severity: 'high',
    confidence: 'medium',
    category: 'anti-analysis',
    cwe: 'CWE-693',
    explanation: 'Checking for virtual machines, analysis tools or a debugger (sys.gettrace, IsDebuggerPresent), sleeping for a long time before doing anything, or killing security and audit agents by name is how malware avoids being seen.',
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
    // names of security agents, and a way to kill processes: it stops them before acting
    const kill = callsTo(model, (name) => KILLS.test(name))[0];
    if (kill) {
      for (const [i, node] of model.strings.entries()) {
        if (!SECURITY_AGENTS_WORD.test(texts[i]!)) continue;
        const name = model.fold(node)?.value.trim() ?? '';
        if (SECURITY_AGENTS.test(name)) report(node, `names the security agent ${JSON.stringify(name)} in a program that kills processes (${kill.node.text.slice(0, 40)}): it stops protection before acting`, { category: 'anti-analysis' });
      }
    }
    for (const [i, node] of model.strings.entries()) {
      const match = VM_MARKERS.exec(texts[i]!);
      if (match) report(node, `looks for ${JSON.stringify(match[0])} (sandbox or analysis tool detection)`, { severity: 'medium', confidence: 'low' });
    }
  },
};
