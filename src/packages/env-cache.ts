/**
 * Installed environments, kept in the user's cache and mounted read-only into runs. An
 * environment's key is the image and the exact request (requirement lines with their hashes,
 * the index, binary-only or not), so a second run with the same requirements downloads and
 * installs nothing. It is built in a temporary directory beside the cache and renamed into place
 * only when complete: a half-built environment is never used.
 */
import { createHash, randomBytes } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PackageReport } from './types.js';
import { isProcessAlive } from '../util/process-alive.js';
import { walkEntries } from '../util/walk-entries.js';

export const ENV_FORMAT_VERSION = 1;

export interface EnvKeyInput {
  image: string;
  lines: readonly string[];
  indexUrl: string;
  onlyBinary: boolean;
}

export interface EnvRecord {
  version: typeof ENV_FORMAT_VERSION;
  key: string;
  image: string;
  requirements: string[];
  indexUrl: string;
  onlyBinary: boolean;
  createdAt: string;
  packages: PackageReport[];
}

export interface CachedEnv {
  record: EnvRecord;
  /** The installed tree (pip --target), mounted read-only at run time. */
  sitePath: string;
  dir: string;
}

export function envsDir(): string {
  if (process.env['SAFERUN_ENVS_DIR']) return process.env['SAFERUN_ENVS_DIR'];
  if (process.env['SAFERUN_CACHE_DIR']) return path.join(process.env['SAFERUN_CACHE_DIR'], 'envs');
  return path.join(process.env['XDG_CACHE_HOME'] || path.join(os.homedir(), '.cache'), 'saferun', 'envs');
}

export function envKey(input: EnvKeyInput): string {
  const canonical = JSON.stringify({ v: ENV_FORMAT_VERSION, image: input.image, lines: [...input.lines].sort(), index: input.indexUrl, onlyBinary: input.onlyBinary });
  return createHash('sha256').update(canonical).digest('hex').slice(0, 32);
}

function parseRecord(text: string, key: string): EnvRecord | undefined {
  try {
    const record = JSON.parse(text) as EnvRecord;
    if (record.version !== ENV_FORMAT_VERSION || record.key !== key || !Array.isArray(record.packages)) return undefined;
    return record;
  } catch {
    return undefined;
  }
}

/** The environment for this key, when a complete one is cached; marks it used. */
export function findEnv(key: string, root = envsDir()): CachedEnv | undefined {
  const dir = path.join(root, key);
  const recordFile = path.join(dir, 'env.json');
  let text: string;
  try {
    text = readFileSync(recordFile, 'utf8');
  } catch {
    return undefined;
  }
  const record = parseRecord(text, key);
  if (!record) return undefined;
  const sitePath = path.join(dir, 'site');
  if (!lstatSync(sitePath, { throwIfNoEntry: false })?.isDirectory()) return undefined;
  try {
    const now = new Date();
    utimesSync(recordFile, now, now);
  } catch {
    // a read-only cache still serves
  }
  return { record, sitePath, dir };
}

export interface EnvBuild {
  dir: string;
  /** pip --target writes here. */
  siteDir: string;
  /** pip download writes here. */
  distsDir: string;
  /** The requirements file the containers read. */
  requestDir: string;
  /** Moves the finished environment into place (the downloads are dropped); another run's identical one wins a race. */
  commit(record: EnvRecord): CachedEnv;
  discard(): void;
}

export function startEnvBuild(key: string, root = envsDir()): EnvBuild {
  mkdirSync(root, { recursive: true, mode: 0o700 });
  const dir = path.join(root, `.build-${key}-${process.pid}-${randomBytes(3).toString('hex')}`);
  const build = { dir, siteDir: path.join(dir, 'site'), distsDir: path.join(dir, 'dists'), requestDir: path.join(dir, 'request') };
  for (const d of [dir, build.siteDir, build.distsDir, build.requestDir]) mkdirSync(d, { recursive: true });
  let done = false;
  return {
    ...build,
    commit(record) {
      done = true;
      rmSync(build.distsDir, { recursive: true, force: true });
      rmSync(build.requestDir, { recursive: true, force: true });
      writeFileSync(path.join(dir, 'env.json'), `${JSON.stringify(record, null, 2)}\n`);
      const final = path.join(root, key);
      try {
        renameSync(dir, final);
      } catch {
        rmSync(dir, { recursive: true, force: true });
      }
      const found = findEnv(key, root);
      if (!found) throw new Error(`the environment ${key} could not be put in place`);
      return found;
    },
    discard() {
      if (done) return;
      done = true;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface EnvListing {
  key: string;
  packages: { name: string; version: string }[];
  image: string;
  createdAt: string;
  lastUsedAt: string;
  bytes: number;
}

function treeBytes(dir: string): number {
  let total = 0;
  walkEntries(dir, (_entry, stat) => {
    if (!stat.isDirectory()) total += stat.size;
  });
  return total;
}

/** Complete environments, most recently used first. */
export function listEnvs(root = envsDir()): EnvListing[] {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  const out: EnvListing[] = [];
  for (const key of names) {
    if (!/^[0-9a-f]{32}$/.test(key)) continue;
    const recordFile = path.join(root, key, 'env.json');
    let text: string;
    let usedAt: Date;
    try {
      text = readFileSync(recordFile, 'utf8');
      usedAt = statSync(recordFile).mtime;
    } catch {
      continue;
    }
    const record = parseRecord(text, key);
    if (!record) continue;
    out.push({
      key,
      packages: record.packages.map((p) => ({ name: p.name, version: p.version })),
      image: record.image,
      createdAt: record.createdAt,
      lastUsedAt: usedAt.toISOString(),
      bytes: treeBytes(path.join(root, key)),
    });
  }
  return out.sort((a, b) => b.lastUsedAt.localeCompare(a.lastUsedAt));
}


/**
 * Removes every environment but the `keep` most recently used, damaged ones, and builds left by
 * a saferun that died. Returns the keys removed.
 */
export function pruneEnvs(keep: number, root = envsDir()): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return removed;
  }
  const complete = new Set(listEnvs(root).map((e) => e.key));
  const kept = new Set(listEnvs(root).slice(0, keep).map((e) => e.key));
  for (const name of names) {
    const build = /^\.build-[0-9a-f]{32}-(\d+)-/.exec(name);
    const stale = build ? !isProcessAlive(Number(build[1])) : /^[0-9a-f]{32}$/.test(name) && (!complete.has(name) || !kept.has(name));
    if (!stale) continue;
    rmSync(path.join(root, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}
