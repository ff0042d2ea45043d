/**
 * Third-party packages for a run, in four steps, none of them on the host:
 *   1. download: `pip download` in a sandbox whose only way out is the egress proxy, allowed to
 *      reach the index and nothing else (hashes enforced when the requirements carry them);
 *   2. inspect: every wheel and sdist through the scan engine and the dependency checks;
 *   3. decide: the findings join the run's risk level (the caller decides);
 *   4. install: `pip install --no-index` of exactly the inspected files, in a sandbox with no
 *      network, into a new environment that is renamed into the cache only when complete.
 */
import { lchownSync, writeFileSync } from 'node:fs';
import { walkEntries } from '../util/walk-entries.js';
import path from 'node:path';
import type { ResourceLimits } from '../config/profile.js';
import { SaferunError } from '../errors.js';
import type { SandboxNetwork } from '../sandbox/host-config.js';
import { envKey, findEnv, startEnvBuild, type CachedEnv, type EnvBuild, ENV_FORMAT_VERSION } from './env-cache.js';
import { inspectDistributions, isSdist } from './inspect.js';
import { explainPipFailure } from './pip-errors.js';
import type { PackageRequest } from './requirements-source.js';
import { runToolContainer } from './tool-container.js';
import type { PackageReport } from './types.js';

type SandboxModule = typeof import('../sandbox/index.js');
type RunEngine = InstanceType<SandboxModule['EngineApi']>;

/** PyPI's simple index, used when neither the flags, the profile nor the requirements name one. */
export const DEFAULT_INDEX_URL = 'https://pypi.org/simple/';
/** Hosts PyPI's index sends pip to: the index itself and the file host. */
const DEFAULT_INDEX_HOSTS = ['pypi.org:443', 'files.pythonhosted.org:443'];

/** Exit code when packages could not be prepared (documented in the README). */
export const PACKAGES_FAILED_EXIT = 125;

export const CONTAINER_ENV_DIR = '/saferun/env';
const DISTS = '/saferun/dists';
const REQUEST = '/saferun/request';
const BUILD = '/saferun/env-build';

export interface PrepareSettings {
  image: string;
  indexUrl: string;
  onlyBinary: boolean;
  user: string;
  limits: ResourceLimits;
}

/** The hosts (with ports) the download sandbox may reach for this index. */
export function indexAllowRules(indexUrl: string): string[] {
  if (indexUrl === DEFAULT_INDEX_URL) return DEFAULT_INDEX_HOSTS;
  let url: URL;
  try {
    url = new URL(indexUrl);
  } catch {
    throw new SaferunError(`--index-url: '${indexUrl}' is not a URL; use e.g. https://pypi.example.com/simple/`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new SaferunError(`--index-url: '${indexUrl}' must be an http or https URL`);
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const host = url.hostname.startsWith('[') ? url.hostname : url.hostname;
  return [`${host}:${port}`];
}

export function cacheKeyFor(request: PackageRequest, settings: PrepareSettings): string {
  return envKey({ image: settings.image, lines: request.lines, indexUrl: settings.indexUrl, onlyBinary: settings.onlyBinary });
}

export function findCachedEnv(request: PackageRequest, settings: PrepareSettings): CachedEnv | undefined {
  return findEnv(cacheKeyFor(request, settings));
}

/** Hands a build directory to the sandbox user (saferun as root runs pip as nobody). */
function lend(dirs: string[], user: string): void {
  if (process.getuid?.() !== 0) return;
  const [uid, gid] = user.split(':').map(Number) as [number, number];
  for (const dir of dirs) lchownSync(dir, uid, gid);
}

/** Gives an installed tree back to the user saferun runs as; symlinks are never followed. */
function reclaim(dir: string): void {
  if (process.getuid?.() !== 0) return;
  const uid = process.getuid();
  const gid = process.getgid?.() ?? 0;
  walkEntries(dir, (entry) => lchownSync(entry, uid, gid));
}

export interface Downloaded {
  build: EnvBuild;
  packages: PackageReport[];
}

export async function downloadAndInspect(
  sandbox: SandboxModule,
  engine: RunEngine,
  request: PackageRequest,
  settings: PrepareSettings,
  network: SandboxNetwork,
  runId: string,
  signal?: AbortSignal,
): Promise<Downloaded> {
  const build = startEnvBuild(cacheKeyFor(request, settings));
  try {
    writeFileSync(path.join(build.requestDir, 'requirements.txt'), `${request.lines.join('\n')}\n`);
    lend([build.distsDir], settings.user);
    const command = ['python3', '-m', 'pip', 'download', '--no-cache-dir', '--progress-bar', 'off', '--retries', '1', '--timeout', '20', '--dest', DISTS, '--index-url', settings.indexUrl, '--prefer-binary', '--no-build-isolation', '--requirement', `${REQUEST}/requirements.txt`];
    if (settings.onlyBinary) command.push('--only-binary', ':all:');
    if (request.hashed) command.push('--require-hashes');
    const outcome = await runToolContainer(sandbox, engine, {
      runId: `${runId}-dl`,
      image: settings.image,
      user: settings.user,
      command,
      mounts: [
        { hostPath: build.requestDir, containerPath: REQUEST, readOnly: true },
        { hostPath: build.distsDir, containerPath: DISTS, readOnly: false },
      ],
      network,
      limits: settings.limits,
      ...(signal ? { signal } : {}),
    });
    if (outcome.reason !== 'exited' || outcome.exitCode !== 0) throw stepFailure('download', outcome);
    const packages = await inspectDistributions(build.distsDir, { privateIndex: settings.indexUrl !== DEFAULT_INDEX_URL });
    if (packages.length === 0) throw new SaferunError('pip downloaded nothing for the requirements', { exitCode: PACKAGES_FAILED_EXIT });
    const sdists = packages.filter((p) => isSdist(p.file));
    if (settings.onlyBinary && sdists.length > 0) {
      throw new SaferunError(`package ${sdists[0]!.name}: only a source distribution was found, and sdists are not allowed here (--only-binary, or dependencies.allowSdist: false)`, { exitCode: PACKAGES_FAILED_EXIT });
    }
    return { build, packages };
  } catch (error) {
    build.discard();
    throw error;
  }
}

export async function installInspected(sandbox: SandboxModule, engine: RunEngine, request: PackageRequest, settings: PrepareSettings, downloaded: Downloaded, runId: string, signal?: AbortSignal): Promise<CachedEnv> {
  const { build, packages } = downloaded;
  try {
    lend([build.siteDir], settings.user);
    const files = packages.map((p) => `${DISTS}/${p.file}`);
    const command = ['python3', '-m', 'pip', 'install', '--no-index', '--no-deps', '--no-build-isolation', '--no-cache-dir', '--no-compile', '--progress-bar', 'off', '--target', BUILD, ...files];
    const outcome = await runToolContainer(sandbox, engine, {
      runId: `${runId}-in`,
      image: settings.image,
      user: settings.user,
      command,
      mounts: [
        { hostPath: build.distsDir, containerPath: DISTS, readOnly: true },
        { hostPath: build.siteDir, containerPath: BUILD, readOnly: false },
      ],
      network: { mode: 'none' },
      limits: settings.limits,
      ...(signal ? { signal } : {}),
    });
    if (outcome.reason !== 'exited' || outcome.exitCode !== 0) throw stepFailure('install', outcome);
    reclaim(build.siteDir);
    return build.commit({
      version: ENV_FORMAT_VERSION,
      key: cacheKeyFor(request, settings),
      image: settings.image,
      requirements: request.lines,
      indexUrl: settings.indexUrl,
      onlyBinary: settings.onlyBinary,
      createdAt: new Date().toISOString(),
      packages,
    });
  } catch (error) {
    build.discard();
    throw error;
  }
}

function stepFailure(step: 'download' | 'install', outcome: { exitCode: number | null; reason: string; output: string }): SaferunError {
  if (outcome.reason === 'timeout') return new SaferunError(`pip ${step} ran past the time limit (a slow or silent index?); nothing was installed`, { exitCode: PACKAGES_FAILED_EXIT });
  if (outcome.reason === 'killed') return new SaferunError(`pip ${step} was interrupted; nothing was installed`, { exitCode: PACKAGES_FAILED_EXIT });
  if (outcome.reason === 'oom') return new SaferunError(`pip ${step} ran out of memory; nothing was installed`, { exitCode: PACKAGES_FAILED_EXIT });
  const failure = explainPipFailure(outcome.output, step);
  const tail = outcome.output.trim().split('\n').slice(-6).map((l) => `    ${l}`).join('\n');
  return new SaferunError(`${failure.message}\n  pip said:\n${tail}`, { exitCode: PACKAGES_FAILED_EXIT });
}
