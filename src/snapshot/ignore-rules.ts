/** What a snapshot leaves out: sensible defaults plus the root's own .saferunignore (gitignore syntax). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ignore, { type Ignore } from 'ignore';

export const DEFAULT_EXCLUDES = ['.venv/', 'venv/', 'node_modules/', '__pycache__/', '.mypy_cache/', '.pytest_cache/', '.ruff_cache/', '.tox/', '.git/'];

/** `text` is a .saferunignore's content as it was (restore must not trust the one in the tree now). */
export function loadIgnore(root: string, text?: string): Ignore {
  const rules = ignore().add(DEFAULT_EXCLUDES);
  if (text !== undefined) return rules.add(text);
  try {
    rules.add(readFileSync(path.join(root, '.saferunignore'), 'utf8'));
  } catch {
    // no .saferunignore: defaults only
  }
  return rules;
}
