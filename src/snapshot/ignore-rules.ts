/** What a snapshot leaves out: sensible defaults plus the root's own .saferunignore (gitignore syntax). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ignore from 'ignore';

export const DEFAULT_EXCLUDES = ['.venv/', 'venv/', 'node_modules/', '__pycache__/', '.mypy_cache/', '.pytest_cache/', '.ruff_cache/', '.tox/', '.git/'];

/** Decides what a walk leaves out: `relative` is '/'-separated from the root, `name` its last part. */
export interface Excludes {
  excludes(relative: string, name: string, isDirectory: boolean): boolean;
}

/** The defaults are directory names matched at any depth: a set lookup, not a pattern match per path. */
const DEFAULT_DIRECTORY_NAMES = new Set(DEFAULT_EXCLUDES.map((pattern) => pattern.slice(0, -1)));
const defaultsOnly: Excludes = { excludes: (_relative, name, isDirectory) => isDirectory && DEFAULT_DIRECTORY_NAMES.has(name) };

/** `text` is a .saferunignore's content as it was (restore must not trust the one in the tree now). */
export function loadIgnore(root: string, text?: string): Excludes {
  if (text === undefined) {
    try {
      text = readFileSync(path.join(root, '.saferunignore'), 'utf8');
    } catch {
      return defaultsOnly; // no .saferunignore
    }
  }
  const rules = ignore().add(DEFAULT_EXCLUDES).add(text);
  return { excludes: (relative, _name, isDirectory) => rules.ignores(isDirectory ? `${relative}/` : relative) };
}
