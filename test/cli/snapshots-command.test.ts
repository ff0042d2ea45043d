/** `saferun snapshots` as a user runs it, without a container: list, show, diff, restore, prune, export, import. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
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

/** A hand-made export: `manifest` as given, and the objects for these contents. */
async function handMadeTar(file: string, manifest: object | string, contents: string[] = [], extra: { name: string; body: string }[] = []): Promise<void> {
  const { pack } = await import('tar-stream');
  const { createHash } = await import('node:crypto');
  const { createWriteStream } = await import('node:fs');
  const { pipeline } = await import('node:stream/promises');
  const tar = pack();
  for (const e of extra) tar.entry({ name: e.name }, e.body);
  tar.entry({ name: 'manifest.json' }, typeof manifest === 'string' ? manifest : JSON.stringify(manifest));
  for (const content of contents) {
    const hash = createHash('sha256').update(content).digest('hex');
    tar.entry({ name: `objects/${hash.slice(0, 2)}/${hash.slice(2)}` }, content);
  }
  tar.finalize();
  await pipeline(tar, createWriteStream(file));
}

test('hole 10: an imported tar whose root is another directory, with an id that sorts newest, cannot write there', async () => {
  const { createHash } = await import('node:crypto');
  const victim = path.join(base, 'victim-home');
  mkdirSync(path.join(victim, '.ssh'), { recursive: true });
  writeFileSync(path.join(victim, '.ssh', 'authorized_keys'), 'ssh-ed25519 mine\n');
  const before = describeTree(victim);
  const key = 'ssh-ed25519 attacker\n';
  const hash = createHash('sha256').update(key).digest('hex');
  const id = '20991231235959000-999ffffff';
  const evilEnv = { SAFERUN_STATE_DIR: path.join(base, 'evil-state') };
  const tarFile = path.join(base, 'evil.tar');
  const entries = [
    { path: '.ssh', type: 'dir', mode: 0o700, size: 0, mtimeMs: 0 },
    { path: '.ssh/authorized_keys', type: 'file', mode: 0o600, size: key.length, mtimeMs: 0, hash },
  ];
  const manifest = (when: string, snapshotId: string): object => ({ version: 1, id: snapshotId, createdAt: when, files: 1, bytes: key.length, roots: [{ path: victim, entries }] });
  await handMadeTar(tarFile, manifest('2099-12-31T23:59:59.000Z', id), [key]);
  const future = await saferun(['snapshots', 'import', tarFile], { cwd: base, env: evilEnv });
  assert.notEqual(future.exitCode, 0);
  assert.match(future.stderr, /dated in the future/);

  const now = new Date();
  const plausibleId = `${now.toISOString().replace(/[-:TZ.]/g, '')}-999ffffff`; // sorts newest in this store
  await handMadeTar(tarFile, manifest(now.toISOString(), plausibleId), [key]);
  const imported = await saferun(['snapshots', 'import', tarFile], { cwd: base, env: evilEnv });
  assert.equal(imported.exitCode, 0, imported.stderr);
  assert.match(imported.stdout, /--to DIR/);
  const list = await saferun(['snapshots', 'list'], { cwd: base, env: evilEnv });
  assert.match(list.stdout, /\(imported\)/);

  const refused = await saferun(['snapshots', 'restore', plausibleId, '--yes'], { cwd: base, env: evilEnv });
  assert.equal(refused.exitCode, 2, refused.stderr);
  assert.match(refused.stderr, /was imported.*--to DIR/s);
  assert.deepEqual(describeTree(victim), before, '--yes does not stand in for naming the directory');

  const elsewhere = path.join(base, 'inspect-import');
  const diff = await saferun(['snapshots', 'diff', plausibleId, '--json'], { cwd: base, env: evilEnv });
  assert.equal(diff.exitCode, 1);
  const intoOwn = await saferun(['snapshots', 'restore', plausibleId, '--to', elsewhere, '--yes'], { cwd: base, env: evilEnv });
  assert.equal(intoOwn.exitCode, 0, intoOwn.stderr);
  assert.equal(readFileSync(path.join(elsewhere, '.ssh', 'authorized_keys'), 'utf8'), key);
  assert.deepEqual(describeTree(victim), before);
});

test('14a and 14b: a tar with a file named objects, and a manifest with a non-numeric mtime, give clear errors and leave nothing', async () => {
  const badEnv = { SAFERUN_STATE_DIR: path.join(base, 'bad-state') };
  const objectsFile = path.join(base, 'objects-file.tar');
  await handMadeTar(objectsFile, { version: 1 }, [], [{ name: 'objects', body: 'not a directory' }]);
  const imported = await saferun(['snapshots', 'import', objectsFile], { cwd: base, env: badEnv });
  assert.notEqual(imported.exitCode, 0);
  assert.match(imported.stderr, /import refused: unexpected entry "objects" \(file\)/);
  assert.doesNotMatch(imported.stderr, /ENOTDIR|\n\s+at /, 'no stack trace');

  const target = path.join(base, 'mtime-target');
  mkdirSync(target);
  writeFileSync(path.join(target, 'a.txt'), 'a\n');
  const snap = await snapshotBeforeRun([target], { store: new SnapshotStore(path.join(base, 'bad-state', 'snapshots')) });
  const file = path.join(base, 'bad-state', 'snapshots', 'manifests', `${snap.id}.json`);
  writeFileSync(file, readFileSync(file, 'utf8').replace(/"mtimeMs":[0-9.e+]+/, '"mtimeMs":"yesterday"'));
  rmSync(path.join(target, 'a.txt'));
  const restored = await saferun(['snapshots', 'restore', snap.id, '--yes'], { cwd: base, env: badEnv });
  assert.notEqual(restored.exitCode, 0);
  assert.match(restored.stderr, /bad mtimeMs "yesterday"/);
  assert.doesNotMatch(restored.stderr, /EINVAL|\n\s+at /, 'no stack trace');
  assert.deepEqual(readdirSync(target), [], 'no .saferun-restore-* left behind');

  const list = await saferun(['snapshots', 'list', '--json'], { cwd: base, env: badEnv });
  assert.equal(list.exitCode, 0, 'a damaged manifest does not break list');
  assert.match(list.stderr, /is damaged and left alone/);
  const prune = await saferun(['snapshots', 'prune', '--keep', '5'], { cwd: base, env: badEnv });
  assert.equal(prune.exitCode, 0, prune.stderr);
  assert.match(prune.stderr, /is damaged and was kept/);
});
