/**
 * A snapshot's manifest: what each root looked like. Every field is checked before anything
 * trusts it, and what comes back is a fresh object holding only the known fields. Names are
 * strings decoded from bytes with surrogate escapes (see file-names.ts), so any name the file
 * system allows — backslashes, newlines, bytes that are not UTF-8 — is carried exactly.
 */
import path from 'node:path';
import { SaferunError } from '../errors.js';
import { isEncodableName } from './file-names.js';

export type EntryType = 'file' | 'dir' | 'symlink';

export interface ManifestEntry {
  /** Relative, '/'-separated, normalised; never absolute, never '..'. */
  path: string;
  type: EntryType;
  mode: number;
  size: number;
  mtimeMs: number;
  /** When the inode last changed (absent in older manifests): equal ctime means untouched since. */
  ctimeMs?: number;
  ino?: number;
  /** sha256 of the content (files). */
  hash?: string;
  /** The link text (symlinks); restored as is, never followed. */
  target?: string;
}

export interface ManifestRoot {
  /** The absolute host path this root was taken from. */
  path: string;
  /** The program could write the whole root (the output dir, a read-write working dir). */
  writable?: boolean;
  /** Directories inside a read-only root that the program could write (an output dir inside it). */
  writableDirs?: string[];
  /**
   * The gitignore patterns that were in force (the user's snapshotignore, and the root's own
   * .saferunignore when the program could not write it). Absent in manifests of earlier versions,
   * whose excludes are the snapshot's .saferunignore plus the defaults everywhere.
   */
  excludes?: string;
  entries: ManifestEntry[];
}

export interface Manifest {
  version: 1;
  id: string;
  createdAt: string;
  /** Set by `snapshots import` (never taken from the tar): when it was imported. */
  importedAt?: string;
  roots: ManifestRoot[];
  files: number;
  bytes: number;
}

const HASH = /^[0-9a-f]{64}$/;
export const SNAPSHOT_ID = /^[0-9a-z-]{6,64}$/;
/** What newSnapshotId makes: the UTC time to the millisecond, a sequence and randomness. */
const STRICT_ID = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{3})-\d{3}[0-9a-f]{6}$/;
/** Dates within ±275,000 years: what a JS Date (and utimes) can hold. */
const MAX_TIME_MS = 8.64e15;
const MAX_LINK_TARGET = 4096;
/** Clocks of two machines may disagree by this much; an imported snapshot "from the future" beyond it is refused. */
const CLOCK_SKEW_MS = 24 * 3600 * 1000;

export function isSafeRelativePath(p: string): boolean {
  if (p === '' || p.startsWith('/') || !isEncodableName(p)) return false;
  return p.split('/').every((part) => part !== '' && part !== '.' && part !== '..');
}

function isAbsoluteNormalised(p: unknown): p is string {
  return typeof p === 'string' && p.startsWith('/') && isEncodableName(p) && path.posix.normalize(p) === p && (p === '/' || !p.endsWith('/'));
}

const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
const isTime = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n) && Math.abs(n) <= MAX_TIME_MS;

export interface ValidateOptions {
  /** A manifest from elsewhere: the id must be one saferun makes, matching createdAt, not in the future. */
  imported?: boolean;
  now?: number;
}

/** Rejects anything malformed: paths escaping the root, entries under a symlink, duplicates, bad numbers. */
export function validateManifest(data: unknown, source: string, options: ValidateOptions = {}): Manifest {
  const fail = (why: string): never => {
    throw new SaferunError(`snapshot manifest ${source} rejected: ${why}`);
  };
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return fail('not a version 1 manifest');
  const m = data as Record<string, unknown>;
  if (m['version'] !== 1 || typeof m['id'] !== 'string' || !SNAPSHOT_ID.test(m['id'])) fail('not a version 1 manifest');
  const id = m['id'] as string;
  const createdAt = m['createdAt'];
  if (typeof createdAt !== 'string' || !Number.isFinite(Date.parse(createdAt))) fail(`createdAt ${JSON.stringify(createdAt)} is not a date`);
  if (options.imported) checkImportedId(id, createdAt as string, options.now ?? Date.now(), fail);
  if (!isCount(m['files'])) fail(`files ${JSON.stringify(m['files'])} is not a count`);
  if (!isCount(m['bytes'])) fail(`bytes ${JSON.stringify(m['bytes'])} is not a count`);
  if (!Array.isArray(m['roots'])) fail('no roots');
  const roots = (m['roots'] as unknown[]).map((root) => validateRoot(root, fail));
  const rootPaths = new Set<string>();
  for (const root of roots) {
    if (rootPaths.has(root.path)) fail(`root ${JSON.stringify(root.path)} is listed twice`);
    rootPaths.add(root.path);
  }
  const manifest: Manifest = { version: 1, id, createdAt: createdAt as string, roots, files: m['files'] as number, bytes: m['bytes'] as number };
  const importedAt = m['importedAt'];
  if (importedAt !== undefined) {
    if (typeof importedAt !== 'string' || !Number.isFinite(Date.parse(importedAt))) fail('importedAt is not a date');
    manifest.importedAt = importedAt as string;
  }
  return manifest;
}

function checkImportedId(id: string, createdAt: string, now: number, fail: (why: string) => never): void {
  const parts = STRICT_ID.exec(id);
  if (!parts) fail(`id ${JSON.stringify(id)} is not one saferun makes (YYYYMMDDhhmmssmmm-NNNxxxxxx)`);
  const [, y, mo, d, h, mi, s, ms] = parts!;
  const stamp = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number(ms));
  const created = Date.parse(createdAt);
  // the id is taken just before createdAt is stamped: they agree to within the snapshot's duration
  if (!Number.isFinite(stamp) || created < stamp || created - stamp > CLOCK_SKEW_MS) fail(`id ${id} does not match createdAt ${createdAt}`);
  if (stamp > now + CLOCK_SKEW_MS) fail(`id ${id} is dated in the future`);
}

function validateRoot(data: unknown, fail: (why: string) => never): ManifestRoot {
  if (typeof data !== 'object' || data === null) return fail('a root is not an object');
  const r = data as Record<string, unknown>;
  if (!isAbsoluteNormalised(r['path'])) fail(`root path ${JSON.stringify(r['path'])} is not an absolute, normalised path`);
  const rootPath = r['path'] as string;
  if (!Array.isArray(r['entries'])) fail(`root ${rootPath} has no entries`);
  const root: ManifestRoot = { path: rootPath, entries: [] };
  if (r['writable'] !== undefined) {
    if (typeof r['writable'] !== 'boolean') fail(`root ${rootPath}: writable is not true or false`);
    root.writable = r['writable'] as boolean;
  }
  if (r['writableDirs'] !== undefined) {
    const dirs = r['writableDirs'];
    if (!Array.isArray(dirs) || !dirs.every((d) => typeof d === 'string' && isSafeRelativePath(d))) fail(`root ${rootPath}: writableDirs must be relative paths`);
    root.writableDirs = [...(dirs as string[])];
  }
  if (r['excludes'] !== undefined) {
    if (typeof r['excludes'] !== 'string' || r['excludes'].includes('\0')) fail(`root ${rootPath}: excludes is not text`);
    root.excludes = r['excludes'] as string;
  }
  const kinds = new Map<string, EntryType>();
  for (const raw of r['entries'] as unknown[]) {
    const entry = validateEntry(raw, fail);
    if (kinds.has(entry.path)) fail(`duplicate path ${JSON.stringify(entry.path)}`);
    kinds.set(entry.path, entry.type);
    root.entries.push(entry);
  }
  for (const entry of root.entries) {
    let at = entry.path.indexOf('/');
    while (at !== -1) {
      const ancestor = entry.path.slice(0, at);
      const kind = kinds.get(ancestor);
      if (kind !== undefined && kind !== 'dir') fail(`${JSON.stringify(entry.path)} lies under ${JSON.stringify(ancestor)}, which is a ${kind}`);
      at = entry.path.indexOf('/', at + 1);
    }
  }
  return root;
}

function validateEntry(data: unknown, fail: (why: string) => never): ManifestEntry {
  if (typeof data !== 'object' || data === null) return fail('an entry is not an object');
  const e = data as Record<string, unknown>;
  const p = e['path'];
  if (typeof p !== 'string' || !isSafeRelativePath(p)) fail(`unsafe path ${JSON.stringify(p)}`);
  const name = JSON.stringify(p);
  const type = e['type'];
  if (type !== 'file' && type !== 'dir' && type !== 'symlink') fail(`unknown entry type ${JSON.stringify(type)} for ${name}`);
  if (!Number.isInteger(e['mode']) || (e['mode'] as number) < 0 || (e['mode'] as number) > 0o7777) fail(`bad mode ${JSON.stringify(e['mode'])} for ${name}`);
  if (!isCount(e['size'])) fail(`bad size ${JSON.stringify(e['size'])} for ${name}`);
  if (!isTime(e['mtimeMs'])) fail(`bad mtimeMs ${JSON.stringify(e['mtimeMs'])} for ${name} (a number of milliseconds)`);
  const entry: ManifestEntry = { path: p as string, type: type as EntryType, mode: e['mode'] as number, size: e['size'] as number, mtimeMs: e['mtimeMs'] as number };
  if (e['ctimeMs'] !== undefined) {
    if (!isTime(e['ctimeMs'])) fail(`bad ctimeMs for ${name}`);
    entry.ctimeMs = e['ctimeMs'] as number;
  }
  if (e['ino'] !== undefined) {
    if (typeof e['ino'] !== 'number' || !Number.isFinite(e['ino']) || e['ino'] < 0) fail(`bad ino for ${name}`);
    entry.ino = e['ino'] as number;
  }
  if (type === 'file') {
    if (typeof e['hash'] !== 'string' || !HASH.test(e['hash'])) fail(`bad hash for ${name}`);
    entry.hash = e['hash'] as string;
  }
  if (type === 'symlink') {
    const target = e['target'];
    if (typeof target !== 'string' || target === '' || target.length > MAX_LINK_TARGET || !isEncodableName(target)) fail(`bad symlink target for ${name}`);
    entry.target = target as string;
  }
  return entry;
}
