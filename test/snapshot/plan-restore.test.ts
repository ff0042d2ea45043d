/** Table-driven tests for the pure planners: manifest vs current tree → diff and restore plan. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ManifestEntry } from '../../src/snapshot/manifest.js';
import { diffTrees, isEmptyPlan, planRestore, type CurrentEntry } from '../../src/snapshot/plan-restore.js';

const H1 = '1'.repeat(64);
const H2 = '2'.repeat(64);

const file = (path: string, hash = H1, extra: Partial<ManifestEntry> = {}): ManifestEntry => ({ path, type: 'file', mode: 0o644, size: 3, mtimeMs: 1000, ctimeMs: 1000, ino: 7, hash, ...extra });
const dir = (path: string, mode = 0o755): ManifestEntry => ({ path, type: 'dir', mode, size: 0, mtimeMs: 1000 });
const link = (path: string, target: string): ManifestEntry => ({ path, type: 'symlink', mode: 0o777, size: 0, mtimeMs: 1000, target });
/** The current tree as the walker reports it (no hash; hashes come from the lookup). */
const now = (e: ManifestEntry, extra: Partial<CurrentEntry> = {}): CurrentEntry => {
  const { hash: _hash, ...rest } = e;
  return { ...rest, ...extra };
};

interface Case {
  name: string;
  manifest: ManifestEntry[];
  current: CurrentEntry[];
  hashes?: Record<string, string>;
  diff: { added: string[]; changed: string[]; deleted: string[] };
  plan: { remove: string[]; mkdirs: string[]; writes: string[]; links: string[]; attributes: string[] };
}

const none = { remove: [], mkdirs: [], writes: [], links: [], attributes: [] };

const cases: Case[] = [
  {
    name: 'identical trees: nothing to do',
    manifest: [dir('a'), file('a/x'), link('l', 'a/x')],
    current: [now(dir('a')), now(file('a/x')), now(link('l', 'a/x'))],
    diff: { added: [], changed: [], deleted: [] },
    plan: none,
  },
  {
    name: 'same size, mtime, ctime and inode is trusted without hashing',
    manifest: [file('x')],
    current: [now(file('x'))],
    hashes: { x: H2 },
    diff: { added: [], changed: [], deleted: [] },
    plan: none,
  },
  {
    name: 'same size and mtime but a later ctime (rewritten, old mtime put back with utime): the content decides',
    manifest: [file('config.txt')],
    current: [now(file('config.txt'), { ctimeMs: 5000 })],
    hashes: { 'config.txt': H2 },
    diff: { added: [], changed: ['config.txt'], deleted: [] },
    plan: { ...none, writes: ['config.txt'] },
  },
  {
    name: 'same size, mtime and ctime but another inode (replaced by a rename): the content decides',
    manifest: [file('x')],
    current: [now(file('x'), { ino: 8 })],
    hashes: { x: H2 },
    diff: { added: [], changed: ['x'], deleted: [] },
    plan: { ...none, writes: ['x'] },
  },
  {
    name: 'a manifest without ctimes (an earlier version) always compares content',
    manifest: [file('x', H1, { ctimeMs: undefined })],
    current: [now(file('x'))],
    hashes: { x: H2 },
    diff: { added: [], changed: ['x'], deleted: [] },
    plan: { ...none, writes: ['x'] },
  },
  {
    name: 'mtime moved but content hash equal: unchanged',
    manifest: [file('x')],
    current: [now(file('x'), { mtimeMs: 2000 })],
    hashes: { x: H1 },
    diff: { added: [], changed: [], deleted: [] },
    plan: none,
  },
  {
    name: 'rewritten file comes back',
    manifest: [file('x')],
    current: [now(file('x'), { size: 9, mtimeMs: 2000 })],
    hashes: { x: H2 },
    diff: { added: [], changed: ['x'], deleted: [] },
    plan: { ...none, writes: ['x'] },
  },
  {
    name: 'deleted file and directory come back, shallowest directory first',
    manifest: [dir('d'), dir('d/e'), file('d/e/f')],
    current: [],
    diff: { added: [], changed: [], deleted: ['d', 'd/e', 'd/e/f'] },
    plan: { ...none, mkdirs: ['d', 'd/e'], writes: ['d/e/f'], attributes: ['d', 'd/e'] },
  },
  {
    name: 'files created since are removed; a new directory is removed once, not its contents',
    manifest: [file('keep')],
    current: [now(file('keep')), now(dir('new')), now(file('new/a')), now(file('new/b')), now(file('stray'))],
    diff: { added: ['new', 'new/a', 'new/b', 'stray'], changed: [], deleted: [] },
    plan: { ...none, remove: ['new', 'stray'] },
  },
  {
    name: 'mode change only: attributes, no rewrite',
    manifest: [file('run.sh', H1, { mode: 0o755 })],
    current: [now(file('run.sh'), { mode: 0o644 })],
    diff: { added: [], changed: ['run.sh'], deleted: [] },
    plan: { ...none, attributes: ['run.sh'] },
  },
  {
    name: 'a file replaced by a symlink is removed and written back',
    manifest: [file('secret')],
    current: [{ path: 'secret', type: 'symlink', mode: 0o777, size: 0, mtimeMs: 2000, target: '/etc/passwd' }],
    diff: { added: [], changed: ['secret'], deleted: [] },
    plan: { ...none, remove: ['secret'], writes: ['secret'] },
  },
  {
    name: 'a directory replaced by a symlink out of the tree: the link goes, the directory and its files come back',
    manifest: [dir('out'), file('out/r')],
    current: [{ path: 'out', type: 'symlink', mode: 0o777, size: 0, mtimeMs: 2000, target: '/' }],
    diff: { added: [], changed: ['out'], deleted: ['out/r'] },
    plan: { ...none, remove: ['out'], mkdirs: ['out'], writes: ['out/r'], attributes: ['out'] },
  },
  {
    name: 'a retargeted symlink is replaced, never followed',
    manifest: [link('l', 'a')],
    current: [now(link('l', '../../etc'))],
    diff: { added: [], changed: ['l'], deleted: [] },
    plan: { ...none, remove: ['l'], links: ['l'] },
  },
  {
    name: 'a file replaced by a directory with contents: the directory goes, the file comes back',
    manifest: [file('x')],
    current: [now(dir('x')), now(file('x/inner'))],
    diff: { added: ['x/inner'], changed: ['x'], deleted: [] },
    plan: { ...none, remove: ['x'], writes: ['x'] },
  },
  {
    name: 'removals run deepest first',
    manifest: [dir('a'), dir('a/b')],
    current: [now(dir('a')), now(dir('a/b')), now(file('a/b/new')), now(file('top'))],
    diff: { added: ['a/b/new', 'top'], changed: [], deleted: [] },
    plan: { ...none, remove: ['a/b/new', 'top'] },
  },
];

for (const c of cases) {
  test(`planner: ${c.name}`, () => {
    const lookup = (p: string): string | undefined => c.hashes?.[p];
    const diff = diffTrees(c.manifest, c.current, lookup);
    assert.deepEqual({ added: [...diff.added].sort(), changed: [...diff.changed].sort(), deleted: [...diff.deleted].sort() }, c.diff);
    const plan = planRestore(c.manifest, c.current, lookup);
    const paths = (xs: { path: string }[]): string[] => xs.map((x) => x.path);
    assert.deepEqual(plan.remove, c.plan.remove, 'remove (in order)');
    assert.deepEqual(paths(plan.mkdirs), c.plan.mkdirs, 'mkdirs (in order)');
    assert.deepEqual(paths(plan.writes).sort(), c.plan.writes);
    assert.deepEqual(paths(plan.links).sort(), c.plan.links);
    assert.deepEqual(paths(plan.attributes).sort(), c.plan.attributes);
    assert.equal(isEmptyPlan(plan), c.plan === none || Object.values(c.plan).every((xs) => xs.length === 0));
  });
}
