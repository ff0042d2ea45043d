/**
 * What a run must install, read faithfully (markers, extras and hashes kept) from where the
 * user put it: PEP 723 inline metadata, --requirements FILE or a requirements.txt beside the
 * script, pyproject.toml `[project] dependencies`, a lock file (exact pins, with hashes when it
 * has them), and --with SPEC. The result is the text of one pip requirements file.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { SaferunError } from '../errors.js';
import { describeFsError } from '../util/fs-errors.js';

export interface PackageRequest {
  /** Requirement lines for pip, one per line, in a stable order. */
  lines: string[];
  /** Where they came from (files, or "--with"), for messages and the report. */
  sources: string[];
  /** An index named in the requirements file (`--index-url`), when there is one. */
  indexUrl?: string;
  /** Every line carries `--hash`: pip will refuse anything else (--require-hashes). */
  hashed: boolean;
}

export interface RequestInput {
  /** The script run (its directory is searched), or undefined for -c / -m. */
  script?: string;
  /** The working directory (searched for -m and -c). */
  workdir: string;
  requirementsFile?: string;
  withSpecs: readonly string[];
}

const MAX_MANIFEST_BYTES = 1024 * 1024;
const LOCK_FILES = ['uv.lock', 'poetry.lock', 'pdm.lock', 'Pipfile.lock'];

type Table = Record<string, unknown>;
const isTable = (v: unknown): v is Table => typeof v === 'object' && v !== null && !Array.isArray(v);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

function readText(file: string): string {
  let size: number;
  try {
    size = statSync(file).size;
  } catch (error) {
    throw new SaferunError(`${file}: cannot read it (${describeFsError(error)})`);
  }
  if (size > MAX_MANIFEST_BYTES) throw new SaferunError(`${file}: larger than 1 MiB; not read as a requirements source`);
  return readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
}

function exists(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** smol-toml loads only when a run has a TOML file to read (its CommonJS build, as this path is synchronous). */
const requireLazily = createRequire(import.meta.url);

function tomlOf(text: string, file: string): Table {
  try {
    const { parse: parseToml } = requireLazily('smol-toml') as typeof import('smol-toml');
    return parseToml(text) as Table;
  } catch (error) {
    throw new SaferunError(`${file}: not valid TOML (${(error as Error).message.split('\n')[0]})`);
  }
}

/** PEP 723: the `# /// script` block's dependencies. */
export function inlineScriptRequirements(text: string, file: string): string[] | undefined {
  const lines = text.split(/\r?\n/);
  const start = lines.findIndex((l) => /^# \/\/\/ script\s*$/.test(l));
  if (start < 0) return undefined;
  const end = lines.findIndex((l, i) => i > start && /^# \/\/\/\s*$/.test(l));
  if (end < 0) throw new SaferunError(`${file}: line ${start + 1}: the '# /// script' block is never closed with '# ///'`);
  const body = lines.slice(start + 1, end).map((l) => (l.startsWith('# ') ? l.slice(2) : l.replace(/^#/, '')));
  return strings(tomlOf(body.join('\n'), file)['dependencies']);
}

/** A requirements file as pip reads it; index options are taken out (saferun chooses the index). */
export function requirementsFileLines(text: string): { lines: string[]; indexUrl?: string } {
  const lines: string[] = [];
  let indexUrl: string | undefined;
  const joined = text.replace(/\\\r?\n/g, ' ');
  for (const raw of joined.split(/\r?\n/)) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (!line) continue;
    const option = /^(--index-url|-i)(?:\s+|=)(\S+)/.exec(line);
    if (option) {
      indexUrl = option[2];
      continue;
    }
    // Extra indexes, find-links and trusted hosts: the dependency check reports them; they never reach pip.
    if (/^(--extra-index-url|--find-links|-f|--trusted-host|--no-index|-r|--requirement|-c|--constraint|-e|--editable)\b/.test(line)) {
      throw new SaferunError(`requirements option '${line.split(/\s/)[0]}' is not supported for installs in the sandbox; inline the requirements or use --with`);
    }
    lines.push(line);
  }
  return { lines, ...(indexUrl ? { indexUrl } : {}) };
}

/** uv.lock, poetry.lock, pdm.lock and Pipfile.lock: every package pinned, with its hashes. */
export function lockFileLines(text: string, file: string): string[] {
  if (path.basename(file) === 'Pipfile.lock') {
    let doc: Table;
    try {
      doc = JSON.parse(text) as Table;
    } catch {
      throw new SaferunError(`${file}: not valid JSON`);
    }
    const out: string[] = [];
    for (const section of ['default']) {
      const packages = isTable(doc[section]) ? (doc[section] as Table) : {};
      for (const [name, entry] of Object.entries(packages)) {
        if (!isTable(entry) || typeof entry['version'] !== 'string') continue;
        out.push(pinLine(name, entry['version'].replace(/^==/, ''), strings(entry['hashes'])));
      }
    }
    return out;
  }
  const doc = tomlOf(text, file);
  const out: string[] = [];
  for (const entry of Array.isArray(doc['package']) ? doc['package'] : []) {
    if (!isTable(entry) || typeof entry['name'] !== 'string' || typeof entry['version'] !== 'string') continue;
    const source = isTable(entry['source']) ? entry['source'] : {};
    // the project itself, path and editable entries: local code, nothing to download
    if (source['virtual'] !== undefined || source['editable'] !== undefined || source['directory'] !== undefined || source['path'] !== undefined) continue;
    if (entry['category'] === 'dev' || entry['optional'] === true) continue;
    const hashes: string[] = [];
    const files = [...(Array.isArray(entry['wheels']) ? entry['wheels'] : []), ...(isTable(entry['sdist']) ? [entry['sdist']] : []), ...(Array.isArray(entry['files']) ? entry['files'] : [])];
    for (const f of files) if (isTable(f) && typeof f['hash'] === 'string') hashes.push(f['hash']);
    out.push(pinLine(entry['name'], entry['version'], hashes));
  }
  return out;
}

function pinLine(name: string, version: string, hashes: string[]): string {
  const valid = hashes.filter((h) => /^sha256:[0-9a-f]{64}$/i.test(h));
  return [`${name}==${version}`, ...valid.map((h) => `--hash=${h}`)].join(' ');
}

/**
 * Where the requirements come from, first match wins for the files: the script's inline
 * metadata; --requirements; a lock file, else requirements.txt, else pyproject.toml beside the
 * script (or in the working dir). --with specs are added to whatever was found.
 */
export function readPackageRequest(input: RequestInput): PackageRequest | undefined {
  const lines: string[] = [];
  const sources: string[] = [];
  let indexUrl: string | undefined;
  const dir = input.script ? path.dirname(input.script) : input.workdir;
  const inline = input.script ? inlineScriptRequirements(readText(input.script), input.script) : undefined;
  if (inline !== undefined) {
    lines.push(...inline);
    sources.push(input.script!);
  } else if (input.requirementsFile) {
    const parsed = requirementsFileLines(readText(input.requirementsFile));
    lines.push(...parsed.lines);
    indexUrl = parsed.indexUrl;
    sources.push(input.requirementsFile);
  } else {
    const lock = LOCK_FILES.map((name) => path.join(dir, name)).find(exists);
    const requirements = path.join(dir, 'requirements.txt');
    const pyproject = path.join(dir, 'pyproject.toml');
    if (lock) {
      lines.push(...lockFileLines(readText(lock), lock));
      sources.push(lock);
    } else if (exists(requirements)) {
      const parsed = requirementsFileLines(readText(requirements));
      lines.push(...parsed.lines);
      indexUrl = parsed.indexUrl;
      sources.push(requirements);
    } else if (exists(pyproject)) {
      const project = tomlOf(readText(pyproject), pyproject)['project'];
      const deps = isTable(project) ? strings(project['dependencies']) : [];
      if (deps.length > 0) {
        lines.push(...deps);
        sources.push(pyproject);
      }
    }
  }
  for (const spec of input.withSpecs) {
    lines.push(spec);
    if (!sources.includes('--with')) sources.push('--with');
  }
  const cleaned = [...new Set(lines.map((l) => l.trim()).filter(Boolean))];
  if (cleaned.length === 0) return undefined;
  for (const line of cleaned) {
    if (/[\n\r\0]/.test(line) || line.length > 4096) throw new SaferunError(`a requirement is not one line of text: ${JSON.stringify(line.slice(0, 60))}`);
    // a requirement starts with its project name; anything else would be an option to pip
    if (!/^[A-Za-z0-9]/.test(line)) throw new SaferunError(`'${line.slice(0, 60)}' is not a requirement (it must start with a project name, e.g. requests==2.32.3)`);
  }
  return { lines: cleaned, sources, ...(indexUrl ? { indexUrl } : {}), hashed: cleaned.every((l) => /--hash=sha256:/.test(l)) };
}
