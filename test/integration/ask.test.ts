/** The "ask" policy: a question on a terminal, a refusal without one, --yes to answer ahead. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { assertEngineReachable } from '../support/engine.js';
import { assertNoSaferunLeftovers } from '../support/leftovers.js';
import { BIN, saferun, tempWorkdir } from '../support/saferun.js';

let dir: string;

before(async () => {
  await assertEngineReachable();
  dir = tempWorkdir();
  writeFileSync(path.join(dir, 'hello.py'), 'print("ran")\n');
  writeFileSync(path.join(dir, 'always-ask.yaml'), 'extends: strict\npolicy:\n  low: ask\n  medium: ask\n  high: ask\n  critical: ask\n');
});

after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await assertNoSaferunLeftovers();
});

test('without a terminal, ask means no: blocked with a hint, nothing runs', async () => {
  const result = await saferun(['--profile', 'always-ask.yaml', 'hello.py'], { cwd: dir });
  assert.equal(result.exitCode, 120);
  assert.equal(result.stdout, '');
  assert.match(result.stderr, /needs a yes under profile always-ask: no terminal to ask on, pass --yes/);
});

test('--yes answers the question ahead', async () => {
  const result = await saferun(['--profile', 'always-ask.yaml', '--yes', '--json', 'hello.py'], { cwd: dir });
  assert.equal(result.exitCode, 0, result.stderr);
  assert.ok(result.stdout.startsWith('ran\n'));
  assert.equal((JSON.parse(result.stdout.slice(4)) as { decision: string }).decision, 'ask-yes');
});

/** Runs saferun under a pseudo-terminal (util-linux `script`), typing `answer` at the prompt. */
async function onTerminal(answer: string): Promise<{ exitCode: number; output: string }> {
  const command = `${process.execPath} ${BIN} --profile always-ask.yaml hello.py`;
  const result = await execa('script', ['-qec', command, '/dev/null'], { cwd: dir, input: `${answer}\n`, reject: false, env: { NO_COLOR: '1', COLUMNS: '100' }, timeout: 60_000 });
  // `script` may send a NUL when its own stdin ends; the terminal echoes it raw or as "^@".
  // Neither is part of what saferun or the program printed.
  return { exitCode: result.exitCode ?? -1, output: String(result.stdout).replace(/\0|\^@/g, '') };
}

test('on a terminal, saferun asks; y runs the program', async () => {
  const { exitCode, output } = await onTerminal('y');
  assert.match(output, /Run it anyway\? \[y\/N\]/);
  assert.match(output, /^ran\r*$/m);
  assert.equal(exitCode, 0);
});

test('on a terminal, anything but yes refuses', async () => {
  const { exitCode, output } = await onTerminal('n');
  assert.match(output, /Run it anyway\? \[y\/N\]/);
  assert.doesNotMatch(output, /^ran\r*$/m);
  assert.equal(exitCode, 120);
});
