/**
 * What a snapshot leaves out. Only what the program cannot have written may exclude anything: the
 * user's own `$XDG_CONFIG_HOME/saferun/snapshotignore`, and the `.saferunignore` of a root the
 * program could only read (so it was there before the run). A root the program could write gets
 * neither its .saferunignore nor the default excludes: a `.saferunignore` of `*` planted on one run
 * would switch off the next backup, and an `out/.git/hooks/pre-commit` planted under a default
 * exclude would survive the undo. Patterns use gitignore syntax, relative to each root.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ignore from 'ignore';
import { SaferunError } from '../errors.js';
import type { ManifestRoot } from './manifest.js';

export const DEFAULT_EXCLUDES = ['.venv/', 'venv/', 'node_modules/', '__pycache__/', '.mypy_cache/', '.pytest_cache/', '.ruff_cache/', '.tox/', '.git/'];

/** Decides what a walk leaves out: `relative` is '/'-separated from the root, `name` its last part. */
export interface Excludes {
  excludes(relative: string, name: string, isDirectory: boolean): boolean;
}

/** The defaults are directory names matched at any depth: a set lookup, not a pattern match per path. */
const DEFAULT_DIRECTORY_NAMES = new Set(DEFAULT_EXCLUDES.map((pattern) => pattern.slice(0, -1)));

export function userSnapshotIgnoreFile(): string {
  return path.join(process.env['XDG_CONFIG_HOME'] || path.join(os.homedir(), '.config'), 'saferun', 'snapshotignore');
}

/** The user's own excludes ('' when there are none). */
export function readUserSnapshotIgnore(file = userSnapshotIgnoreFile()): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw new SaferunError(`snapshot: cannot read your ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

/** A root's own .saferunignore ('' when it has none). */
export function readRootIgnore(root: string): string {
  try {
    return readFileSync(path.join(root, '.saferunignore'), 'utf8');
  } catch {
    return '';
  }
}

/** The patterns in force for one root: the user's, plus the root's own when the program could not write it. */
export function excludesFor(root: { path: string; writable: boolean }, userPatterns: string): string {
  return [userPatterns, root.writable ? '' : readRootIgnore(root.path)].filter((text) => text.trim() !== '').join('\n');
}

/** gitignore patterns as a test; the `ignore` package throws on some legal names ('...'): those are kept. */
function patternTest(text: string): ((relative: string, isDirectory: boolean) => boolean) | undefined {
  if (text.trim() === '') return undefined;
  const rules = ignore().add(text);
  return (relative, isDirectory) => {
    try {
      return rules.ignores(isDirectory ? `${relative}/` : relative);
    } catch {
      return false;
    }
  };
}

/** The excludes a root was (or is being) snapshotted with. */
export function rulesFor(root: Pick<ManifestRoot, 'writable' | 'writableDirs' | 'excludes'>): Excludes {
  const patterns = patternTest(root.excludes ?? '');
  const writableDirs = root.writableDirs ?? [];
  const insideWritable = (relative: string): boolean => writableDirs.some((dir) => relative === dir || relative.startsWith(`${dir}/`));
  return {
    excludes: (relative, name, isDirectory) => {
      if (isDirectory && !root.writable && DEFAULT_DIRECTORY_NAMES.has(name) && !insideWritable(relative)) return true;
      return patterns !== undefined && patterns(relative, isDirectory);
    },
  };
}

/**
 * The rules of a manifest from an earlier version (no `excludes` recorded): the defaults everywhere
 * plus the snapshot's own .saferunignore (`text`), never the one in the tree now.
 */
export function legacyRules(text: string): Excludes {
  return rulesFor({ writable: false, excludes: text });
}
