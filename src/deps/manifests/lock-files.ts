/**
 * Lock files and environments: every package they pin, transitive ones included, with its exact
 * version (so known vulnerabilities are checked against what really gets installed) and the
 * sources it comes from. Pipfile.lock (JSON), poetry.lock, uv.lock and pdm.lock (TOML), and conda's
 * environment.yml (its pip section; conda packages are not PyPI names).
 */
import { parse as parseToml } from 'smol-toml';
import { parse as parseYaml } from 'yaml';
import { normalizeName, parseRequirement, toDependency } from '../requirement.js';
import type { Dependency, DependencyOrigin, PackageSource } from '../types.js';
import { lineFinder, type TomlManifestParse } from './toml-manifests.js';
import { directReference } from './requirements-txt.js';

type Table = Record<string, unknown>;

function isTable(value: unknown): value is Table {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function empty(): TomlManifestParse {
  return { dependencies: [], sources: [], problems: [], licenses: [] };
}

function pinned(name: string, version: string, origin: DependencyOrigin, file: string, line: number, url?: string): Dependency {
  const dependency: Dependency = { name, normalized: normalizeName(name), specifier: version ? `==${version.replace(/^==/, '')}` : '', origin, file, line };
  if (url) dependency.url = url;
  return dependency;
}

/** Pipfile.lock: {"_meta": {"sources": [...]}, "default": {name: {"version": "==1.2"}}, "develop": {...}} */
export function parsePipfileLock(text: string, file: string): TomlManifestParse {
  const out = empty();
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    out.problems.push({ file, reason: `not valid JSON: ${(error as Error).message.split('\n')[0]}` });
    return out;
  }
  if (!isTable(doc)) return out;
  const lineOf = lineFinder(text);
  const meta = isTable(doc['_meta']) ? doc['_meta'] : {};
  const sources = Array.isArray(meta['sources']) ? meta['sources'] : [];
  sources.forEach((source, index) => {
    if (!isTable(source) || typeof source['url'] !== 'string') return;
    out.sources.push({ kind: index === 0 ? 'index-url' : 'extra-index-url', value: source['url'], file, line: lineOf(source['url']) });
    if (source['verify_ssl'] === false) out.sources.push({ kind: 'no-verify-ssl', value: source['url'], file, line: lineOf('verify_ssl') });
  });
  for (const section of ['default', 'develop']) {
    const packages = doc[section];
    if (!isTable(packages)) continue;
    for (const [name, entry] of Object.entries(packages)) {
      if (!isTable(entry)) continue;
      const version = typeof entry['version'] === 'string' ? entry['version'] : '';
      const reference = entry['git'] ?? entry['file'] ?? entry['path'];
      out.dependencies.push(pinned(name, version, 'lock', file, lineOf(`"${name}"`), typeof reference === 'string' ? reference : undefined));
    }
  }
  return out;
}

/** poetry.lock, uv.lock, pdm.lock: [[package]] tables with name, version and source. */
export function parseTomlLock(text: string, file: string): TomlManifestParse {
  const out = empty();
  let doc: Table;
  try {
    doc = parseToml(text) as Table;
  } catch (error) {
    out.problems.push({ file, reason: `not valid TOML: ${(error as Error).message.split('\n')[0]}` });
    return out;
  }
  const lines = text.split(/\r?\n/);
  const seenSources = new Set<string>();
  const packages = Array.isArray(doc['package']) ? doc['package'] : [];
  let searchFrom = 0;
  for (const entry of packages) {
    if (!isTable(entry) || typeof entry['name'] !== 'string') continue;
    const name = entry['name'];
    // each [[package]] names itself in order: the line is the next `name = "…"` for it
    let index = lines.findIndex((l, i) => i >= searchFrom && new RegExp(`^name\\s*=\\s*["']${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}["']`).test(l.trim()));
    if (index < 0) index = searchFrom;
    searchFrom = index + 1;
    const line = index + 1;
    const version = typeof entry['version'] === 'string' ? entry['version'] : '';
    const source = isTable(entry['source']) ? entry['source'] : undefined;
    const registry = source ? (source['registry'] ?? (source['type'] === 'legacy' ? source['url'] : undefined)) : undefined;
    const reference = source ? (source['git'] ?? source['url'] ?? (source['type'] === 'git' ? source['url'] : undefined)) : undefined;
    if (typeof registry === 'string' && !seenSources.has(registry)) {
      seenSources.add(registry);
      // a lock pins each package to its index, so there is no confusion between indexes to fear
      out.sources.push({ kind: 'index-url', value: registry, file, line });
    }
    // the project itself and path dependencies: local code, not a name looked up on an index
    const local = source ? (source['editable'] ?? source['virtual'] ?? source['directory'] ?? source['path'] ?? (source['type'] === 'directory' || source['type'] === 'file' ? (source['url'] ?? '.') : undefined)) : undefined;
    const direct = typeof local === 'string' ? local : typeof reference === 'string' && reference !== registry && source?.['type'] !== 'legacy' ? reference : undefined;
    out.dependencies.push(pinned(name, version, 'lock', file, line, direct));
  }
  return out;
}

/** conda environment.yml: `dependencies:` may hold a `pip:` list of requirement lines. */
export function parseCondaEnvironment(text: string, file: string): TomlManifestParse {
  const out = empty();
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: 100 });
  } catch (error) {
    out.problems.push({ file, reason: `not valid YAML: ${(error as Error).message.split('\n')[0]}` });
    return out;
  }
  if (!isTable(doc)) return out;
  const lineOf = lineFinder(text);
  const channels = Array.isArray(doc['channels']) ? doc['channels'] : [];
  for (const channel of channels) {
    if (typeof channel === 'string' && /^[a-z]+:\/\//i.test(channel)) out.sources.push({ kind: 'extra-index-url', value: channel, file, line: lineOf(channel) });
  }
  const dependencies = Array.isArray(doc['dependencies']) ? doc['dependencies'] : [];
  for (const item of dependencies) {
    if (!isTable(item) || !Array.isArray(item['pip'])) continue;
    for (const requirement of item['pip']) {
      if (typeof requirement !== 'string') continue;
      const line = lineOf(requirement);
      const option = /^--?(index-url|extra-index-url|find-links|trusted-host|i|f)[=\s]+(\S+)/.exec(requirement.trim());
      if (option) {
        const kinds: Record<string, PackageSource['kind']> = { 'index-url': 'index-url', i: 'index-url', 'extra-index-url': 'extra-index-url', 'find-links': 'find-links', f: 'find-links', 'trusted-host': 'trusted-host' };
        out.sources.push({ kind: kinds[option[1]!]!, value: option[2]!, file, line });
        continue;
      }
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(requirement.trim())) {
        out.dependencies.push({ ...directReference(requirement.trim(), file, line), origin: 'environment' });
        continue;
      }
      const parsed = parseRequirement(requirement);
      if (parsed) out.dependencies.push(toDependency(parsed, 'environment', file, line));
      else out.problems.push({ file, reason: `line ${line}: not a requirement: ${requirement.slice(0, 80)}` });
    }
  }
  return out;
}
