/**
 * Every run reads its profile, and importing the `yaml` package is one of the larger costs of a
 * run's start (bench/run-overhead, issue 15). The parsed data of a profile text is kept as JSON
 * under saferun's state dir, named by the text's SHA-256, so an unchanged profile costs one small
 * read and `JSON.parse`. A miss, an unreadable or corrupt entry, or a value JSON cannot carry
 * (`.inf`, `.nan`) parses the text again; the cache never changes what a profile means, and the
 * caller validates the data the same way either way.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const MAX_ENTRY_BYTES = 1024 * 1024;

export function defaultYamlCacheDir(): string {
  const state = process.env['SAFERUN_STATE_DIR'] || path.join(process.env['XDG_STATE_HOME'] || path.join(os.homedir(), '.local', 'state'), 'saferun');
  return path.join(state, 'cache', 'parsed-yaml');
}

/** The parsed data of `text`: from the cache when present, else from `parse` (then stored). */
export async function parseYamlCached(text: string, parse: (text: string) => Promise<unknown>, cacheDir = defaultYamlCacheDir()): Promise<unknown> {
  const key = createHash('sha256').update('parsed-yaml/1\0').update(text).digest('hex');
  const entry = path.join(cacheDir, `${key}.json`);
  const hit = readEntry(entry);
  if (hit.found) return hit.value;
  const value = await parse(text);
  writeEntry(cacheDir, entry, value);
  return value;
}

function readEntry(entry: string): { found: true; value: unknown } | { found: false } {
  try {
    const json = readFileSync(entry, 'utf8');
    if (json.length > MAX_ENTRY_BYTES) return { found: false };
    return { found: true, value: JSON.parse(json) as unknown };
  } catch {
    return { found: false };
  }
}

function writeEntry(cacheDir: string, entry: string, value: unknown): void {
  let json: string;
  try {
    json = JSON.stringify({ v: value }, exactJson);
  } catch {
    return; // not representable as JSON exactly: parse every time
  }
  json = json.slice('{"v":'.length, -1);
  if (json.length > MAX_ENTRY_BYTES) return;
  const temp = `${entry}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
    writeFileSync(temp, json, { mode: 0o600 });
    renameSync(temp, entry);
  } catch {
    // a read-only, full or missing state dir only costs the speed-up
    try {
      rmSync(temp, { force: true });
    } catch {
      // nothing was written
    }
  }
}

/** JSON.stringify turns NaN/Infinity into null and drops undefined: refuse instead of storing a different value. */
function exactJson(this: unknown, _key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) throw new Error('not exact JSON');
  if (value === undefined || typeof value === 'bigint' || typeof value === 'function' || typeof value === 'symbol') throw new Error('not exact JSON');
  return value;
}
