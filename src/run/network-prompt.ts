/**
 * The Deno-style question for the first connection to an unlisted host: allow it for this run,
 * or deny. It reads the answer from the stdin that is otherwise forwarded to the program (a tap
 * sees it first), so it works while the program runs, in raw TTY mode and in line mode alike.
 * The connection waits for the answer; the end of stdin means no.
 */
import type { EgressTarget } from '../network/egress-proxy.js';

export interface StdinTap {
  take?: (chunk: Buffer) => boolean;
}

export interface PromptTerminal {
  stdin: NodeJS.ReadableStream & { isRaw?: boolean; readableEnded?: boolean };
  write: (text: string) => void;
}

export function promptQuestion({ host, port }: EgressTarget): string {
  return `saferun: network: the program wants to reach ${host}:${port}, which is not on the allowlist. Allow it for this run? [y/N] `;
}

export function networkPrompt(tap: StdinTap, terminal: PromptTerminal): (target: EgressTarget) => Promise<boolean> {
  return (target) =>
    new Promise<boolean>((resolve) => {
      if (terminal.stdin.readableEnded) return resolve(false);
      const raw = terminal.stdin.isRaw === true;
      const newline = raw ? '\r\n' : '\n';
      let typed = '';
      const answer = (yes: boolean): void => {
        tap.take = undefined;
        terminal.stdin.off('end', onEnd);
        if (raw) terminal.write(`${yes ? 'y' : 'n'}${newline}`);
        resolve(yes);
      };
      const onEnd = (): void => answer(false);
      terminal.stdin.once('end', onEnd);
      terminal.write(`${newline}${promptQuestion(target)}`);
      tap.take = (chunk) => {
        typed += chunk.toString('utf8');
        // Raw mode: one key decides (Enter, Ctrl-C and anything else mean no). Line mode: the line decides.
        if (raw || /[\r\n]/.test(typed)) answer(/^\s*y(es)?\s*$/i.test(raw ? typed.slice(0, 1) : typed.split(/[\r\n]/)[0]!));
        return true;
      };
    });
}
