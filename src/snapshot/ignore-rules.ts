/** What a snapshot leaves out: sensible defaults plus the root's own .saferunignore (gitignore syntax). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ignore, { type Ignore } from 'ignore';

export const DEFAULT_EXCLUDES = ['.venv/', 'venv/', 'node_modules/', '__pycache__/', '.mypy_cache/', '.pytest_cache/', '.ruff_cache/', '.tox/', '.git/'];

export function loadIgnore(root: string): Ignore {
  const rules = ignore().add(DEFAULT_EXCLUDES);
  try {
    rules.add(readFileSync(path.join(root, '.saferunignore'), 'utf8'));
  } catch {
    // no .saferunignore: defaults only
  }
  return rules;
}
