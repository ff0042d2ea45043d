import type { Node } from 'web-tree-sitter';
import { callsTo, type Rule } from './rule.js';

const SHELL_START = /^(subprocess\.\w+|pty\.spawn|os\.(system|exec\w*|spawn\w*|posix_spawnp?))$/;
/** What runs a command or code given as text. */
const RUNS_TEXT = /^(subprocess\.\w+|os\.(system|popen)|builtins\.(exec|eval)|asyncio\.create_subprocess_shell)$/;
/** The parts of a web request its sender chooses (Flask, Django, Bottle, FastAPI/Starlette, aiohttp, Tornado). */
const REQUEST_INPUT = /\brequest\.(args|form|values|json|get_json|data|GET|POST|query|query_params|headers|cookies|match_info|get_argument|get_query_argument)\b|\bself\.get_argument\(/;
const WEB_FRAMEWORK = /\b(flask|django|bottle|fastapi|starlette|aiohttp|tornado|sanic|falcon|pyramid)\b/;

export const reverseShell: Rule = {
  meta: {
    id: 'reverse-shell',
    title: 'Reverse shell (socket wired to a shell) or web shell',
    severity: 'critical',
    confidence: 'high',
    category: 'backdoor',
    cwe: 'CWE-506',
    explanation: "The program duplicates a network socket onto stdin/stdout/stderr (os.dup2) or hands a socket's file descriptor to a process, then starts a shell: whoever is at the other end of the connection controls the machine. A web handler that runs a command or code taken from the request (request.args, request.form, request.GET …) is a web shell: whoever can send it a request does the same.",
    advice: 'Do not run it. This has no legitimate use in a program you did not write for remote administration.',
  },
  check({ model, report }) {
    const isSocketFd = (node: Node | undefined): boolean => {
      // s.fileno() where s is a socket (socket.socket(), create_connection(), accept()[0] ...)
      if (node?.type !== 'call') return false;
      const name = model.qualify(node) ?? '';
      return /^socket\.(socket|create_connection|fromfd|socketpair)\(\)(\.accept\(\))?\.fileno\(\)$/.test(name);
    };
    // a web shell: the command or code comes straight from whoever sends the request
    if (WEB_FRAMEWORK.test(model.source)) {
      for (const call of callsTo(model, (name) => RUNS_TEXT.test(name))) {
        const command = call.args[0] ?? call.keywords.get('args');
        if (command && REQUEST_INPUT.test(command.text)) report(call.node, `${call.name!.replace('builtins.', '')}() of ${JSON.stringify(command.text.slice(0, 60))}: runs what a web request sends (a web shell, or command injection)`, { severity: 'high' });
      }
    }
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
