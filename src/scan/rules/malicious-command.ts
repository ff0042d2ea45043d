import { classifyCommand, PROCESS_START } from '../engine/shell-command.js';
import { callsTo, commandParts, commandText, type Rule } from './rule.js';

export const maliciousCommand: Rule = {
  meta: {
    id: 'malicious-command',
    title: 'Command line that fetches and runs code, opens a shell to the network, hides, persists or wipes',
    severity: 'critical',
    confidence: 'high',
    category: 'download-execute',
    cwe: 'CWE-78',
    explanation:
      'The command handed to the shell or to a new process has a shape only malware needs: a download piped into an interpreter or started (curl … | sh, iwr … | iex, certutil -urlcache), a shell wired to a socket (/dev/tcp, nc -e), encoded or hidden PowerShell, security tools or logs switched off, a scheduled task, Run key, crontab or rc-file entry, or rm -rf of home or root. Hidden commands (base64, character codes) are decoded first; parts computed at run time are left out and the rest is still read.',
    advice: 'Do not run it. Read the full command (saferun scan shows it decoded) and find out what it downloads or changes.',
  },
  check({ model, report }) {
    for (const call of callsTo(model, (name) => PROCESS_START.test(name))) {
      const parts = commandParts(call);
      const hidden = parts.some((part) => model.fold(part)?.decoded);
      const text = parts.map((part) => commandText(model, part)).join(' ');
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
  },
};
