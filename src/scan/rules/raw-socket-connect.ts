import type { Rule } from './rule.js';

export const rawSocketConnect: Rule = {
  meta: {
    id: 'raw-socket-connect',
    title: 'Raw network connection',
    severity: 'low',
    confidence: 'medium',
    category: 'network',
    cwe: 'CWE-200',
    explanation: 'The program opens its own TCP/UDP connections with the socket module instead of a protocol library. That is normal for network tools, and also how backdoors and reverse shells talk to their controller.',
    advice: 'Check where it connects (a fixed, known host?) and what it sends; run it without network (--profile offline) if it does not need one.',
  },
  check({ model, report }) {
    for (const call of model.calls) {
      const name = call.name ?? '';
      const onSocket = /^socket\.(socket|create_connection|socketpair|fromfd)\(\)\.(connect|connect_ex|sendto)$/.test(name);
      if (onSocket || name === 'socket.create_connection') report(call.node, `${name.replace(/\(\)/g, '')}: the program opens its own network connection`);
    }
  },
};
