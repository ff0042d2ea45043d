import type { Node } from 'web-tree-sitter';
import { callsTo, type Rule } from './rule.js';

const SHELL_START = /^(subprocess\.\w+|pty\.spawn|os\.(system|exec\w*|spawn\w*|posix_spawnp?))$/;

export const reverseShell: Rule = {
  meta: {
    id: 'reverse-shell',
    title: 'Reverse shell (socket wired to a shell)',
    severity: 'critical',
    confidence: 'high',
    category: 'backdoor',
    cwe: 'CWE-506',
    explanation: "The program duplicates a network socket onto stdin/stdout/stderr (os.dup2) or hands a socket's file descriptor to a process, then starts a shell: whoever is at the other end of the connection controls the machine.",
    advice: 'Do not run it. This has no legitimate use in a program you did not write for remote administration.',
  },
  check({ model, report }) {
    const isSocketFd = (node: Node | undefined): boolean => {
      // s.fileno() where s is a socket (socket.socket(), create_connection(), accept()[0] ...)
      if (node?.type !== 'call') return false;
      const name = model.qualify(node) ?? '';
      return /^socket\.(socket|create_connection|fromfd|socketpair)\(\)(\.accept\(\))?\.fileno\(\)$/.test(name);
    };
    const starts = callsTo(model, (name) => SHELL_START.test(name));
    if (starts.length === 0) return;
    for (const call of callsTo(model, (name) => name === 'os.dup2')) {
      if (isSocketFd(call.args[0])) report(call.node, 'os.dup2() of a socket onto a standard stream, and a shell or process is started');
    }
    for (const call of starts) {
      for (const key of ['stdin', 'stdout', 'stderr']) {
        const value = call.keywords.get(key);
        if (isSocketFd(value)) {
          report(call.node, `${call.name}() with ${key} wired to a socket`);
          break;
        }
      }
    }
  },
};
