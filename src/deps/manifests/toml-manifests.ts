/**
 * TOML manifests: pyproject.toml (PEP 621 `[project]`, `[build-system]`, PEP 735 groups, Poetry,
 * uv and PDM sources), Pipfile, and PEP 723 inline script metadata (which is TOML too).
 */
import { parse as parseToml } from 'smol-toml';
import { normalizeName, parseRequirement, toDependency } from '../requirement.js';
import type { DeclaredLicense, Dependency, DependencyOrigin, PackageSource } from '../types.js';
import type { ManifestParse } from './requirements-txt.js';

export interface TomlManifestParse extends ManifestParse {
  licenses: DeclaredLicense[];
}

type Table = Record<string, unknown>;

function isTable(value: unknown): value is Table {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function table(parent: unknown, ...keys: string[]): Table | undefined {
  let current: unknown = parent;
  for (const key of keys) {
    if (!isTable(current)) return undefined;
    current = current[key];
  }
  return isTable(current) ? current : undefined;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** Finds the line a value is written on; TOML parsers keep no positions. */
export function lineFinder(text: string): (needle: string) => number {
  const lines = text.split(/\r?\n/);
  return (needle) => {
    const index = lines.findIndex((l) => l.includes(needle));
    return index >= 0 ? index + 1 : 1;
  };
}

function emptyParse(): TomlManifestParse {
  return { dependencies: [], sources: [], problems: [], licenses: [] };
}

function readToml(text: string, file: string, out: TomlManifestParse): Table | undefined {
  try {
    return parseToml(text) as Table;
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    out.problems.push({ file, reason: `not valid TOML: ${message}` });
    return undefined;
  }
}

export function parsePyproject(text: string, file: string): TomlManifestParse {
  const out = emptyParse();
  const doc = readToml(text, file, out);
  if (!doc) return out;
  const lineOf = lineFinder(text);
  const add = (requirement: string, origin: DependencyOrigin) => pushRequirement(out, requirement, origin, file, lineOf);
  const project = table(doc, 'project');
  for (const r of strings(project?.['dependencies'])) add(r, 'pyproject');
  for (const group of Object.values(table(project, 'optional-dependencies') ?? {})) for (const r of strings(group)) add(r, 'pyproject');
  for (const r of strings(table(doc, 'build-system')?.['requires'])) add(r, 'pyproject');
  for (const group of Object.values(table(doc, 'dependency-groups') ?? {})) for (const r of strings(group)) add(r, 'pyproject');
  const license = projectLicense(project);
  if (license) out.licenses.push({ name: normalizeName(String(project?.['name'] ?? 'this project')), license, file, line: lineOf('license'), own: true });

  const poetry = table(doc, 'tool', 'poetry');
  if (poetry) {
    addPoetryTable(out, table(poetry, 'dependencies'), file, lineOf);
    addPoetryTable(out, table(poetry, 'dev-dependencies'), file, lineOf);
    for (const group of Object.values(table(poetry, 'group') ?? {})) addPoetryTable(out, table(group, 'dependencies'), file, lineOf);
    const sources = poetry['source'];
    for (const source of Array.isArray(sources) ? sources : []) {
      const url = isTable(source) ? source['url'] : undefined;
      if (typeof url !== 'string') continue;
      const kind = source['priority'] === 'primary' || source['default'] === true ? 'index-url' : 'extra-index-url';
      out.sources.push({ kind, value: url, file, line: lineOf(url), ...(source['priority'] === 'explicit' ? { pinned: true } : {}) });
    }
    if (!license && typeof poetry['license'] === 'string') out.licenses.push({ name: normalizeName(String(poetry['name'] ?? 'this project')), license: poetry['license'], file, line: lineOf('license'), own: true });
  }
  addUvSettings(out, table(doc, 'tool', 'uv'), file, lineOf);
  const pdmSources = table(doc, 'tool', 'pdm')?.['source'];
  for (const source of Array.isArray(pdmSources) ? pdmSources : []) {
    const url = isTable(source) ? source['url'] : undefined;
    if (typeof url === 'string') out.sources.push({ kind: 'extra-index-url', value: url, file, line: lineOf(url) });
  }
  return out;
}

function projectLicense(project: Table | undefined): string | undefined {
  const license = project?.['license'];
  if (typeof license === 'string') return license;
  if (isTable(license) && typeof license['text'] === 'string') return license['text'].split('\n')[0];
  return undefined;
}

function addUvSettings(out: TomlManifestParse, uv: Table | undefined, file: string, lineOf: (n: string) => number): void {
  if (!uv) return;
  if (typeof uv['index-url'] === 'string') out.sources.push({ kind: 'index-url', value: uv['index-url'], file, line: lineOf(uv['index-url']) });
  for (const url of strings(uv['extra-index-url'])) out.sources.push({ kind: 'extra-index-url', value: url, file, line: lineOf(url) });
  for (const url of strings(uv['find-links'])) out.sources.push({ kind: 'find-links', value: url, file, line: lineOf(url) });
  const indexes = uv['index'];
  for (const index of Array.isArray(indexes) ? indexes : []) {
    const url = isTable(index) ? index['url'] : undefined;
    if (typeof url === 'string') out.sources.push({ kind: index['default'] === true ? 'index-url' : 'extra-index-url', value: url, file, line: lineOf(url), ...(index['explicit'] === true ? { pinned: true } : {}) });
  }
  for (const [name, source] of Object.entries(table(uv, 'sources') ?? {})) {
    const reference = isTable(source) ? (source['git'] ?? source['url'] ?? source['path']) : undefined;
    if (typeof reference === 'string') {
      const dependency = out.dependencies.find((d) => d.normalized === normalizeName(name));
      if (dependency) dependency.url = reference;
      else out.dependencies.push({ name, normalized: normalizeName(name), specifier: '', url: reference, origin: 'pyproject', file, line: lineOf(reference) });
    }
  }
}

/** Poetry: `name = "^1.2"` or `name = {version = "…", git = "…", url = "…", path = "…"}`. */
function addPoetryTable(out: TomlManifestParse, dependencies: Table | undefined, file: string, lineOf: (n: string) => number): void {
  for (const [name, value] of Object.entries(dependencies ?? {})) {
    if (normalizeName(name) === 'python') continue;
    const entry = Array.isArray(value) ? value[0] : value;
    const version = typeof entry === 'string' ? entry : isTable(entry) && typeof entry['version'] === 'string' ? entry['version'] : '';
    const reference = isTable(entry) ? (entry['git'] ?? entry['url'] ?? entry['path']) : undefined;
    out.dependencies.push({
      name,
      normalized: normalizeName(name),
      specifier: poetryToPep440(version),
      ...(typeof reference === 'string' ? { url: reference } : {}),
      origin: 'pyproject',
      file,
      line: lineOf(`${name}`),
    });
  }
}

/** `^1.2.3` → `>=1.2.3,<2.0.0`; `~1.2` → `>=1.2,<1.3`; `1.2.3` → `==1.2.3`; `*` → ''. */
export function poetryToPep440(constraint: string): string {
  const c = constraint.trim();
  if (c === '' || c === '*') return '';
  const caret = /^\^\s*(\d+(?:\.\d+)*)$/.exec(c);
  if (caret) {
    const parts = caret[1]!.split('.').map(Number);
    const index = Math.max(0, parts.findIndex((p) => p !== 0) === -1 ? parts.length - 1 : parts.findIndex((p) => p !== 0));
    const upper = parts.slice(0, index + 1);
    upper[index]! += 1;
    return `>=${caret[1]},<${upper.join('.')}`;
  }
  const tilde = /^~\s*(\d+(?:\.\d+)*)$/.exec(c);
  if (tilde) {
    const parts = tilde[1]!.split('.').map(Number);
    const upper = parts.length > 1 ? [parts[0]!, parts[1]! + 1] : [parts[0]! + 1];
    return `>=${tilde[1]},<${upper.join('.')}`;
  }
  if (/^\d[\w.!+-]*$/.test(c)) return `==${c}`;
  return c.replace(/\s+/g, '');
}

export function parsePipfile(text: string, file: string): TomlManifestParse {
  const out = emptyParse();
  const doc = readToml(text, file, out);
  if (!doc) return out;
  const lineOf = lineFinder(text);
  for (const section of ['packages', 'dev-packages']) {
    for (const [name, value] of Object.entries(table(doc, section) ?? {})) {
      const version = typeof value === 'string' ? value : isTable(value) && typeof value['version'] === 'string' ? value['version'] : '';
      const reference = isTable(value) ? (value['git'] ?? value['file'] ?? value['path']) : undefined;
      out.dependencies.push({
        name,
        normalized: normalizeName(name),
        specifier: version === '*' ? '' : version,
        ...(typeof reference === 'string' ? { url: reference } : {}),
        origin: 'pipfile',
        file,
        line: lineOf(name),
      });
    }
  }
  const sources = doc['source'];
  let first = true;
  for (const source of Array.isArray(sources) ? sources : []) {
    if (!isTable(source) || typeof source['url'] !== 'string') continue;
    out.sources.push({ kind: first ? 'index-url' : 'extra-index-url', value: source['url'], file, line: lineOf(source['url']) });
    if (source['verify_ssl'] === false) out.sources.push({ kind: 'no-verify-ssl', value: source['url'], file, line: lineOf('verify_ssl') });
    first = false;
  }
  return out;
}

/**
 * PEP 723: a `# /// script` block of `#`-prefixed TOML lines closed by `# ///`.
 * `uv run script.py` and `pipx run script.py` install what it names before the script starts.
 */
export function parseInlineScriptMetadata(text: string, file: string): TomlManifestParse {
  const out = emptyParse();
  const lines = text.split(/\r?\n/);
  const start = lines.findIndex((l) => /^# \/\/\/ script\s*$/.test(l));
  if (start < 0) return out;
  const end = lines.findIndex((l, i) => i > start && /^# \/\/\/\s*$/.test(l));
  if (end < 0) {
    out.problems.push({ file, reason: `line ${start + 1}: '# /// script' block is never closed with '# ///'` });
    return out;
  }
  const body = lines.slice(start + 1, end).map((l) => (l.startsWith('# ') ? l.slice(2) : l.startsWith('#') ? l.slice(1) : l));
  const doc = readToml(body.join('\n'), file, out);
  if (!doc) return out;
  const lineOf = (needle: string) => {
    const index = body.findIndex((l) => l.includes(needle));
    return index >= 0 ? start + 2 + index : start + 1;
  };
  for (const r of strings(doc['dependencies'])) pushRequirement(out, r, 'inline-script', file, lineOf);
  addUvSettings(out, table(doc, 'tool', 'uv'), file, lineOf);
  return out;
}

function pushRequirement(out: TomlManifestParse, text: string, origin: DependencyOrigin, file: string, lineOf: (n: string) => number): void {
  const requirement = parseRequirement(text);
  const line = lineOf(text);
  if (!requirement) {
    out.problems.push({ file, reason: `line ${line}: not a requirement: ${text.slice(0, 80)}` });
    return;
  }
  out.dependencies.push(toDependency(requirement, origin, file, line));
}
