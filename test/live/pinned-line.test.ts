/** The pinned line's bytes: set the region, draw between save/restore, never inside the program's sequences, restore. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { EventEmitter } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { PinnedStatusLine } from '../../src/live/pinned-line.js';

const ESC = '\u001b';

function fakeTerminal(rows: number): { terminal: EventEmitter & { fd: number; rows: number; columns: number }; output: () => string; program: Writable; done: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'saferun-pinned-'));
  const file = path.join(dir, 'tty');
  const fd = openSync(file, 'w');
  const terminal = Object.assign(new EventEmitter(), { fd, rows, columns: 60 });
  const program = new Writable({
    write(chunk: Buffer, _e, cb) {
      writeSync(fd, chunk);
      cb();
    },
  });
  return {
    terminal,
    program,
    output: () => readFileSync(file, 'utf8'),
    done: () => {
      closeSync(fd);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

test('start sets the region above the last row, draws there, and stop gives everything back', () => {
  const t = fakeTerminal(24);
  const line = new PinnedStatusLine(t.terminal, () => 'STATUS', 60_000);
  line.start();
  assert.equal(line.rowsForProgram, 23);
  line.stop();
  assert.equal(line.rowsForProgram, 24);
  const out = t.output();
  t.done();
  assert.ok(out.startsWith(`\n${ESC}[1A${ESC}7${ESC}[1;23r${ESC}8`), JSON.stringify(out));
  assert.ok(out.includes(`${ESC}7${ESC}[24;1H${ESC}[2KSTATUS${ESC}8`));
  assert.ok(out.endsWith(`${ESC}7${ESC}[24;1H${ESC}[2K${ESC}8${ESC}7${ESC}[r${ESC}8${ESC}[?25h`));
});

test('a drawing asked for mid-sequence waits for the sequence to end', async () => {
  const t = fakeTerminal(10);
  let n = 0;
  const line = new PinnedStatusLine(t.terminal, () => `STATUS${++n}`, 60_000);
  line.start();
  const program = line.wrap(t.program);
  await new Promise<void>((r) => program.write(`hello ${ESC}[3`, () => r()));
  line.refresh();
  await new Promise<void>((r) => program.write(`1mred${ESC}[0m\n`, () => r()));
  line.stop();
  const out = t.output();
  t.done();
  assert.ok(out.includes(`hello ${ESC}[31mred${ESC}[0m\n${ESC}7${ESC}[10;1H${ESC}[2KSTATUS2${ESC}8`), JSON.stringify(out));
});

test('a terminal resize moves the line to the new last row and the program is told the new size', () => {
  const t = fakeTerminal(10);
  const line = new PinnedStatusLine(t.terminal, () => 'S', 60_000);
  line.start();
  t.terminal.rows = 30;
  assert.equal(line.rowsForProgram, 29, 'read live, whichever resize listener runs first');
  t.terminal.emit('resize');
  line.stop();
  const out = t.output();
  t.done();
  assert.ok(out.includes(`${ESC}7${ESC}[1;29r${ESC}8${ESC}7${ESC}[30;1H${ESC}[2KS${ESC}8`), JSON.stringify(out));
});

test('a program that resets the scroll region gets ours back at the next safe point', async () => {
  const t = fakeTerminal(10);
  const line = new PinnedStatusLine(t.terminal, () => 'S', 60_000);
  line.start();
  const program = line.wrap(t.program);
  await new Promise<void>((r) => program.write(`${ESC}[r${ESC}[1`, () => r()));
  await new Promise<void>((r) => program.write('m\n', () => r()));
  line.stop();
  const out = t.output();
  t.done();
  assert.ok(out.includes(`${ESC}[r${ESC}[1m\n${ESC}7${ESC}[1;9r${ESC}8`), JSON.stringify(out));
});
