import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRunDir, reapRunDirs } from '../../src/network/run-dir.js';

test('a run directory holds the forwarder, is private to the sandbox user, and is removed by remove()', () => {
  const dir = createRunDir('abc123def456', 65534, 65534);
  try {
    assert.ok(dir.path.startsWith(path.join(os.tmpdir(), `saferun-net-${process.pid}-`)) || dir.path.startsWith(`/tmp/saferun-net-${process.pid}-`));
    assert.ok(dir.socketPath.length < 108, 'fits sun_path');
    assert.equal(statSync(dir.path).mode & 0o777, 0o700);
    if (process.getuid?.() === 0) assert.equal(statSync(dir.path).uid, 65534);
    assert.match(readFileSync(path.join(dir.path, 'forward.py'), 'utf8'), /^# saferun: relays 127\.0\.0\.1:PORT/);
  } finally {
    dir.remove();
  }
  assert.equal(existsSync(dir.path), false);
});

test('the reaper removes the directories of a saferun that is gone, and only those', () => {
  const deadPid = 2_000_000_000;
  const dead = path.join(os.tmpdir(), `saferun-net-${deadPid}-0123456789ab`);
  const alive = path.join(os.tmpdir(), `saferun-net-${process.pid}-0123456789ab`);
  const unrelated = path.join(os.tmpdir(), `saferun-net-${deadPid}-not-hex`);
  for (const dir of [dead, alive, unrelated]) mkdirSync(dir, { recursive: true });
  try {
    assert.ok(reapRunDirs() >= 1);
    assert.equal(existsSync(dead), false, 'the dead owner’s directory is gone');
    assert.equal(existsSync(alive), true, 'a running saferun’s directory stays');
    assert.equal(existsSync(unrelated), true, 'names that are not ours stay');
  } finally {
    for (const dir of [dead, alive, unrelated]) rmSync(dir, { recursive: true, force: true });
  }
});
