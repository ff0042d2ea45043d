/** A snapshot's manifest: what each root looked like. Validated before anything trusts it. */
import { SaferunError } from '../errors.js';

export type EntryType = 'file' | 'dir' | 'symlink';

export interface ManifestEntry {
  /** Relative, '/'-separated, normalised; never absolute, never '..'. */
  path: string;
  type: EntryType;
  mode: number;
  size: number;
  mtimeMs: number;
  /** sha256 of the content (files). */
  hash?: string;
  /** The link text (symlinks); restored as is, never followed. */
  target?: string;
}

export interface ManifestRoot {
  /** The absolute host path this root was taken from. */
  path: string;
  entries: ManifestEntry[];
}

export interface Manifest {
  version: 1;
  id: string;
  createdAt: string;
  roots: ManifestRoot[];
  files: number;
  bytes: number;
}

const HASH = /^[0-9a-f]{64}$/;

export function isSafeRelativePath(p: string): boolean {
  if (p === '' || p.includes('\0') || p.includes('\\') || p.startsWith('/')) return false;
  return p.split('/').every((part) => part !== '' && part !== '.' && part !== '..');
}

/** Rejects paths escaping the root, entries under a symlink, duplicates, malformed hashes. */
export function validateManifest(data: unknown, source: string): Manifest {
  const fail = (why: string): never => {
    throw new SaferunError(`snapshot manifest ${source} rejected: ${why}`);
  };
  const m = data as Manifest;
  if (typeof m !== 'object' || m === null || m.version !== 1 || typeof m.id !== 'string' || !/^[0-9a-z-]{6,64}$/.test(m.id)) fail('not a version 1 manifest');
  if (!Array.isArray(m.roots)) fail('no roots');
  for (const root of m.roots) {
    if (typeof root.path !== 'string' || !root.path.startsWith('/')) fail(`root path ${JSON.stringify(root.path)} is not absolute`);
    if (!Array.isArray(root.entries)) fail('a root has no entries');
    const kinds = new Map<string, EntryType>();
    for (const entry of root.entries) {
      if (typeof entry.path !== 'string' || !isSafeRelativePath(entry.path)) fail(`unsafe path ${JSON.stringify(entry.path)}`);
      if (!['file', 'dir', 'symlink'].includes(entry.type)) fail(`unknown entry type ${JSON.stringify(entry.type)}`);
      if (kinds.has(entry.path)) fail(`duplicate path ${entry.path}`);
      if (!Number.isInteger(entry.mode) || entry.mode < 0 || entry.mode > 0o7777) fail(`bad mode for ${entry.path}`);
      if (entry.type === 'file' && (typeof entry.hash !== 'string' || !HASH.test(entry.hash))) fail(`bad hash for ${entry.path}`);
      if (entry.type === 'symlink' && (typeof entry.target !== 'string' || entry.target.includes('\0'))) fail(`bad symlink target for ${entry.path}`);
      kinds.set(entry.path, entry.type);
    }
    for (const entry of root.entries) {
      const parts = entry.path.split('/');
      for (let i = 1; i < parts.length; i++) {
        const ancestor = parts.slice(0, i).join('/');
        const kind = kinds.get(ancestor);
        if (kind !== undefined && kind !== 'dir') fail(`${entry.path} lies under ${ancestor}, which is a ${kind}`);
      }
    }
  }
  return m;
}
