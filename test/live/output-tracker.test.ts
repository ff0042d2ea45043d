/** Where the status line may be drawn in the program's output without cutting into it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OutputTracker } from '../../src/live/output-tracker.js';

const ESC = '\u001b';

test('never inside an escape sequence, an OSC title or a UTF-8 character', () => {
  const t = new OutputTracker(() => 23);
  t.feed('plain text\n');
  assert.ok(t.atBoundary);
  t.feed(`${ESC}[3`);
  assert.ok(!t.atBoundary, 'CSI half written');
  t.feed('1mred');
  assert.ok(t.atBoundary);
  t.feed(`${ESC}]0;a title`);
  assert.ok(!t.atBoundary, 'OSC until BEL');
  t.feed('\u0007');
  assert.ok(t.atBoundary);
  const euro = Buffer.from('€');
  t.feed(euro.subarray(0, 2));
  assert.ok(!t.atBoundary, 'two bytes of a three-byte character');
  t.feed(euro.subarray(2));
  assert.ok(t.atBoundary);
  t.feed(`${ESC}(`);
  assert.ok(!t.atBoundary, 'charset designation takes one more byte');
  t.feed('B');
  assert.ok(t.atBoundary);
});

test('a cursor the program saved holds the drawing until it is restored', () => {
  const t = new OutputTracker(() => 23);
  t.feed(`${ESC}7`);
  assert.ok(t.cursorSaved);
  t.feed(`${ESC}8`);
  assert.ok(!t.cursorSaved);
  t.feed(`${ESC}[s`);
  assert.ok(t.cursorSaved);
  t.feed(`${ESC}[u`);
  assert.ok(!t.cursorSaved);
});

test('a scroll region reaching our row, a reset or leaving the alternate screen asks for ours again', () => {
  const t = new OutputTracker(() => 23);
  t.feed(`${ESC}[2;20r`);
  assert.equal(t.takeRegionReset(), false, 'a region inside ours is the program\'s business');
  t.feed(`${ESC}[r`);
  assert.equal(t.takeRegionReset(), true);
  assert.equal(t.takeRegionReset(), false, 'taken once');
  t.feed(`${ESC}[1;24r`);
  assert.equal(t.takeRegionReset(), true);
  t.feed(`${ESC}[?1049h`);
  assert.ok(t.altScreen);
  t.feed(`${ESC}[?1049l`);
  assert.ok(!t.altScreen);
  assert.equal(t.takeRegionReset(), true);
  t.feed(`${ESC}c`);
  assert.equal(t.takeRegionReset(), true);
});
