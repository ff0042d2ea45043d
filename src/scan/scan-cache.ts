/**
 * Scan results cached per file on disk, keyed by (path as shown, size, mtime, inode) and the engine
 * version: a re-scan of an unchanged tree reads no file contents at all. One JSON file in
 * $XDG_CACHE_HOME/saferun/scan (SAFERUN_CACHE_DIR overrides), written to a temp name and renamed.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Finding } from './types.js';

export interface FileOrigin {
  key: string;
  size: number;
  mtimeMs: number;
  ino: number;
}

export interface CachedError {
  file: string;
  line: number;
  column: number;
  message: string;
}

export type CachedUnit = { displayPath: string; findings: Finding[]; errors: CachedError[] } | { displayPath: string; skip: string };

interface Entry {
  size: number;
  mtimeMs: number;
  ino: number;
  units: CachedUnit[];
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
  ) {}

  static async open(engineVersion: string, dir = defaultCacheDir()): Promise<ScanCache> {
    const file = path.join(dir, `results-${engineVersion}.json`);
    let entries = new Map<string, Entry>();
    try {
      // read synchronously: nothing else is running yet, and a thread-pool round trip only adds waiting
      entries = new Map(Object.entries(JSON.parse(readFileSync(file, 'utf8')) as Record<string, Entry>));
    } catch {
      // no cache yet, or unreadable: start empty
    }
    return new ScanCache(file, entries);
  }

  get(origin: FileOrigin): CachedUnit[] | undefined {
    const entry = this.entries.get(origin.key);
    if (!entry || entry.size !== origin.size || entry.mtimeMs !== origin.mtimeMs || entry.ino !== origin.ino) return undefined;
    return entry.units;
  }

  set(origin: FileOrigin, units: CachedUnit[]): void {
    this.entries.delete(origin.key); // re-insert: the most recent entries are kept when trimming
    this.entries.set(origin.key, { size: origin.size, mtimeMs: origin.mtimeMs, ino: origin.ino, units });
    this.changed = true;
  }

  async save(): Promise<void> {
    if (!this.changed) return;
    const kept = [...this.entries].slice(-MAX_ENTRIES);
    await mkdir(path.dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(temp, JSON.stringify(Object.fromEntries(kept)));
    await rename(temp, this.file);
  }
}
