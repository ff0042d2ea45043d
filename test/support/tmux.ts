/**
 * A real terminal for tests: a tmux pane on its own server socket, read back with capture-pane and
 * tmux's own view of the terminal state (scroll region, cursor). Each pane is killed after use.
 */
import { execa } from 'execa';

export interface Pane {
  /** The pane's visible rows, top to bottom, trailing spaces removed. */
  screen(): Promise<string[]>;
  /** Everything the pane showed, scrollback included. */
  history(): Promise<string>;
  state(): Promise<{ regionTop: number; regionBottom: number; cursorShown: boolean; rows: number }>;
  keys(...keys: string[]): Promise<void>;
  waitFor(test: (screen: string[]) => boolean, what: string, timeoutMs?: number): Promise<string[]>;
  kill(): Promise<void>;
}

let count = 0;

export async function openPane(options: { columns: number; rows: number; env: Record<string, string>; cwd: string }): Promise<Pane> {
  const server = `saferun-test-${process.pid}-${++count}`;
  const tmux = (...args: string[]) => execa('tmux', ['-L', server, '-f', '/dev/null', ...args], { cwd: options.cwd, env: { ...options.env, TERM: 'xterm-256color' } });
  const env = Object.entries(options.env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  await tmux('new-session', '-d', '-x', String(options.columns), '-y', String(options.rows), ...env, '-c', options.cwd, "env PS1='$ ' bash --norc --noprofile");
  await tmux('set-option', '-g', 'history-limit', '5000');
  const pane: Pane = {
    screen: async () => (await tmux('capture-pane', '-p', '-t', '0')).stdout.split('\n').map((l) => l.trimEnd()),
    history: async () => (await tmux('capture-pane', '-p', '-S', '-', '-t', '0')).stdout,
    state: async () => {
      const [top, bottom, cursor, rows] = (await tmux('display', '-p', '-t', '0', '#{scroll_region_upper} #{scroll_region_lower} #{cursor_flag} #{pane_height}')).stdout.trim().split(' ').map(Number);
      return { regionTop: top!, regionBottom: bottom!, cursorShown: cursor === 1, rows: rows! };
    },
    keys: async (...keys) => {
      await tmux('send-keys', '-t', '0', ...keys);
    },
    waitFor: async (test, what, timeoutMs = 60_000) => {
      const until = Date.now() + timeoutMs;
      let screen: string[] = [];
      while (Date.now() < until) {
        screen = await pane.screen();
        if (test(screen)) return screen;
        await new Promise((r) => setTimeout(r, 150));
      }
      throw new Error(`timed out waiting for ${what}; the pane shows:\n${screen.join('\n')}`);
    },
    kill: async () => {
      await tmux('kill-server').catch(() => undefined);
    },
  };
  return pane;
}

/** A shell word, quoted. */
export function quote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
