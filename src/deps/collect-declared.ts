/**
 * Finds and reads what a project says it needs: manifests (requirements files, pyproject.toml,
 * setup.py, setup.cfg, Pipfile), PEP 723 script metadata, and the imports of its Python files.
 * Untrusted input: files are size-capped, symlinks are never followed out of the project, includes
 * stay inside it, and anything unreadable becomes a `problems` entry, never an exception.
 */
import { lstatSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { describeFsError } from '../util/fs-errors.js';
import { isInside, isRealDirectory } from '../util/paths.js';
import { importedDependencies } from './imports.js';
import { installedLicenses } from './licenses.js';
import { parseRequirementsTxt, type IncludeReader } from './manifests/requirements-txt.js';
import { parseSetupCfg, parseSetupPy } from './manifests/setup-files.js';
import { parseCondaEnvironment, parsePipfileLock, parseTomlLock } from './manifests/lock-files.js';
import { parseInlineScriptMetadata, parsePipfile, parsePyproject, type TomlManifestParse } from './manifests/toml-manifests.js';
import type { DeclaredDependencies, Dependency } from './types.js';
import { manifestKind, type ManifestKind } from './manifest-names.js';

const MAX_MANIFEST_BYTES = 1024 * 1024;
const MAX_SOURCE_BYTES = 4 * 1024 * 1024;
const MAX_PYTHON_FILES = 5000;
const SKIP_DIRS = new Set(['.git', '.hg', '.svn', 'node_modules', '__pycache__', '.venv', 'venv', 'env', '.env', 'virtualenv', '.tox', '.nox', 'site-packages', 'dist-packages', '.mypy_cache', '.pytest_cache', 'build', 'dist']);

export interface CollectOptions {
  /** Read the Python files' imports (on by default). */
  imports?: boolean;
  /** For directories, read only their manifests, not every Python file's imports (off by default). */
  manifestsOnly?: boolean;
}

export function collectDeclared(paths: readonly string[], options: CollectOptions = {}): DeclaredDependencies {
  const out: DeclaredDependencies = { dependencies: [], sources: [], licenses: [], problems: [], manifests: [] };
  const imported: Dependency[] = [];
  /** Requirements files already read, directly or through `-r`, so none is read twice. */
  const seenRequirements = new Set<string>();
  for (const given of paths) {
    let stat;
    try {
      stat = statSync(given);
    } catch (error) {
      out.problems.push({ file: given, reason: describeFsError(error) });
      continue;
    }
    const root = stat.isDirectory() ? given : path.dirname(given);
    const readInclude = includeReader(root);
    if (stat.isDirectory()) {
      for (const entry of safeEntries(given, out)) readManifest(path.join(given, entry), out, readInclude, seenRequirements);
      const requirementsDir = path.join(given, 'requirements');
      if (isRealDirectory(requirementsDir)) for (const entry of safeEntries(requirementsDir, out)) if (/\.(txt|in)$/.test(entry)) readManifest(path.join(requirementsDir, entry), out, readInclude, seenRequirements, 'requirements');
      out.licenses.push(...installedLicenses(given));
      if (options.imports !== false && !options.manifestsOnly) imported.push(...importsUnder(given, out));
    } else {
      const kind = manifestKind(path.basename(given));
      if (kind) readManifest(given, out, readInclude, seenRequirements, kind);
      if (/\.py$/i.test(given) && kind !== 'setup.py') {
        const text = readCapped(given, MAX_SOURCE_BYTES, out);
        if (text !== undefined) {
          mergeParse(out, parseInlineScriptMetadata(text, given));
          if (options.imports !== false) imported.push(...importedDependencies(text, given, localModules(root)));
        }
      } else if (!kind) out.problems.push({ file: given, reason: 'not a dependency manifest, a Python file or a directory' });
    }
  }
  const declared = new Set(out.dependencies.map((d) => d.normalized));
  const seenImports = new Set<string>();
  for (const dependency of imported) {
    if (declared.has(dependency.normalized) || seenImports.has(dependency.normalized)) continue;
    seenImports.add(dependency.normalized);
    out.dependencies.push(dependency);
  }
  return out;
}

function readManifest(file: string, out: DeclaredDependencies, readInclude: IncludeReader, seenRequirements: Set<string>, known?: ManifestKind): void {
  const kind = known ?? manifestKind(path.basename(file));
  if (!kind) return;
  const resolved = path.resolve(file);
  if (kind === 'requirements' && seenRequirements.has(resolved)) return;
  let stat;
  try {
    stat = lstatSync(file);
  } catch (error) {
    out.problems.push({ file, reason: describeFsError(error) });
    return;
  }
  if (stat.isSymbolicLink()) {
    out.problems.push({ file, reason: 'a symbolic link: not followed' });
    return;
  }
  if (!stat.isFile()) return;
  const text = readCapped(file, MAX_MANIFEST_BYTES, out);
  if (text === undefined) return;
  out.manifests.push(file);
  if (kind === 'requirements') mergeParse(out, { ...parseRequirementsTxt(text, resolved, readInclude, seenRequirements), licenses: [] });
  else if (kind === 'pyproject') mergeParse(out, parsePyproject(text, file));
  else if (kind === 'pipfile') mergeParse(out, parsePipfile(text, file));
  else if (kind === 'setup.cfg') mergeParse(out, parseSetupCfg(text, file));
  else if (kind === 'pipfile-lock') mergeParse(out, parsePipfileLock(text, file));
  else if (kind === 'toml-lock') mergeParse(out, parseTomlLock(text, file));
  else if (kind === 'conda-environment') mergeParse(out, parseCondaEnvironment(text, file));
  else mergeParse(out, parseSetupPy(text, file));
}

function mergeParse(out: DeclaredDependencies, parse: TomlManifestParse): void {
  out.dependencies.push(...parse.dependencies);
  out.sources.push(...parse.sources);
  out.problems.push(...parse.problems);
  out.licenses.push(...parse.licenses);
}

/** `-r other.txt`: only files inside the project, never through a symlink out of it, never a URL. */
function includeReader(root: string): IncludeReader {
  let realRoot: string;
  try {
    realRoot = realpathSync(root);
  } catch {
    realRoot = root;
  }
  return (fromFile, reference) => {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(reference)) return { problem: 'a remote requirements file: not fetched' };
    const target = path.resolve(path.dirname(fromFile), reference);
    let real: string;
    try {
      real = realpathSync(target);
    } catch (error) {
      return { problem: describeFsError(error) };
    }
    if (!isInside(real, realRoot)) return { problem: 'outside the project: not read' };
    const sink: DeclaredDependencies = { dependencies: [], sources: [], licenses: [], problems: [], manifests: [] };
    const text = readCapped(real, MAX_MANIFEST_BYTES, sink);
    if (text === undefined) return { problem: sink.problems[0]?.reason ?? 'unreadable' };
    return { file: target, text }; // a file already read is skipped by the parser (its `seen`)
  };
}

function readCapped(file: string, limit: number, out: DeclaredDependencies): string | undefined {
  try {
    const stat = statSync(file);
    if (!stat.isFile()) {
      out.problems.push({ file, reason: 'not a regular file' });
      return undefined;
    }
    if (stat.size > limit) {
      out.problems.push({ file, reason: `larger than ${limit} bytes: not read` });
      return undefined;
    }
    const bytes = readFileSync(file);
    if (bytes.includes(0)) {
      out.problems.push({ file, reason: 'binary content: not read' });
      return undefined;
    }
    const text = bytes.toString('utf8');
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text; // a byte-order mark is not content
  } catch (error) {
    out.problems.push({ file, reason: describeFsError(error) });
    return undefined;
  }
}

function safeEntries(dir: string, out: DeclaredDependencies): string[] {
  try {
    return readdirSync(dir).sort();
  } catch (error) {
    out.problems.push({ file: dir, reason: describeFsError(error) });
    return [];
  }
}

/** Module names the project provides itself: every .py stem and directory name beside a script. */
function localModules(dir: string): Set<string> {
  const names = new Set<string>();
  for (const base of [dir, path.join(dir, 'src')]) {
    let entries;
    try {
      entries = readdirSync(base, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      if (entry.isDirectory()) names.add(entry.name);
      else if (/\.(py|pyi|so|pyd)$/.test(entry.name)) names.add(entry.name.split('.')[0]!);
    }
  }
  return names;
}

/** Imports of every Python file in the tree (no symlinks, no virtualenvs), with the tree's own names as local. */
function importsUnder(root: string, out: DeclaredDependencies): Dependency[] {
  const files: string[] = [];
  const local = new Set<string>();
  const pending = [root];
  while (pending.length > 0 && files.length < MAX_PYTHON_FILES) {
    const dir = pending.pop()!;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      if (entry.isDirectory()) {
        local.add(entry.name);
        if (!SKIP_DIRS.has(entry.name) && !entry.name.endsWith('.egg-info') && !entry.name.endsWith('.dist-info')) pending.push(path.join(dir, entry.name));
      } else if (entry.isFile() && /\.(py|pyi|so|pyd)$/.test(entry.name)) {
        local.add(entry.name.split('.')[0]!);
        if (entry.name.endsWith('.py')) files.push(path.join(dir, entry.name));
      }
    }
  }
  const dependencies: Dependency[] = [];
  for (const file of files.sort()) {
    const text = readCapped(file, MAX_SOURCE_BYTES, out);
    if (text === undefined) continue;
    if (text.includes('# /// script')) mergeParse(out, parseInlineScriptMetadata(text, file));
    dependencies.push(...importedDependencies(text, file, local));
  }
  return dependencies;
}
