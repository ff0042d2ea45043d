import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { pack } from 'tar-stream';
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { validateManifest } from '../../src/snapshot/manifest.js';
import { executeRestore, planRestoreOf } from '../../src/snapshot/restore.js';
import { SnapshotStore } from '../../src/snapshot/store.js';
import { takeSnapshot } from '../../src/snapshot/take-snapshot.js';
import { exportSnapshot, importSnapshot, pruneSnapshots } from '../../src/snapshot/transfer.js';
import { packageRoot } from '../../src/util/package-info.js';
import { describeTree } from './support.js';

let base: string;
before(() => {
  base = mkdtempSync(path.join(os.tmpdir(), 'saferun-snap-'));
});
after(() => rmSync(base, { recursive: true, force: true }));

function fresh(name: string): { tree: string; store: SnapshotStore } {
  const tree = path.join(base, name, 'tree');
  mkdirSync(tree, { recursive: true });
  return { tree, store: new SnapshotStore(path.join(base, name, 'store')) };
}

/** fresh(), plus a second root beside the tree. */
function freshWithOther(name: string): { tree: string; other: string; store: SnapshotStore } {
  const { tree, store } = fresh(name);
  const other = path.join(path.dirname(tree), `${name}-other`);
  mkdirSync(other, { recursive: true });
  return { tree, other, store };
}

function buildOddTree(tree: string): void {
  mkdirSync(path.join(tree, 'empty dir'), { recursive: true });
  mkdirSync(path.join(tree, 'sub', 'deeper'), { recursive: true });
  writeFileSync(path.join(tree, 'plain.txt'), 'plain\n');
  writeFileSync(path.join(tree, 'ünïcødé ✓.txt'), 'unicode\n');
  writeFileSync(path.join(tree, 'new\nline'), 'newline in the name\n');
  writeFileSync(path.join(tree, '-leading-dash'), 'dash\n');
  writeFileSync(path.join(tree, 'sub', 'deeper', 'bin.dat'), Buffer.from([0, 1, 2, 255]));
  writeFileSync(path.join(tree, 'script.sh'), '#!/bin/sh\necho hi\n');
  chmodSync(path.join(tree, 'script.sh'), 0o755);
  writeFileSync(path.join(tree, 'secret'), 'private\n');
  chmodSync(path.join(tree, 'secret'), 0o600);
  chmodSync(path.join(tree, 'sub', 'deeper'), 0o750);
  symlinkSync('plain.txt', path.join(tree, 'rel-link'));
  symlinkSync('/etc/hostname', path.join(tree, 'abs-link'));
  symlinkSync('missing-target', path.join(tree, 'dangling'));
}

async function restore(store: SnapshotStore, id: string, target?: string): Promise<void> {
  const manifest = await store.readManifest(id);
  for (const root of manifest.roots) {
    const where = target ?? root.path;
    await executeRestore(await planRestoreOf(root, where), store, where);
  }
}

test('byte-exact round trip: modes, symlinks, empty dirs, unicode and odd names', async () => {
  const { tree, store } = fresh('roundtrip');
  buildOddTree(tree);
  const before = describeTree(tree);
  const snap = await takeSnapshot([tree], { store });
  assert.equal(snap.files, 7);
  // wreck it: change, delete, add, retype, remode
  writeFileSync(path.join(tree, 'plain.txt'), 'tampered\n');
  rmSync(path.join(tree, 'ünïcødé ✓.txt'));
  rmSync(path.join(tree, 'empty dir'), { recursive: true });
  writeFileSync(path.join(tree, 'added.txt'), 'new\n');
  mkdirSync(path.join(tree, 'added-dir', 'x'), { recursive: true });
  rmSync(path.join(tree, 'rel-link'));
  mkdirSync(path.join(tree, 'rel-link'));
  chmodSync(path.join(tree, 'secret'), 0o644);
  rmSync(path.join(tree, 'sub'), { recursive: true });
  symlinkSync('/', path.join(tree, 'sub'));
  await restore(store, snap.id);
  assert.deepEqual(describeTree(tree), before);
});

test('the same content is stored once; an unchanged tree adds nothing', async () => {
  const { tree, store } = fresh('dedup');
  for (let i = 0; i < 20; i++) writeFileSync(path.join(tree, `copy-${i}.txt`), 'same content\n');
  const first = await takeSnapshot([tree], { store });
  assert.equal(first.bytesAdded, 'same content\n'.length);
  const second = await takeSnapshot([tree], { store });
  assert.equal(second.bytesAdded, 0);
  assert.notEqual(second.id, first.id);
  assert.deepEqual(await store.listIds(), [second.id, first.id]);
});

test('.saferunignore and the defaults leave things out; the size cap says what to do', async () => {
  const { tree, store } = fresh('ignore');
  mkdirSync(path.join(tree, '.venv', 'lib'), { recursive: true });
  mkdirSync(path.join(tree, 'node_modules', 'x'), { recursive: true });
  mkdirSync(path.join(tree, 'data'), { recursive: true });
  writeFileSync(path.join(tree, '.venv', 'lib', 'a.py'), 'x');
  writeFileSync(path.join(tree, 'node_modules', 'x', 'i.js'), 'x');
  writeFileSync(path.join(tree, 'data', 'huge.bin'), Buffer.alloc(2 * 1024 * 1024));
  writeFileSync(path.join(tree, 'keep.py'), 'x');
  mkdirSync(path.join(tree, 'pkg', '__pycache__'), { recursive: true });
  writeFileSync(path.join(tree, 'pkg', '__pycache__', 'm.pyc'), 'x');
  writeFileSync(path.join(tree, 'pkg', 'venv'), 'a file, not a virtualenv');
  const defaultsOnly = await store.readManifest((await takeSnapshot([tree], { store, maxBytes: 64 * 1024 ** 2 })).id);
  assert.deepEqual(defaultsOnly.roots[0]!.entries.map((e) => e.path).sort(), ['data', 'data/huge.bin', 'keep.py', 'pkg', 'pkg/venv'], 'default excludes are directories at any depth');
  writeFileSync(path.join(tree, '.saferunignore'), 'data/\n');
  const snap = await takeSnapshot([tree], { store });
  const manifest = await store.readManifest(snap.id);
  assert.deepEqual(manifest.roots[0]!.entries.map((e) => e.path).sort(), ['.saferunignore', 'keep.py', 'pkg', 'pkg/venv']);
  rmSync(path.join(tree, '.saferunignore'));
  await assert.rejects(takeSnapshot([tree], { store, maxBytes: 1024 * 1024 }), /more than the 1m cap; exclude large paths in \.saferunignore/);
});

test('prune keeps the content the kept snapshots share', async () => {
  const { tree, store } = fresh('prune');
  writeFileSync(path.join(tree, 'shared.txt'), 'shared\n');
  writeFileSync(path.join(tree, 'old-only.txt'), 'old\n');
  const old = await takeSnapshot([tree], { store });
  rmSync(path.join(tree, 'old-only.txt'));
  writeFileSync(path.join(tree, 'new-only.txt'), 'new\n');
  const kept = await takeSnapshot([tree], { store });
  const result = await pruneSnapshots(store, 1);
  assert.deepEqual(result.removed, [old.id]);
  assert.equal(result.objectsRemoved, 1, 'only the content no kept snapshot uses');
  writeFileSync(path.join(tree, 'shared.txt'), 'changed\n');
  await restore(store, kept.id);
  assert.deepEqual(describeTree(tree), { 'new-only.txt': `file 644 ${Buffer.from('new\n').toString('base64')}`, 'shared.txt': `file 644 ${Buffer.from('shared\n').toString('base64')}` });
});

test('content a prune dropped is stored again by the next snapshot, though the file did not change', async () => {
  const { tree, other, store } = freshWithOther('prune-cached');
  writeFileSync(path.join(tree, 'kept.txt'), 'unchanged all along\n');
  writeFileSync(path.join(other, 'else.txt'), 'elsewhere\n');
  await takeSnapshot([tree], { store });
  await takeSnapshot([other], { store });
  await pruneSnapshots(store, 1); // only the other root's snapshot is kept: kept.txt's content goes
  const again = await takeSnapshot([tree], { store });
  assert.equal(again.bytesAdded, 'unchanged all along\n'.length, 'the stat cache no longer vouches for it');
  writeFileSync(path.join(tree, 'kept.txt'), 'damaged\n');
  await restore(store, again.id);
  assert.equal(readFileSync(path.join(tree, 'kept.txt'), 'utf8'), 'unchanged all along\n');
});

test('export and import carry a snapshot between stores', async () => {
  const { tree, store } = fresh('export');
  buildOddTree(tree);
  const snap = await takeSnapshot([tree], { store });
  const tarFile = path.join(base, 'export', 'snap.tar');
  await exportSnapshot(store, snap.id, createWriteStream(tarFile));
  const other = new SnapshotStore(path.join(base, 'export', 'other-store'));
  const imported = await importSnapshot(other, tarFile);
  assert.equal(imported.id, snap.id);
  const target = path.join(base, 'export', 'elsewhere');
  await restore(other, snap.id, target);
  assert.deepEqual(describeTree(target), describeTree(tree));
});

async function craftedTar(file: string, entries: { name: string; type?: 'file' | 'symlink'; linkname?: string; body?: string }[]): Promise<void> {
  const tar = pack();
  for (const e of entries) {
    if (e.type === 'symlink') tar.entry({ name: e.name, type: 'symlink', linkname: e.linkname! });
    else tar.entry({ name: e.name }, e.body ?? '');
  }
  tar.finalize();
  await pipeline(tar, createWriteStream(file));
}

test('crafted tars and manifests with traversal or symlink tricks are refused before anything is written', async () => {
  const { store } = fresh('hostile');
  const dir = path.join(base, 'hostile');
  const goodHash = 'a'.repeat(64);
  const manifest = (entries: object[]) => JSON.stringify({ version: 1, id: '20260101000000000-001abcdef', createdAt: '2026-01-01T00:00:00.100Z', files: 1, bytes: 1, roots: [{ path: '/tmp/x', entries }] });
  const cases: [string, Parameters<typeof craftedTar>[1], RegExp][] = [
    ['dotdot.tar', [{ name: '../../evil.txt', body: 'x' }], /unexpected entry/],
    ['abs.tar', [{ name: '/etc/evil', body: 'x' }], /unexpected entry/],
    ['link.tar', [{ name: 'objects', type: 'symlink', linkname: '/etc' }], /unexpected entry/],
    ['badpath.tar', [{ name: 'manifest.json', body: manifest([{ path: '../escape', type: 'file', mode: 420, size: 1, mtimeMs: 0, hash: goodHash }]) }], /unsafe path/],
    ['abspath.tar', [{ name: 'manifest.json', body: manifest([{ path: '/etc/passwd', type: 'file', mode: 420, size: 1, mtimeMs: 0, hash: goodHash }]) }], /unsafe path/],
    ['under-link.tar', [{ name: 'manifest.json', body: manifest([{ path: 'a', type: 'symlink', mode: 511, size: 0, mtimeMs: 0, target: '/etc' }, { path: 'a/passwd', type: 'file', mode: 420, size: 1, mtimeMs: 0, hash: goodHash }]) }], /lies under "a", which is a symlink/],
    ['missing-object.tar', [{ name: 'manifest.json', body: manifest([{ path: 'f', type: 'file', mode: 420, size: 1, mtimeMs: 0, hash: goodHash }]) }], /object a+ is missing/],
    ['wrong-hash.tar', [{ name: 'manifest.json', body: manifest([{ path: 'f', type: 'file', mode: 420, size: 1, mtimeMs: 0, hash: goodHash }]) }, { name: `objects/aa/${'a'.repeat(62)}`, body: 'not it' }], /does not match its hash/],
  ];
  for (const [name, entries, expected] of cases) {
    const file = path.join(dir, name);
    await craftedTar(file, entries);
    await assert.rejects(importSnapshot(store, file), expected, name);
  }
  assert.deepEqual(await store.listIds(), []);
  assert.ok(!existsSync(path.join(base, 'evil.txt')) && !existsSync('/etc/evil'));
  assert.throws(() => validateManifest({ version: 1, id: 'abcdef1', createdAt: '2026-01-01T00:00:00Z', files: 0, bytes: 0, roots: [{ path: '/x', entries: [{ path: 'a/./b', type: 'dir', mode: 493, size: 0, mtimeMs: 0 }] }] }, 'm'), /unsafe path/);
});

test('restore never writes through a symlink that appeared in the tree', async () => {
  const { tree, store } = fresh('swap');
  mkdirSync(path.join(tree, 'dir'));
  writeFileSync(path.join(tree, 'dir', 'file.txt'), 'inside\n');
  const snap = await takeSnapshot([tree], { store });
  const outside = path.join(base, 'swap', 'outside');
  mkdirSync(outside);
  rmSync(path.join(tree, 'dir'), { recursive: true });
  symlinkSync(outside, path.join(tree, 'dir'));
  await restore(store, snap.id);
  assert.deepEqual(readdirSync(outside), [], 'nothing was written outside');
  assert.equal(describeTree(tree)['dir/file.txt'], `file 644 ${Buffer.from('inside\n').toString('base64')}`);
});

test('an interrupted snapshot is not listed', async () => {
  const { tree, store } = fresh('interrupted');
  const payload = Buffer.alloc(64 * 1024, 7);
  for (let i = 0; i < 1500; i++) {
    payload.writeUInt32LE(i, 0);
    writeFileSync(path.join(tree, `f${i}.bin`), payload);
  }
  const script = `import(${JSON.stringify(path.join(packageRoot(), 'dist', 'src', 'snapshot', 'take-snapshot.js'))}).then(async (m) => { const { SnapshotStore } = await import(${JSON.stringify(path.join(packageRoot(), 'dist', 'src', 'snapshot', 'store.js'))}); await m.takeSnapshot([${JSON.stringify(tree)}], { store: new SnapshotStore(${JSON.stringify(store.root)}) }); })`;
  const child = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
  const partialBytes = (): number => {
    try {
      return readdirSync(store.tmpDir).reduce((n, f) => n + statSync(path.join(store.tmpDir, f)).size, 0);
    } catch {
      return 0;
    }
  };
  for (let i = 0; i < 400 && partialBytes() < 1024 * 1024; i++) await new Promise((r) => setTimeout(r, 5));
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  assert.ok(partialBytes() > 0, 'the snapshot had started writing');
  assert.ok(partialBytes() < 1500 * 64 * 1024, 'and was killed before the end');
  assert.deepEqual(readdirSync(store.packsDir), [], 'no pack was published');
  assert.deepEqual(await store.listIds(), [], 'no manifest, so it is not listed');
  const complete = await takeSnapshot([tree], { store });
  assert.deepEqual(await store.listIds(), [complete.id], 'the next snapshot completes normally');
});

test('a large first snapshot (parallel packs) still stores each content once and restores exactly', async () => {
  const { tree, store } = fresh('parallel');
  const block = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < 40; i++) {
    block.fill(i % 30); // 30 distinct contents, 10 of them twice
    writeFileSync(path.join(tree, `blob-${i}.bin`), block.subarray(0, block.length - (i % 30)));
  }
  const before = describeTree(tree);
  const snap = await takeSnapshot([tree], { store });
  const distinctBytes = Array.from({ length: 30 }, (_, k) => block.length - k).reduce((a, b) => a + b, 0);
  assert.equal(snap.bytesAdded, distinctBytes, 'each distinct content once');
  for (let i = 0; i < 40; i += 3) rmSync(path.join(tree, `blob-${i}.bin`));
  await restore(store, snap.id);
  assert.deepEqual(describeTree(tree), before);
});

test('a pack thread started part-way (a known root grows by much) stores nothing twice, large files included', async () => {
  const { tree, store } = fresh('midway');
  writeFileSync(path.join(tree, 'small.txt'), 'hello');
  await takeSnapshot([tree], { store }); // the root is known now: the next snapshot starts on one thread
  const block = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < 45; i++) {
    block.fill(i % 20); // 20 distinct contents; later copies come after the thread has started
    writeFileSync(path.join(tree, `blob-${String(i).padStart(2, '0')}.bin`), block.subarray(0, block.length - (i % 20)));
  }
  const large = Buffer.alloc(9 * 1024 * 1024, 7); // above the whole-file limit: read in chunks
  writeFileSync(path.join(tree, 'large-a.bin'), large);
  writeFileSync(path.join(tree, 'large-b.bin'), large);
  const before = describeTree(tree);
  const snap = await takeSnapshot([tree], { store });
  const distinctBytes = Array.from({ length: 20 }, (_, k) => block.length - k).reduce((a, b) => a + b, 0) + large.length;
  assert.equal(snap.bytesAdded, distinctBytes, 'each distinct content once');
  for (const name of readdirSync(tree)) rmSync(path.join(tree, name));
  await restore(store, snap.id);
  assert.deepEqual(describeTree(tree), before);
});

test('the stat cache is kept per root and follows the tree: other roots and deleted files do not make it grow', async () => {
  const { tree, other, store } = freshWithOther('statcache');
  writeFileSync(path.join(tree, 'a.txt'), 'a');
  writeFileSync(path.join(tree, 'b.txt'), 'b');
  writeFileSync(path.join(other, 'c.txt'), 'c');
  await takeSnapshot([tree], { store });
  await takeSnapshot([other], { store });
  const caches = readdirSync(path.join(store.root, 'statcache'));
  assert.equal(caches.length, 2, 'one cache file per root');
  const sizeOf = (): number => readdirSync(path.join(store.root, 'statcache')).map((name) => (JSON.parse(readFileSync(path.join(store.root, 'statcache', name), 'utf8')) as { files: unknown[] }).files.length).reduce((a, b) => a + b, 0);
  assert.equal(sizeOf(), 3);
  rmSync(path.join(tree, 'b.txt'));
  const again = await takeSnapshot([tree], { store });
  assert.equal(again.bytesAdded, 0, 'a.txt was not stored again');
  assert.equal(sizeOf(), 2, "b.txt's entry is gone with it");
});

test('the merged pack index serves many packs and forgets pruned ones', async () => {
  const { tree, store } = fresh('merged-index');
  for (let i = 0; i < 20; i++) {
    writeFileSync(path.join(tree, 'changing.txt'), `version ${i}\n`); // one new pack per snapshot
    await takeSnapshot([tree], { store });
  }
  const index = await store.loadIndex();
  assert.equal(index.size, 20);
  assert.ok(existsSync(path.join(store.packsDir, 'merged.json')), 'the union was cached');
  assert.equal((await store.loadIndex()).size, 20, 'read back from the cache');
  await pruneSnapshots(store, 1);
  const after = await store.loadIndex();
  assert.equal(after.size, 1, 'only the kept snapshot’s content is left');
  for (const location of after.values()) assert.ok(existsSync(path.join(store.packsDir, `${location.pack}.pack`)));
});

test('a pack index that cannot be read is left out of the merged index and read again once it can be', async () => {
  const { tree, store } = fresh('merged-unreadable');
  writeFileSync(path.join(tree, 'changing.txt'), 'version 0\n');
  await takeSnapshot([tree], { store });
  const damaged = path.join(store.packsDir, readdirSync(store.packsDir).find((name) => name.endsWith('.idx'))!);
  const original = readFileSync(damaged);
  writeFileSync(damaged, '{ not json');
  for (let i = 1; i < 20; i++) {
    writeFileSync(path.join(tree, 'changing.txt'), `version ${i}\n`); // one new pack each; the merged index gets written meanwhile
    await takeSnapshot([tree], { store });
  }
  assert.ok(existsSync(path.join(store.packsDir, 'merged.json')));
  assert.equal((await store.loadIndex()).size, 19, 'the unreadable index is skipped');
  writeFileSync(damaged, original);
  assert.equal((await store.loadIndex()).size, 20, 'and read once it is readable again');
});
