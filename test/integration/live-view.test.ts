/**
 * The live status line in a real terminal (a tmux pane) with a real sandbox: pinned to the bottom
 * row while the program's output scrolls above it, updated every second, and the terminal given
 * back (scroll region reset, cursor shown) after the run, after Ctrl-C and after a crash.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assertEngineReachable } from '../support/engine.js';
import { BIN, tempWorkdir } from '../support/saferun.js';
import { openPane, quote, type Pane } from '../support/tmux.js';
import { packageRoot } from '../../src/util/package-info.js';

const ROWS = 16;
const COLUMNS = 110;
let dir: string;
let state: string;
const panes: Pane[] = [];

before(async () => {
  await assertEngineReachable();
  dir = tempWorkdir('saferun-live-');
  state = mkdtempSync(path.join(os.tmpdir(), 'saferun-live-state-'));
  writeFileSync(path.join(dir, 'count.py'), 'import time\nfor i in range(60):\n    print(f"line {i:02d} \\u00e9t\\u00e9 \\033[32mgreen\\033[0m end", flush=True)\n    time.sleep(0.05)\ntime.sleep(2.5)\n');
  writeFileSync(path.join(dir, 'ask.py'), 'import os\nprint("rows", os.get_terminal_size().lines, flush=True)\nname = input("name? ")\nprint("hello", name, flush=True)\n');
  writeFileSync(path.join(dir, 'sleepy.py'), 'import time\nprint("sleeping", flush=True)\ntime.sleep(60)\n');
});
after(async () => {
  for (const pane of panes) await pane.kill();
  rmSync(dir, { recursive: true, force: true });
  rmSync(state, { recursive: true, force: true });
});

async function pane(): Promise<Pane> {
  const p = await openPane({ columns: COLUMNS, rows: ROWS, cwd: dir, env: { SAFERUN_STATE_DIR: state, SAFERUN_CACHE_DIR: path.join(state, 'cache'), NO_COLOR: '1' } });
  panes.push(p);
  return p;
}

const saferunCommand = (...args: string[]): string => `${quote(process.execPath)} ${quote(BIN)} ${args.map(quote).join(' ')}; echo EXIT=$?`;
const statusRow = (screen: string[]): string => screen[ROWS - 1] ?? '';
const isStatus = (row: string): boolean => row.startsWith('saferun ⏱');

async function assertRestored(p: Pane): Promise<void> {
  const s = await p.state();
  assert.deepEqual([s.regionTop, s.regionBottom], [0, ROWS - 1], 'the scroll region is the whole screen again');
  assert.ok(s.cursorShown, 'the cursor is shown');
  assert.ok(!(await p.screen()).some(isStatus), 'no status line is left on the screen');
}

test('the status line sits on the bottom row, updates each second, and the output above it is whole', { timeout: 120_000 }, async () => {
  const p = await pane();
  await p.keys(saferunCommand('--yes', 'count.py'), 'Enter');
  const first = await p.waitFor((s) => isStatus(statusRow(s)) && s.some((l) => l.startsWith('line 40')), 'the status line and 40 lines of output');
  const line = statusRow(first);
  assert.match(line, /^saferun ⏱ \d+s\/30m00s │ CPU (\d+|—)%\/200% │ mem \S+\/2\.0G │ pids \S+\/\d+ │ net ↑\S+ ↓\S+ │ conn ✓0 ✗0/, 'normal: the egress proxy counts connections');
  const during = await p.state();
  assert.deepEqual([during.regionTop, during.regionBottom], [0, ROWS - 2], 'the program scrolls in every row but the last');
  assert.equal(first.filter(isStatus).length, 1, 'the status line is drawn once, at the bottom');
  const elapsed = (row: string): number => Number(/⏱ (\d+)s/.exec(row)?.[1]);
  const later = await p.waitFor((s) => elapsed(statusRow(s)) > elapsed(line), 'a newer elapsed time', 3000);
  assert.match(statusRow(later), /mem \d/, 'figures from the monitor');
  await p.waitFor((s) => s.some((l) => l.startsWith('EXIT=')), 'the end of the run');
  const history = await p.history();
  const lines = history.split('\n').filter((l) => l.startsWith('line '));
  assert.deepEqual(lines.map((l) => l.trimEnd()), Array.from({ length: 60 }, (_, i) => `line ${String(i).padStart(2, '0')} été green end`), 'every line whole and in order');
  assert.match(history, /EXIT=0/);
  await assertRestored(p);
});

test('an interactive program in a TTY works under the status line and is told the terminal is one row shorter', { timeout: 120_000 }, async () => {
  const p = await pane();
  await p.keys(saferunCommand('--yes', 'ask.py'), 'Enter');
  const asking = await p.waitFor((s) => s.some((l) => l.startsWith('name?')) && isStatus(statusRow(s)), 'the prompt');
  assert.ok(asking.some((l) => l === `rows ${ROWS - 1}`), asking.join('\n'));
  await p.keys('ada', 'Enter');
  await p.waitFor((s) => s.some((l) => l.startsWith('EXIT=')), 'the end of the run');
  const screen = await p.screen();
  assert.ok(screen.includes('hello ada'), screen.join('\n'));
  assert.ok(screen.includes('EXIT=0'));
  await assertRestored(p);
});

test('Ctrl-C ends the program and gives the terminal back', { timeout: 120_000 }, async () => {
  const p = await pane();
  await p.keys(saferunCommand('--yes', 'sleepy.py'), 'Enter');
  await p.waitFor((s) => s.includes('sleeping') && isStatus(statusRow(s)), 'the program to start');
  await p.keys('C-c');
  const end = await p.waitFor((s) => s.some((l) => l.startsWith('EXIT=')), 'the end of the run', 30_000);
  assert.ok(end.some((l) => /KeyboardInterrupt/.test(l)), 'the program got the Ctrl-C (its terminal is raw)');
  await assertRestored(p);
});

for (const flag of ['--no-live', '--quiet']) {
  test(`${flag} draws no status line and leaves the scroll region alone`, { timeout: 120_000 }, async () => {
    const p = await pane();
    await p.keys(saferunCommand('--yes', flag, 'count.py'), 'Enter');
    await p.waitFor((s) => s.some((l) => l.startsWith('line 30')), 'output');
    const s = await p.state();
    assert.deepEqual([s.regionTop, s.regionBottom], [0, ROWS - 1]);
    assert.ok(!(await p.screen()).some(isStatus));
    await p.waitFor((sc) => sc.some((l) => l.startsWith('EXIT=')), 'the end of the run');
  });
}

test('a crash of saferun while the line is shown still gives the terminal back', { timeout: 60_000 }, async () => {
  const p = await pane();
  const pinned = path.join(packageRoot(), 'dist', 'src', 'live', 'pinned-line.js');
  const crash = `import { PinnedStatusLine } from ${JSON.stringify(pinned)};
const line = new PinnedStatusLine(process.stderr, () => 'saferun ⏱ crash test');
line.start();
console.log('drawn');
setTimeout(() => { throw new Error('boom'); }, 1500);`;
  writeFileSync(path.join(dir, 'crash.mjs'), crash);
  await p.keys(`${quote(process.execPath)} crash.mjs; echo EXIT=$?`, 'Enter');
  const during = await p.waitFor((s) => isStatus(statusRow(s)), 'the line');
  assert.equal(statusRow(during), 'saferun ⏱ crash test');
  await p.waitFor((s) => s.some((l) => l.startsWith('EXIT=1')), 'the crash');
  await assertRestored(p);
});
