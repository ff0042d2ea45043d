/**
 * Dependencies between the folders of src/ point one way (STYLE.md, "Rooms and what they share"):
 * read the compiled imports of every module, fold them into a folder graph, and look for cycles.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
const IMPORT = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;

/** The top folder of a file under src/ ('scan' for src/scan/engine/x.js); a file at the top is its own node ('errors.js'). */
function folderOf(file: string): string {
  return path.relative(SRC, file).split(path.sep)[0]!;
}

function modules(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return modules(full);
    return entry.name.endsWith('.js') ? [full] : [];
  });
}

/** folder → the folders it imports from (itself excluded). */
export function folderGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of modules(SRC)) {
    const from = folderOf(file);
    const edges = graph.get(from) ?? new Set<string>();
    graph.set(from, edges);
    for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const target = folderOf(path.resolve(path.dirname(file), match[1] ?? match[2]!));
      if (target !== from) edges.add(target);
    }
  }
  return graph;
}

/** Each cycle between folders, as the path that closes it ('scan → deps → scan'). */
export function folderCycles(graph: Map<string, Set<string>>): string[] {
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (folder: string): void => {
    state.set(folder, 'open');
    stack.push(folder);
    for (const next of graph.get(folder) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next].join(' → '));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(folder, 'done');
  };
  for (const folder of [...graph.keys()].sort()) if (!state.has(folder)) visit(folder);
  return cycles;
}

test('the folder graph is read from the compiled imports (scan imports findings)', () => {
  const graph = folderGraph();
  assert.ok(graph.get('scan')?.has('findings'));
  assert.ok(graph.get('deps')?.has('python-package'));
});

test('scan/ and deps/ do not import each other both ways', () => {
  const graph = folderGraph();
  const both = graph.get('scan')?.has('deps') && graph.get('deps')?.has('scan');
  assert.equal(both, false, 'scan/ and deps/ import each other');
});

test('the cycle finder names a cycle when there is one', () => {
  const graph = new Map([['a', new Set(['b'])], ['b', new Set(['c'])], ['c', new Set(['a'])]]);
  assert.deepEqual(folderCycles(graph), ['a → b → c → a']);
});

test('no import cycle between the folders of src/ runs through scan/, deps/, findings/ or python-package/', () => {
  const mine = folderCycles(folderGraph()).filter((cycle) => /\b(scan|deps|findings|python-package)\b/.test(cycle));
  assert.deepEqual(mine, []);
});
