/**
 * Profiles: schema → merge `extends` → normalise → checks. Hard problems throw a SaferunError that
 * names the file, the key and what is accepted; soft ones come back as warnings.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { z } from 'zod';
import { SaferunError } from '../errors.js';
import { RISK_LEVELS } from '../findings/finding.js';
import { describeFsError } from '../util/fs-errors.js';
import { packageRoot } from '../util/package-info.js';
import { formatAllowRule, parseAllowRule } from '../network/allow-rules.js';
import { parsePolicyAction, type EgressSettings, type LoadedProfile, type PolicyAction, type Profile, type ResourceLimits } from './profile.js';
import type { ProfileFile } from './profile-schema.js';
import { parseYamlCached } from './parsed-yaml-cache.js';
import { formatDuration, parseDuration, parseSize, TIMEOUT_RANGE_MS, type ParseResult } from './units.js';

export const PRESETS = ['strict', 'offline', 'normal'] as const;
export const DEFAULT_PROFILE = 'normal';

const MAX_PROFILE_BYTES = 256 * 1024;
const MAX_EXTENDS_DEPTH = 8;

export function presetsDir(): string {
  return path.join(packageRoot(), 'profiles');
}

export function userProfilesDir(): string {
  const base = process.env['XDG_CONFIG_HOME'] || path.join(os.homedir(), '.config');
  return path.join(base, 'saferun', 'profiles');
}

function looksLikePath(reference: string): boolean {
  return reference.includes('/') || reference.includes(path.sep) || /\.ya?ml$/i.test(reference);
}

/** Finds the file for a profile name or path; the error lists what exists. */
export function locateProfile(reference: string, relativeTo: string): string {
  if (looksLikePath(reference)) return path.resolve(relativeTo, reference);
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(reference)) {
    throw new SaferunError(`profile '${reference}' is not a profile name or a .yaml file; use ${PRESETS.join(', ')} or a path`);
  }
  for (const dir of [presetsDir(), userProfilesDir()]) {
    const candidate = path.join(dir, `${reference}.yaml`);
    if (isFile(candidate)) return candidate;
  }
  throw new SaferunError(`unknown profile '${reference}'; use one of ${availableProfileNames().join(', ')} or a path to a .yaml file`);
}

export function availableProfileNames(): string[] {
  const names = new Set<string>(PRESETS);
  for (const dir of [presetsDir(), userProfilesDir()]) {
    try {
      for (const entry of readdirSync(dir).sort()) if (entry.endsWith('.yaml')) names.add(entry.slice(0, -'.yaml'.length));
    } catch {
      // a missing user dir is normal
    }
  }
  return [...names];
}


function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Presets ship with saferun and are validated by its tests; user files go through the schema (zod loads only then). */
async function readProfileFile(file: string, trusted: boolean): Promise<ProfileFile> {
  let text: string;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw new SaferunError(`profile ${file}: not a regular file`);
    if (stat.size > MAX_PROFILE_BYTES) throw new SaferunError(`profile ${file}: ${stat.size} bytes is too large for a profile (at most ${MAX_PROFILE_BYTES})`);
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof SaferunError) throw error;
    throw new SaferunError(`profile ${file}: cannot read it (${describeFsError(error)})`, { cause: error });
  }
  let data: unknown;
  try {
    data = await parseYamlCached(text, parseProfileYaml);
  } catch (error) {
    const { YAMLParseError } = await import('yaml');
    const where = error instanceof YAMLParseError && error.linePos ? ` at line ${error.linePos[0].line}` : '';
    throw new SaferunError(`profile ${file}: not valid YAML${where}: ${(error as Error).message.split('\n')[0]}`, { cause: error });
  }
  if (data === null || data === undefined) data = {};
  if (trusted) return data as ProfileFile;
  return validateProfileData(file, data);
}

/** `yaml` is imported only when the parsed-data cache misses. */
async function parseProfileYaml(text: string): Promise<unknown> {
  const { parse } = await import('yaml');
  return parse(text, { maxAliasCount: 50, uniqueKeys: true, prettyErrors: false });
}

export async function validateProfileData(file: string, data: unknown): Promise<ProfileFile> {
  const { profileFileSchema } = await import('./profile-schema.js');
  const parsed = profileFileSchema.safeParse(data);
  if (!parsed.success) throw new SaferunError(`profile ${file}: ${describeIssues(parsed.error.issues, Object.keys(profileFileSchema.shape))}`);
  return parsed.data;
}

function describeIssues(issues: readonly z.core.$ZodIssue[], topLevelKeys: string[]): string {
  return issues
    .slice(0, 5)
    .map((issue) => {
      const key = issue.path.map(String).join('.');
      if (issue.code === 'unrecognized_keys') {
        const where = key ? `${key}.` : '';
        return `unknown key ${issue.keys.map((k) => `'${where}${k}'`).join(', ')}; accepted: ${acceptedKeys(issue.path, topLevelKeys)}`;
      }
      if (issue.code === 'invalid_value') return `key '${key}': ${issue.message}; accepted: ${issue.values.map(String).join(', ')}`;
      return `key '${key || '(top level)'}': ${issue.message}`;
    })
    .join('; ');
}

function acceptedKeys(at: readonly PropertyKey[], topLevelKeys: string[]): string {
  if (at[0] === 'limits') return 'memory, cpus, pids, nofile, maxFileSize, tmpSize, timeout, outputSize';
  if (at[0] === 'policy') return 'low, medium, high, critical';
  if (at[0] === 'network') return 'mode, allow, maxUpload';
  return topLevelKeys.join(', ');
}

/** Follows `extends` (presets or files), detecting cycles, and merges section by section. */
async function resolveChain(reference: string, relativeTo: string, seen: string[]): Promise<{ merged: ProfileFile; file: string }> {
  const file = locateProfile(reference, relativeTo);
  if (seen.includes(file)) throw new SaferunError(`profile ${file}: 'extends' makes a cycle (${[...seen, file].join(' → ')})`);
  if (seen.length >= MAX_EXTENDS_DEPTH) throw new SaferunError(`profile ${file}: 'extends' is nested more than ${MAX_EXTENDS_DEPTH} deep`);
  const own = await readProfileFile(file, path.dirname(file) === presetsDir());
  if (own.extends === undefined) return { merged: own, file };
  const base = (await resolveChain(own.extends, path.dirname(file), [...seen, file])).merged;
  return {
    file,
    merged: {
      ...base,
      ...own,
      name: own.name,
      limits: { ...base.limits, ...own.limits },
      policy: { ...base.policy, ...own.policy },
      dependencies: { ...base.dependencies, ...own.dependencies },
      monitor: { ...base.monitor, ...own.monitor },
      network: mergeNetwork(base.network, own.network),
    },
  };
}

type NetworkSection = Exclude<ProfileFile['network'], string | undefined>;

/** `network: open` is `network: {mode: open}`; a file's keys override its base's, key by key. */
function networkObject(value: ProfileFile['network']): NetworkSection | undefined {
  return typeof value === 'string' ? { mode: value } : value;
}

function mergeNetwork(base: ProfileFile['network'], own: ProfileFile['network']): NetworkSection | undefined {
  const [a, b] = [networkObject(base), networkObject(own)];
  return a || b ? { ...a, ...b } : undefined;
}

function normaliseEgress(file: string, network: NetworkSection | undefined): EgressSettings {
  const allow = (network?.allow ?? []).map((text, index) => {
    const parsed = parseAllowRule(text);
    if (!parsed.ok) throw new SaferunError(`profile ${file}: key 'network.allow.${index}': ${parsed.problem}`);
    return formatAllowRule(parsed.rule);
  });
  const maxUploadBytes = network?.maxUpload === undefined ? DEFAULT_MAX_UPLOAD : unit(file, 'network.maxUpload', parseSize(network.maxUpload));
  return { allow, maxUploadBytes: inRange(file, 'network.maxUpload', maxUploadBytes, 1024, 1024 ** 4, (n) => `${Math.round(n / 1024)}k`) };
}

export async function loadProfile(reference: string, options: { cwd?: string } = {}): Promise<LoadedProfile> {
  const { merged, file } = await resolveChain(reference, options.cwd ?? process.cwd(), []);
  const isPreset = path.dirname(file) === presetsDir();
  return normaliseProfile(merged, { file, isPreset, fallbackName: path.basename(file).replace(/\.ya?ml$/i, '') });
}

function required<T>(file: string, key: string, value: T | undefined): T {
  if (value === undefined) throw new SaferunError(`profile ${file}: key '${key}' is missing (set it, or 'extends: strict' to inherit it)`);
  return value;
}

function unit(file: string, key: string, result: ParseResult): number {
  if (!result.ok) throw new SaferunError(`profile ${file}: key '${key}': ${result.problem}`);
  return result.value;
}

function inRange(file: string, key: string, value: number, min: number, max: number, shown: (n: number) => string = String): number {
  if (!(value >= min && value <= max)) throw new SaferunError(`profile ${file}: key '${key}': ${shown(value)} is out of range; accepted ${shown(min)} to ${shown(max)}`);
  return value;
}

const MiB = 1024 ** 2;
const DEFAULT_MAX_UPLOAD = 20 * MiB;
/** limits.outputSize when a profile file leaves it out (the presets set their own). */
const DEFAULT_OUTPUT_SIZE = '1g';

export function normaliseProfile(data: ProfileFile, context: { file: string; isPreset: boolean; fallbackName: string }): LoadedProfile {
  const { file } = context;
  const warnings: string[] = [];
  const l = data.limits ?? {};
  const mib = (n: number) => `${Math.round(n / MiB)}m`;
  const cpus = inRange(file, 'limits.cpus', required(file, 'limits.cpus', l.cpus), 0.01, 1024);
  const hostCpus = os.availableParallelism();
  let effectiveCpus = cpus;
  if (cpus > hostCpus) {
    warnings.push(`profile ${context.fallbackName}: limits.cpus ${cpus} is more than this host's ${hostCpus} cores; using ${hostCpus}`);
    effectiveCpus = hostCpus;
  }
  const limits: ResourceLimits = {
    memoryBytes: inRange(file, 'limits.memory', unit(file, 'limits.memory', parseSize(required(file, 'limits.memory', l.memory))), 6 * MiB, 1024 ** 4, mib),
    nanoCpus: Math.round(effectiveCpus * 1e9),
    pids: inRange(file, 'limits.pids', required(file, 'limits.pids', l.pids), 8, 1_000_000),
    nofile: inRange(file, 'limits.nofile', required(file, 'limits.nofile', l.nofile), 16, 1_048_576),
    maxFileSizeBytes: inRange(file, 'limits.maxFileSize', unit(file, 'limits.maxFileSize', parseSize(required(file, 'limits.maxFileSize', l.maxFileSize))), 1 * MiB, 1024 ** 4, mib),
    tmpBytes: inRange(file, 'limits.tmpSize', unit(file, 'limits.tmpSize', parseSize(required(file, 'limits.tmpSize', l.tmpSize))), 1 * MiB, 64 * 1024 ** 3, mib),
    outputBytes: inRange(file, 'limits.outputSize', unit(file, 'limits.outputSize', parseSize(l.outputSize ?? DEFAULT_OUTPUT_SIZE)), 1 * MiB, 64 * 1024 ** 4, mib),
    timeoutMs: inRange(file, 'limits.timeout', unit(file, 'limits.timeout', parseDuration(required(file, 'limits.timeout', l.timeout))), TIMEOUT_RANGE_MS.min, TIMEOUT_RANGE_MS.max, formatDuration),
  };
  const policyText = data.policy ?? {};
  const policy = Object.fromEntries(
    RISK_LEVELS.map((level) => [level, parsePolicyAction(required(file, `policy.${level}`, policyText[level]))]),
  ) as Record<(typeof RISK_LEVELS)[number], PolicyAction>;
  const name = data.name ?? context.fallbackName;
  for (const level of RISK_LEVELS) {
    const action = policy[level];
    if (action.kind === 'escalate' && action.profile === name) {
      throw new SaferunError(`profile ${file}: key 'policy.${level}': cannot escalate to itself ('${name}')`);
    }
  }
  const workdir = required(file, 'workdir', data.workdir);
  if (workdir === 'read-write') warnings.push(`profile ${name}: the working directory is mounted read-write; the program can change your files`);
  const profile: Profile = {
    name,
    description: data.description ?? '',
    source: context.isPreset ? 'preset' : file,
    limits,
    network: required(file, 'network', networkObject(data.network)?.mode),
    egress: normaliseEgress(file, networkObject(data.network)),
    ...(data.runtime === undefined ? {} : { runtime: data.runtime }),
    workdir,
    output: required(file, 'output', data.output),
    snapshot: required(file, 'snapshot', data.snapshot),
    monitor: { enabled: data.monitor?.enabled ?? true, cutNetwork: data.monitor?.cutNetwork ?? true, decoys: data.monitor?.decoys ?? true },
    dependencies: {
      check: data.dependencies?.check ?? true,
      trustedIndexes: (data.dependencies?.trustedIndexes ?? []).map((h) => h.toLowerCase()),
      deniedLicenses: data.dependencies?.deniedLicenses ?? [],
      index: data.dependencies?.index,
      allowSdist: data.dependencies?.allowSdist ?? true,
    },
    policy,
  };
  return { profile, warnings };
}
