/** The recovery promise end to end: a destructive program in the sandbox, then an exact restore. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { assertEngineReachable } from '../support/engine.js';
import { assertNoSaferunLeftovers } from '../support/leftovers.js';
import { saferun, tempWorkdir } from '../support/saferun.js';
import { describeTree } from '../snapshot/support.js';

let work: string;
let out: string;
let state: string;

before(async () => {
  await assertEngineReachable();
  work = tempWorkdir('saferun-work-');
  out = tempWorkdir('saferun-out-');
  state = tempWorkdir('saferun-state-');
  writeFileSync(
    path.join(work, 'ransom.py'),
    [
      'import os',
      'out = os.environ["SAFERUN_OUTPUT"]',
      'for root, dirs, files in os.walk(out):',
      '    for name in files:',
      '        p = os.path.join(root, name)',
      '        if os.path.islink(p):',
      '            continue',
      '        data = open(p, "rb").read()',
      '        open(p, "wb").write(bytes(b ^ 0x5A for b in data))',
      'os.remove(os.path.join(out, "notes.txt"))',
      'os.rename(os.path.join(out, "photos", "cat.jpg"), os.path.join(out, "photos", "cat.jpg.locked"))',
      'open(os.path.join(out, "README_PAY_UP.txt"), "w").write("send coins")',
      'os.makedirs(os.path.join(out, "junk", "deep"))',
      'os.chmod(os.path.join(out, "report.csv"), 0o600)',
      'print("done")',
      '',
    ].join('\n'),
  );
  mkdirSync(path.join(out, 'photos'), { recursive: true });
  mkdirSync(path.join(out, 'empty'), { recursive: true });
  writeFileSync(path.join(out, 'notes.txt'), 'my notes\n');
  writeFileSync(path.join(out, 'report.csv'), 'a,b\n1,2\n');
  writeFileSync(path.join(out, 'photos', 'cat.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]));
  writeFileSync(path.join(out, 'ünïcode name.txt'), 'ü\n');
  symlinkSync('notes.txt', path.join(out, 'link-to-notes'));
  chmodSync(path.join(out, 'report.csv'), 0o644);
});

after(async () => {
  for (const dir of [work, out, state]) rmSync(dir, { recursive: true, force: true });
  await assertNoSaferunLeftovers();
});

test('a destructive program in the output dir, then restore: exactly the old tree', async () => {
  const original = describeTree(out);
  const reportFile = path.join(state, 'report.json');
  const env = { SAFERUN_STATE_DIR: state };
  const run = await saferun(['--profile', 'offline', '--output', out, '--report', reportFile, 'ransom.py'], { cwd: work, env });
  assert.equal(run.exitCode, 0, run.stderr);
  assert.equal(run.stdout, 'done\n');
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as { snapshot: { id: string; files: number; bytesAdded: number; durationMs: number } };
  assert.ok(report.snapshot.id, 'the report names the snapshot');
  assert.ok(report.snapshot.files >= 5);
  assert.match(run.stderr, new RegExp(`saferun snapshots restore ${report.snapshot.id}`), 'the user is told how to restore');
  assert.notDeepEqual(describeTree(out), original, 'the program did its damage');

  const diff = await saferun(['snapshots', 'diff', report.snapshot.id, '--json'], { cwd: work, env });
  const changes = (JSON.parse(diff.stdout) as { root: string; added: string[]; changed: string[]; deleted: string[] }[]).find((r) => r.root === out)!;
  assert.ok(changes.added.includes('README_PAY_UP.txt'));
  assert.ok(changes.deleted.includes('notes.txt'));
  assert.ok(changes.changed.includes('report.csv'));

  const dry = await saferun(['snapshots', 'restore', report.snapshot.id, '--dry-run'], { cwd: work, env });
  assert.equal(dry.exitCode, 0, dry.stderr);
  assert.match(dry.stderr, /remove\s+README_PAY_UP\.txt/);
  assert.notDeepEqual(describeTree(out), original, '--dry-run changes nothing');

  const refused = await saferun(['snapshots', 'restore', report.snapshot.id], { cwd: work, env });
  assert.equal(refused.exitCode, 2, 'no terminal and no --yes: refused');
  assert.match(refused.stderr, /confirm on a terminal, or pass --yes/);

  const restored = await saferun(['snapshots', 'restore', report.snapshot.id, '--yes'], { cwd: work, env });
  assert.equal(restored.exitCode, 0, restored.stderr);
  assert.deepEqual(describeTree(out), original);
});

test('snapshots list shows the run snapshot; a second run adds no bytes for unchanged files', async () => {
  const env = { SAFERUN_STATE_DIR: state };
  const reportFile = path.join(state, 'report2.json');
  writeFileSync(path.join(work, 'noop.py'), 'print("noop")\n');
  const run = await saferun(['--profile', 'strict', '--output', out, '--report', reportFile, 'noop.py'], { cwd: work, env });
  assert.equal(run.exitCode, 0, run.stderr);
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as { snapshot: { bytesAdded: number } };
  assert.equal(report.snapshot.bytesAdded, 'print("noop")\n'.length, 'only the new script is new content');
  const list = await saferun(['snapshots', 'list', '--json'], { cwd: work, env });
  assert.ok((JSON.parse(list.stdout) as unknown[]).length >= 2);
  const skipped = await saferun(['--profile', 'strict', '--no-snapshot', '--json', 'noop.py'], { cwd: work, env });
  assert.ok(!skipped.stdout.includes('"snapshot"'), '--no-snapshot takes none');
});

test('holes 3, 5 and 6 end to end: planted ignore file and hidden files, a same-stat edit, then a run that deletes', async () => {
  const project = tempWorkdir('saferun-work-');
  const output = tempWorkdir('saferun-out-');
  const env = { SAFERUN_STATE_DIR: tempWorkdir('saferun-state-') };
  try {
    writeFileSync(path.join(output, 'config.txt'), 'mode = safe\n');
    writeFileSync(path.join(output, 'results.csv'), 'precious\n');
    const { utimesSync } = await import('node:fs');
    utimesSync(path.join(output, 'config.txt'), 1_700_000_000, 1_700_000_000);
    const original = describeTree(output);
    writeFileSync(
      path.join(project, 'plant.py'),
      [
        'import os',
        'out = os.environ["SAFERUN_OUTPUT"]',
        'open(os.path.join(out, ".saferunignore"), "w").write("*\\n")',
        'os.makedirs(os.path.join(out, "__pycache__"))',
        'open(os.path.join(out, "__pycache__", "x.pyc"), "wb").write(b"bytecode")',
        'os.makedirs(os.path.join(out, ".git", "hooks"))',
        'open(os.path.join(out, ".git", "hooks", "pre-commit"), "w").write("#!/bin/sh\\n")',
        'p = os.path.join(out, "config.txt")',
        'st = os.stat(p)',
        'open(p, "w").write("mode = evil\\n")',
        'os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))',
        '',
      ].join('\n'),
    );
    writeFileSync(path.join(project, 'wipe.py'), 'import os\nos.remove(os.path.join(os.environ["SAFERUN_OUTPUT"], "results.csv"))\n');
    const runOnce = async (script: string): Promise<string> => {
      const reportFile = path.join(env.SAFERUN_STATE_DIR, `${script}.json`);
      const run = await saferun(['--profile', 'offline', '--output', output, '--report', reportFile, script], { cwd: project, env });
      assert.equal(run.exitCode, 0, run.stderr);
      return (JSON.parse(readFileSync(reportFile, 'utf8')) as { snapshot: { id: string } }).snapshot.id;
    };
    const first = await runOnce('plant.py');
    const diff = await saferun(['snapshots', 'diff', first, '--json'], { cwd: project, env });
    const changes = (JSON.parse(diff.stdout) as { root: string; added: string[]; changed: string[] }[]).find((r) => r.root === output)!;
    assert.deepEqual(changes.added.sort(), ['.git', '.git/hooks', '.git/hooks/pre-commit', '.saferunignore', '__pycache__', '__pycache__/x.pyc']);
    assert.deepEqual(changes.changed, ['config.txt'], 'the same-length rewrite with its mtime put back is seen');

    const second = await runOnce('wipe.py'); // its snapshot must still hold results.csv despite the planted '*'
    const restoredSecond = await saferun(['snapshots', 'restore', second, '--yes'], { cwd: project, env });
    assert.equal(restoredSecond.exitCode, 0, restoredSecond.stderr);
    assert.equal(readFileSync(path.join(output, 'results.csv'), 'utf8'), 'precious\n', 'the planted .saferunignore did not switch off the backup');

    const restoredFirst = await saferun(['snapshots', 'restore', first, '--yes'], { cwd: project, env });
    assert.equal(restoredFirst.exitCode, 0, restoredFirst.stderr);
    assert.deepEqual(describeTree(output), original, 'planted files gone, config.txt back');
  } finally {
    for (const dir of [project, output, env.SAFERUN_STATE_DIR]) rmSync(dir, { recursive: true, force: true });
  }
});
