import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { parseYamlCached } from '../../src/config/parsed-yaml-cache.js';

function counting(): { parse: (text: string) => Promise<unknown>; calls: () => number } {
  let calls = 0;
  return {
    parse: async (text) => {
      calls++;
      return parse(text) as unknown;
    },
    calls: () => calls,
  };
}

test('an unchanged text is parsed once; a changed one again', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'saferun-yaml-cache-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const p = counting();
  const text = 'limits:\n  memory: 512m\nnetwork:\n  allow: [a.example, b.example]\n';
  assert.deepEqual(await parseYamlCached(text, p.parse, dir), parse(text));
  assert.deepEqual(await parseYamlCached(text, p.parse, dir), parse(text));
  assert.equal(p.calls(), 1);
  await parseYamlCached(`${text}# changed\n`, p.parse, dir);
  assert.equal(p.calls(), 2);
});

test('a corrupt entry, or a value JSON cannot carry, is parsed again and never read from the cache', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'saferun-yaml-cache-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const p = counting();
  const text = 'a: 1\n';
  await parseYamlCached(text, p.parse, dir);
  const [entry] = readdirSync(dir);
  writeFileSync(path.join(dir, entry!), '{not json');
  assert.deepEqual(await parseYamlCached(text, p.parse, dir), { a: 1 });
  assert.equal(p.calls(), 2);
  const inf = 'limit: .inf\n';
  assert.deepEqual(await parseYamlCached(inf, p.parse, dir), { limit: Infinity });
  assert.deepEqual(await parseYamlCached(inf, p.parse, dir), { limit: Infinity });
  assert.equal(p.calls(), 4);
});

test('an unwritable cache dir only costs the speed-up', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'saferun-yaml-cache-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'a-file');
  writeFileSync(file, '');
  const p = counting();
  assert.deepEqual(await parseYamlCached('a: [1, 2]\n', p.parse, path.join(file, 'cache')), { a: [1, 2] });
});
