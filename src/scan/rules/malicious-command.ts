import { FILE_WRITES } from '../engine/embedded-code.js';
import { classifyCommand, PROCESS_START } from '../engine/shell-command.js';
import { callsTo, commandLine, commandParts, type Rule } from './rule.js';

/** Words at least one of the command shapes needs (a pre-filter; classifyCommand decides). */
const COMMAND_WORD = /curl|wget|\bnc\b|ncat|netcat|socat|\/dev\/|base64|powershell|pwsh|\biex\b|\biwr\b|\birm\b|invoke-|certutil|mshta|regsvr32|rundll32|bitsadmin|schtasks|crontab|\breg\b|systemctl|launchctl|\brm\b|\bdel\b|\brd\b|format|mkfs|\bdd\b|vssadmin|wevtutil|netsh|-mppreference|realtime|setenforce|ufw|iptables|auditctl|histfile|shred|truncate|cmdkey|vaultcmd|mimikatz|sekurlsa|lsass|ntdsutil|index-url|rc\b|profile|download/i;
/** Further words of the shapes, too common in ordinary strings to follow up every literal with them: only scripts written to files are checked for these. */
const SCRIPT_WORD = /history|kill|service|credential|security|\bsave\b|password/i;

export const maliciousCommand: Rule = {
  meta: {
    id: 'malicious-command',
    title: 'Command line that fetches and runs code, opens a shell to the network, hides, persists or wipes',
    severity: 'critical',
    confidence: 'high',
    category: 'download-execute',
    cwe: 'CWE-78',
    explanation:
      'The command handed to the shell or to a new process has a shape only malware needs: a download piped into an interpreter or started (curl … | sh, iwr … | iex, certutil -urlcache), a shell wired to a socket (/dev/tcp, nc -e), encoded or hidden PowerShell, security tools, firewall, audit or shell history switched off or erased, a scheduled task, Run key, crontab or rc-file entry, or rm -rf of home or root. Dumping stored credentials (git credential fill, the macOS keychain, the Windows vault, SAM or LSASS) is credential theft. A local file uploaded with curl -d @file, -F, -T or wget --post-file counts as exfiltration, and pip installing from a plain-http or bare-IP index as fetch-and-run. Hidden commands (base64, character codes) are decoded first; parts computed at run time are left out and the rest is still read. A script written to a file (a hook, a cron job, a wrapper) is judged the same way. A command line of this kind is reported even when saferun cannot tell which function receives it (a helper, a lambda trick, a computed lookup).',
    advice: 'Do not run it. Read the full command (saferun scan shows it decoded) and find out what it downloads or changes.',
  },
  check({ model, report }) {
    for (const call of callsTo(model, (name) => PROCESS_START.test(name))) {
      const parts = commandParts(call);
      const hidden = parts.some((part) => model.fold(part)?.decoded);
      const text = commandLine(model, call);
      const verdict = classifyCommand(text);
      const shown = JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}…` : text);
      if (verdict) {
        const severity = hidden && verdict.severity === 'medium' ? 'high' : verdict.severity;
        report(call.node, `${call.name}(${shown}) ${verdict.what}${hidden ? ' (the command is hidden in an encoding)' : ''}`, { severity, category: verdict.behaviour === 'reconnaissance' ? 'exfiltration' : verdict.behaviour, ...(verdict.severity === 'medium' ? { confidence: 'medium' as const } : {}) });
      } else if (hidden) {
        report(call.node, `${call.name}() runs a command hidden in an encoding: ${shown}`, { severity: 'critical', category: 'obfuscation' });
      } else if (parts.some((part) => model.tags(part).has('decoded'))) {
        report(call.node, `${call.name}() runs a command decoded at run time`, { severity: 'high', category: 'obfuscation' });
      }
    }
    // A script written to a file (a git hook, a cron job, a wrapper on PATH) runs later: its
    // commands are judged as if run now.
    for (const call of callsTo(model, (name) => FILE_WRITES.test(name))) {
      const text = call.args[0] ? model.fold(call.args[0])?.value : undefined;
      if (!text || !(COMMAND_WORD.test(text) || SCRIPT_WORD.test(text))) continue;
      const verdict = classifyCommand(text);
      if (!verdict || verdict.severity === 'medium') continue;
      report(call.node, `writes a script that ${verdict.what}: ${JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}…` : text)}`, { severity: 'high', category: verdict.behaviour });
    }
    // A command line handed to something saferun cannot name (a helper, a value fetched by a
    // lambda trick or a computed lookup): whatever runs it, the command itself says what it is for.
    // Literals are the way in (every call is too many to look at); the few naming a command word
    // are followed up to the call they are the first argument of.
    const texts = model.stringTexts;
    for (const [i, node] of model.strings.entries()) {
      if (!COMMAND_WORD.test(texts[i]!)) continue;
      const argument = node.parent?.type === 'concatenated_string' ? node.parent : node;
      const list = argument.parent;
      const call = list?.type === 'argument_list' ? list.parent : undefined;
      const fn = call?.type === 'call' ? call.childForFieldName('function') : undefined;
      if (!call || !fn || list!.namedChildren[0]?.id !== argument.id || model.qualify(fn) !== undefined) continue;
      const folded = model.fold(argument);
      if (!folded || folded.value.length < 8) continue;
      const verdict = classifyCommand(folded.value);
      if (!verdict || verdict.severity === 'medium') continue;
      const shown = JSON.stringify(folded.value.length > 120 ? `${folded.value.slice(0, 120)}…` : folded.value);
      report(call, `${fn.text.slice(0, 40)}(${shown}): a command line that ${verdict.what}, handed to a function saferun cannot resolve`, { severity: 'high', confidence: 'medium', category: verdict.behaviour });
    }
  },
};
