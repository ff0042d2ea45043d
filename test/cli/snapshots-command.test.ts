/** `saferun snapshots` as a user runs it, without a container: list, show, diff, restore, prune, export, import. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { saferun } from '../support/saferun.js';
import { describeTree } from '../snapshot/support.js';
import { SnapshotStore } from '../../src/snapshot/store.js';
import { snapshotBeforeRun } from '../../src/snapshot/index.js';

let base: string;
let tree: string;
let env: Record<string, string>;
let store: SnapshotStore;

before(() => {
  base = mkdtempSync(path.join(os.tmpdir(), 'saferun-snapcli-'));
  tree = path.join(base, 'tree');
  env = { SAFERUN_STATE_DIR: path.join(base, 'state') };
  store = new SnapshotStore(path.join(base, 'state', 'snapshots'));
  mkdirSync(path.join(tree, 'sub', 'empty'), { recursive: true });
  writeFileSync(path.join(tree, 'data.csv'), 'a,b\n1,2\n');
  writeFileSync(path.join(tree, 'sub', 'run.sh'), '#!/bin/sh\necho hi\n');
  chmodSync(path.join(tree, 'sub', 'run.sh'), 0o755);
  writeFileSync(path.join(tree, '-dash name\n.txt'), 'odd\n');
  symlinkSync('data.csv', path.join(tree, 'link'));
});
after(() => rmSync(base, { recursive: true, force: true }));

const take = (roots: string[]): ReturnType<typeof snapshotBeforeRun> => snapshotBeforeRun(roots, { store });

test('list, show and diff describe the snapshot and what changed since', async () => {
  const snap = await take([tree]);
  const list = await saferun(['snapshots', 'list', '--json'], { cwd: base, env });
  assert.equal(list.exitCode, 0, list.stderr);
  const rows = JSON.parse(list.stdout) as { id: string; roots: string[] }[];
  assert.ok(rows.some((r) => r.id === snap.id && r.roots[0] === tree));

  const show = await saferun(['snapshots', 'show', snap.id], { cwd: base, env });
  assert.equal(show.exitCode, 0, show.stderr);
  assert.match(show.stdout, /file\s+0755\s+\d+ sub\/run\.sh/);
  assert.match(show.stdout, /symlink .* link -> data\.csv/);

  const clean = await saferun(['snapshots', 'diff', snap.id, '--json'], { cwd: base, env });
  assert.equal(clean.exitCode, 0, 'an unchanged tree diffs clean');

  writeFileSync(path.join(tree, 'data.csv'), 'tampered\n');
  writeFileSync(path.join(tree, 'new.txt'), 'new\n');
  unlinkSync(path.join(tree, 'sub', 'run.sh'));
  const diff = await saferun(['snapshots', 'diff', snap.id, '--json'], { cwd: base, env });
  assert.equal(diff.exitCode, 1, 'a changed tree exits 1');
  const [root] = JSON.parse(diff.stdout) as { added: string[]; changed: string[]; deleted: string[] }[];
  assert.deepEqual(root, { root: tree, added: ['new.txt'], changed: ['data.csv'], deleted: ['sub/run.sh'] });

  // Put the tree back for the next tests.
  const restored = await saferun(['snapshots', 'restore', snap.id, '--yes'], { cwd: base, env });
  assert.equal(restored.exitCode, 0, restored.stderr);
});

test('restore previews, refuses without a terminal or --yes, and then makes the tree exact', async () => {
  const original = describeTree(tree);
  const snap = await take([tree]);
  writeFileSync(path.join(tree, 'data.csv'), 'encrypted!!\n');
  chmodSync(path.join(tree, 'sub', 'run.sh'), 0o600);
  rmSync(path.join(tree, 'sub', 'empty'), { recursive: true });
  mkdirSync(path.join(tree, 'dropped', 'deep'), { recursive: true });
  writeFileSync(path.join(tree, 'dropped', 'deep', 'x'), 'x');
  const changed = describeTree(tree);

  const dry = await saferun(['snapshots', 'restore', snap.id, '--dry-run'], { cwd: base, env });
  assert.equal(dry.exitCode, 0, dry.stderr);
  assert.match(dry.stderr, /remove\s+dropped/);
  assert.match(dry.stderr, /write\s+data\.csv/);
  assert.deepEqual(describeTree(tree), changed, '--dry-run changes nothing');

  const refused = await saferun(['snapshots', 'restore', snap.id], { cwd: base, env });
  assert.equal(refused.exitCode, 2);
  assert.match(refused.stderr, /write\s+data\.csv/, 'the preview is printed before refusing');
  assert.match(refused.stderr, /pass --yes/);
  assert.deepEqual(describeTree(tree), changed, 'a refused restore changes nothing');

  const ambiguous = await saferun(['snapshots', 'restore', snap.id.slice(0, 8), '--yes'], { cwd: base, env });
  assert.match(ambiguous.stderr, /matches \d+ snapshots; give more of the id/);
  assert.deepEqual(describeTree(tree), changed, 'an ambiguous id changes nothing');

  const done = await saferun(['snapshots', 'restore', snap.id.slice(0, -2), '--yes'], { cwd: base, env });
  assert.equal(done.exitCode, 0, done.stderr);
  assert.deepEqual(describeTree(tree), original);
});

test('restore --to, export and import carry a snapshot to another place', async () => {
  const original = describeTree(tree);
  const snap = await take([tree]);
  const tarFile = path.join(base, 'snap.tar');
  const exported = await saferun(['snapshots', 'export', snap.id, '--output', tarFile], { cwd: base, env });
  assert.equal(exported.exitCode, 0, exported.stderr);
  assert.ok(readFileSync(tarFile).length > 0);

  const otherEnv = { SAFERUN_STATE_DIR: path.join(base, 'other-state') };
  const imported = await saferun(['snapshots', 'import', tarFile], { cwd: base, env: otherEnv });
  assert.equal(imported.exitCode, 0, imported.stderr);
  const elsewhere = path.join(base, 'elsewhere');
  const restored = await saferun(['snapshots', 'restore', snap.id, '--to', elsewhere, '--yes'], { cwd: base, env: otherEnv });
  assert.equal(restored.exitCode, 0, restored.stderr);
  assert.deepEqual(describeTree(elsewhere), original);
});

test('bad ids and bad counts get a clear message and a usage exit code; prune keeps the newest', async () => {
  const unknown = await saferun(['snapshots', 'show', 'zzzz'], { cwd: base, env });
  assert.notEqual(unknown.exitCode, 0);
  assert.match(unknown.stderr, /no snapshot 'zzzz'/);
  const hostile = await saferun(['snapshots', 'restore', '../../etc', '--yes'], { cwd: base, env });
  assert.notEqual(hostile.exitCode, 0);
  assert.match(hostile.stderr, /is not a snapshot id/);
  const badKeep = await saferun(['snapshots', 'prune', '--keep', '-1'], { cwd: base, env });
  assert.equal(badKeep.exitCode, 2);
  assert.match(badKeep.stderr, /--keep: '-1' is not a count/);
  const noTar = await saferun(['snapshots', 'import', path.join(base, 'missing.tar')], { cwd: base, env });
  assert.notEqual(noTar.exitCode, 0);

  const newest = await take([tree]);
  const prune = await saferun(['snapshots', 'prune', '--keep', '1'], { cwd: base, env });
  assert.equal(prune.exitCode, 0, prune.stderr);
  assert.deepEqual(await store.listIds(), [newest.id]);
  rmSync(path.join(tree, 'data.csv'));
  const restored = await saferun(['snapshots', 'restore', newest.id, '--yes'], { cwd: base, env });
  assert.equal(restored.exitCode, 0, restored.stderr);
  assert.ok(existsSync(path.join(tree, 'data.csv')), 'the kept snapshot still has its content after prune');
});

test('a .saferunignore planted by the program does not hide what it dropped from restore', async () => {
  const planted = path.join(base, 'planted');
  mkdirSync(planted);
  writeFileSync(path.join(planted, 'keep.txt'), 'mine\n');
  const original = describeTree(planted);
  const snap = await take([planted]);
  writeFileSync(path.join(planted, 'keep.txt'), 'encrypted\n');
  writeFileSync(path.join(planted, 'dropper.bin'), 'payload');
  writeFileSync(path.join(planted, '.saferunignore'), '*\n');
  const diff = await saferun(['snapshots', 'diff', snap.id, '--json'], { cwd: base, env });
  const [root] = JSON.parse(diff.stdout) as { added: string[]; changed: string[] }[];
  assert.deepEqual(root!.added.sort(), ['.saferunignore', 'dropper.bin']);
  assert.deepEqual(root!.changed, ['keep.txt']);
  const restored = await saferun(['snapshots', 'restore', snap.id, '--yes'], { cwd: base, env });
  assert.equal(restored.exitCode, 0, restored.stderr);
  assert.deepEqual(describeTree(planted), original);
});

test('a snapshot root swapped for a symlink is refused, and nothing behind the link is touched', async () => {
  const root = path.join(base, 'swapped');
  const elsewhere = path.join(base, 'precious');
  mkdirSync(root);
  mkdirSync(elsewhere);
  writeFileSync(path.join(root, 'a.txt'), 'a\n');
  writeFileSync(path.join(elsewhere, 'precious.txt'), 'do not delete\n');
  const snap = await take([root]);
  rmSync(root, { recursive: true });
  symlinkSync(elsewhere, root);
  const before = describeTree(elsewhere);
  const refused = await saferun(['snapshots', 'restore', snap.id, '--yes'], { cwd: base, env });
  assert.notEqual(refused.exitCode, 0);
  assert.match(refused.stderr, /restore refused: .* is not a directory/);
  assert.deepEqual(describeTree(elsewhere), before, 'restore did not follow the link');
});
