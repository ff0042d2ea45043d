/** A snapshot that starts while a prune runs waits for it, so it never counts on content being deleted. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SnapshotStore } from '../../src/snapshot/store.js';
import { takeSnapshot } from '../../src/snapshot/take-snapshot.js';
import { pruneSnapshots } from '../../src/snapshot/transfer.js';
import { executeRestore, planRestoreOf } from '../../src/snapshot/restore.js';
import { describeTree } from './support.js';

test('a snapshot waits for a running prune, and a prune during a snapshot keeps all content', async () => {
  const base = mkdtempSync(path.join(os.tmpdir(), 'saferun-prune-race-'));
  try {
    const tree = path.join(base, 'tree');
    mkdirSync(tree);
    writeFileSync(path.join(tree, 'a.txt'), 'shared content\n');
    const store = new SnapshotStore(path.join(base, 'store'));
    const first = await takeSnapshot([tree], { store });

    // A prune is "running": the next snapshot must not look at the packs until it is done.
    mkdirSync(store.pruneLock);
    let finished = false;
    const second = takeSnapshot([tree], { store }).then((s) => {
      finished = true;
      return s;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(finished, false, 'the snapshot waits while the prune lock is held');
    await assert.rejects(pruneSnapshots(store, 0), /another prune is running/);
    rmSync(store.pruneLock, { recursive: true });
    const snap = await second;
    assert.equal(snap.bytesAdded, 0, 'unchanged content is still found in the store');

    // Dropping the first snapshot keeps the content the second counts on.
    await pruneSnapshots(store, 1);
    assert.deepEqual(await store.listIds(), [snap.id]);
    assert.notEqual(first.id, snap.id);
    const original = describeTree(tree);
    rmSync(path.join(tree, 'a.txt'));
    const manifest = await store.readManifest(snap.id);
    await executeRestore(await planRestoreOf(manifest.roots[0]!, tree, store), store, tree);
    assert.deepEqual(describeTree(tree), original);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
