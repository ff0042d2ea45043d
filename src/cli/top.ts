/**
 * saferun top [--json]: every running saferun run of this user, refreshed each second, with keys
 * to cut a run's network (c) or stop it (k). Runs answer on their control sockets (src/live/channel.ts).
 * --json, or output that is not a terminal, prints one snapshot and ends.
 */
import { commandParser, helpShown } from './command-parser.js';
import { defaultLiveDir, listLiveRuns, request, type LiveRun } from '../live/channel.js';
import { renderTopScreen, runLines } from '../live/top-screen.js';

const ESC = '\u001b';
const REFRESH_MS = 1000;
const SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGHUP', 'SIGINT'];

export async function main(argv: string[]): Promise<number> {
  const args = await commandParser(argv, 'saferun top', 'saferun top [--json]\n\nEvery running saferun run of this user: CPU and memory against the limits, pids, network, alerts.\nKeys: ↑/↓ select, c cut the selected run\'s network, k stop it, q quit.')
    .option('json', { type: 'boolean', default: false, description: 'print one snapshot as JSON and end' })
    .parseAsync();
  if (helpShown(args)) return 0;
  const dir = defaultLiveDir();
  if (args.json) {
    const runs = await listLiveRuns(dir);
    process.stdout.write(`${JSON.stringify({ version: 1, runs: runs.map((r) => r.status) }, null, 2)}\n`);
    return 0;
  }
  if (!process.stdout.isTTY || !process.stdin.isTTY) {
    const runs = await listLiveRuns(dir);
    const columns = process.stdout.columns || 160;
    if (runs.length === 0) process.stdout.write('no saferun run is running for this user\n');
    for (const run of runs) process.stdout.write(`${runLines(run.status, false, columns).join('\n')}\n`);
    return 0;
  }
  await interactive(dir);
  return 0;
}

async function interactive(dir: string): Promise<void> {
  const stdin = process.stdin;
  const stdout = process.stdout;
  let runs: LiveRun[] = [];
  let selectedId: string | undefined;
  let message = '';
  let closed = false;
  const restore = (): void => {
    if (closed) return;
    closed = true;
    stdin.setRawMode(false);
    stdout.write(`${ESC}[?25h${ESC}[?1049l`);
  };
  process.on('exit', restore);
  stdout.write(`${ESC}[?1049h${ESC}[?25l`);
  stdin.setRawMode(true);
  stdin.resume();

  const selectedIndex = (): number => Math.max(0, runs.findIndex((r) => r.status.runId === selectedId));
  const draw = (): void => {
    const lines = renderTopScreen({ runs: runs.map((r) => r.status), selected: selectedIndex(), columns: stdout.columns || 80, rows: stdout.rows || 24, message, color: !process.env['NO_COLOR'] });
    stdout.write(`${ESC}[H${lines.map((l) => `${l}${ESC}[K`).join('\r\n')}${ESC}[J`);
  };
  const refresh = async (): Promise<void> => {
    runs = await listLiveRuns(dir);
    if (!runs.some((r) => r.status.runId === selectedId)) selectedId = runs[0]?.status.runId;
    if (!closed) draw();
  };
  const act = async (op: 'cut' | 'stop'): Promise<void> => {
    const run = runs[selectedIndex()];
    if (!run) return;
    message = `${op === 'cut' ? 'cutting the network of' : 'stopping'} ${run.status.runId}…`;
    draw();
    try {
      const reply = await request(run.socketPath, op);
      message = `${run.status.runId}: ${reply.message ?? (reply.ok ? 'done' : 'refused')}`;
    } catch (error) {
      message = `${run.status.runId}: no answer (${(error as NodeJS.ErrnoException).code ?? String(error)}); it may have ended`;
    }
    await refresh();
  };

  await new Promise<void>((resolve) => {
    const timer = setInterval(() => void refresh(), REFRESH_MS);
    const quit = (): void => {
      clearInterval(timer);
      for (const signal of SIGNALS) process.off(signal, quit);
      stdin.off('data', onKey);
      stdout.off('resize', draw);
      stdin.pause();
      resolve();
    };
    const onKey = (data: Buffer): void => {
      const key = data.toString('utf8');
      const index = selectedIndex();
      if (key === 'q' || key === '\u0003' || key === ESC) return quit();
      else if (key === `${ESC}[A` || key === 'p') selectedId = runs[Math.max(0, index - 1)]?.status.runId;
      else if (key === `${ESC}[B` || key === 'n' || key === '\t') selectedId = runs[Math.min(runs.length - 1, index + 1)]?.status.runId;
      else if (key === 'c') void act('cut');
      else if (key === 'k') void act('stop');
      draw();
    };
    stdin.on('data', onKey);
    stdout.on('resize', draw);
    // a kill or a closed terminal quits like q, so the terminal is given back
    for (const signal of SIGNALS) process.on(signal, quit);
    void refresh();
  });
  restore();
  process.off('exit', restore);
}
