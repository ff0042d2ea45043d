/**
 * Scan results cached on disk, at two levels. A disk file is keyed by (path as shown, size, mtime,
 * ctime, inode): a re-scan of an unchanged tree reads no file contents at all. The ctime is there
 * because a program can rewrite a file at the same length and put its mtime back (os.utime), but
 * cannot set the ctime back. Each analysed source is
 * also keyed by the sha256 of its content, so a file that was touched, moved, copied or checked out
 * again is not parsed again, and identical files in one scan are parsed once. One JSON file per
 * engine version in $XDG_CACHE_HOME/saferun/scan (SAFERUN_CACHE_DIR overrides), written to a temp
 * name and renamed.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Finding } from '../findings/finding.js';

export interface FileOrigin {
  key: string;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
}

export interface CachedError {
  file: string;
  line: number;
  column: number;
  message: string;
}

/** What one source of a disk file produced: by content hash, in full (notebooks), or a skip. */
export type CachedUnit = { displayPath: string; content: string } | { displayPath: string; findings: Finding[]; errors: CachedError[] } | { displayPath: string; skip: string };

/** An analysis by content: findings and problems without a file name (the unit names it). */
export interface ContentResult {
  findings: Omit<Finding, 'file'>[];
  problems: Omit<CachedError, 'file'>[];
}

interface Entry {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
  units: CachedUnit[];
}

interface CacheFile {
  version: 2;
  files: Record<string, Entry>;
  contents: Record<string, ContentResult>;
}

const MAX_ENTRIES = 200_000;

export function defaultCacheDir(): string {
  if (process.env['SAFERUN_CACHE_DIR']) return process.env['SAFERUN_CACHE_DIR'];
  return path.join(process.env['XDG_CACHE_HOME'] || path.join(os.homedir(), '.cache'), 'saferun', 'scan');
}

export class ScanCache {
  private changed = false;

  private constructor(
    private readonly file: string,
    private readonly entries: Map<string, Entry>,
    private readonly contents: Map<string, ContentResult>,
  ) {}

  static async open(engineVersion: string, dir = defaultCacheDir()): Promise<ScanCache> {
    const file = path.join(dir, `results-${engineVersion}.v2.json`);
    let entries = new Map<string, Entry>();
    let contents = new Map<string, ContentResult>();
    try {
      // read synchronously: nothing else is running yet, and a thread-pool round trip only adds waiting
      const parsed = JSON.parse(readFileSync(file, 'utf8')) as CacheFile;
      if (parsed.version === 2) {
        entries = new Map(Object.entries(parsed.files));
        contents = new Map(Object.entries(parsed.contents));
      }
    } catch {
      // no cache yet, or unreadable: start empty
    }
    return new ScanCache(file, entries, contents);
  }

  get(origin: FileOrigin): CachedUnit[] | undefined {
    const entry = this.entries.get(origin.key);
    if (!entry || entry.size !== origin.size || entry.mtimeMs !== origin.mtimeMs || entry.ctimeMs !== origin.ctimeMs || entry.ino !== origin.ino) return undefined;
    // every content a unit points to must still be here (a hand-edited or trimmed cache is a miss)
    if (entry.units.some((unit) => 'content' in unit && !this.contents.has(unit.content))) return undefined;
    return entry.units;
  }

  set(origin: FileOrigin, units: CachedUnit[]): void {
    this.entries.delete(origin.key); // re-insert: the most recent entries are kept when trimming
    this.entries.set(origin.key, { size: origin.size, mtimeMs: origin.mtimeMs, ctimeMs: origin.ctimeMs, ino: origin.ino, units });
    this.changed = true;
  }

  content(hash: string): ContentResult | undefined {
    return this.contents.get(hash);
  }

  setContent(hash: string, result: ContentResult): void {
    this.contents.set(hash, result);
    this.changed = true;
  }

  async save(): Promise<void> {
    if (!this.changed) return;
    const kept = [...this.entries].slice(-MAX_ENTRIES);
    // contents live as long as a kept file points to them
    const used = new Set<string>();
    for (const [, entry] of kept) for (const unit of entry.units) if ('content' in unit) used.add(unit.content);
    const contents = Object.fromEntries([...this.contents].filter(([hash]) => used.has(hash)));
    await mkdir(path.dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(temp, JSON.stringify({ version: 2, files: Object.fromEntries(kept), contents } satisfies CacheFile));
    await rename(temp, this.file);
  }
}
