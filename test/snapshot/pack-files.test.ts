import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SyncPack } from '../../src/snapshot/pack-files.js';

let base: string;
before(() => {
  base = mkdtempSync(path.join(os.tmpdir(), 'saferun-pack-'));
});
after(() => rmSync(base, { recursive: true, force: true }));

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

test('a pack holds each new content once, where its entry says, whatever mix of small, medium and large files', () => {
  const contents = [
    randomBytes(10),
    randomBytes(1024 * 1024), // exactly the staging buffer
    randomBytes(700 * 1024), // does not fit beside the previous one: the buffer is written first
    randomBytes(3 * 1024 * 1024), // read whole, past the staging buffer
    Buffer.alloc(0),
    randomBytes(9 * 1024 * 1024), // read in chunks
    randomBytes(5000),
  ];
  const order = [0, 6, 0, 1, 2, 3, 4, 6, 3, 5, 1, 4, 5, 2]; // 0 and 6 share the staging buffer
  const files = order.map((k, i) => {
    const absolute = path.join(base, `file-${i}`);
    writeFileSync(absolute, contents[k]!);
    return { absolute, size: contents[k]!.length };
  });
  const already = randomBytes(2000);
  const knownFile = path.join(base, 'known');
  writeFileSync(knownFile, already);

  const packFile = path.join(base, 'pack');
  const pack = new SyncPack(packFile, [sha256(already)]);
  pack.add(files.slice(0, 5));
  pack.add([{ absolute: knownFile, size: already.length }]); // stored elsewhere: not again
  pack.add(files.slice(5));
  const output = pack.finish();

  assert.equal(output.error, undefined);
  assert.deepEqual(output.hashes, [...order.slice(0, 5).map((k) => sha256(contents[k]!)), sha256(already), ...order.slice(5).map((k) => sha256(contents[k]!))]);
  assert.deepEqual(output.entries.map(([hash]) => hash).sort(), contents.map(sha256).sort(), 'every distinct content once, nothing known before');
  const bytes = readFileSync(packFile);
  assert.equal(output.bytes, contents.reduce((sum, c) => sum + c.length, 0));
  assert.equal(bytes.length, output.bytes);
  for (const [hash, offset, length] of output.entries) assert.equal(sha256(bytes.subarray(offset, offset + length)), hash);
});

test('a file that cannot be read stops the pack and is named; what was stored before it is intact', () => {
  const first = randomBytes(300);
  const firstFile = path.join(base, 'readable');
  writeFileSync(firstFile, first);
  const packFile = path.join(base, 'pack-error');
  const pack = new SyncPack(packFile, []);
  pack.add([
    { absolute: firstFile, size: first.length },
    { absolute: path.join(base, 'missing'), size: 10 },
    { absolute: firstFile, size: first.length },
  ]);
  assert.equal(pack.error?.code, 'ENOENT');
  const output = pack.finish();
  assert.equal(output.error?.path, path.join(base, 'missing'));
  const [hash, offset, length] = output.entries[0]!;
  assert.equal(sha256(readFileSync(packFile).subarray(offset, offset + length)), hash);
});
