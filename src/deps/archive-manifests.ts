/**
 * The dependencies a wheel or sdist declares, read in memory like the scan reads archives: the core
 * metadata (`Requires-Dist` in a wheel's METADATA or an sdist's PKG-INFO, `requires.txt` of an
 * egg-info) and the manifests at the top of an sdist (pyproject.toml, setup.py, setup.cfg,
 * requirements files). Nothing is extracted to disk.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_READ_LIMITS, readArchive } from '../python-package/archive-reader.js';
import { describeFsError } from '../util/fs-errors.js';
import { licenseFromMetadata } from './licenses.js';
import { manifestKind } from './manifest-names.js';
import { parseRequirementsTxt } from './manifests/requirements-txt.js';
import { parseSetupCfg, parseSetupPy } from './manifests/setup-files.js';
import { parsePyproject, type TomlManifestParse } from './manifests/toml-manifests.js';
import { normalizeName, parseRequirement, toDependency } from './requirement.js';
import type { DeclaredDependencies } from './types.js';

const METADATA_FILE = /(^|\/)[^/]+\.dist-info\/METADATA$|^[^/]+\/PKG-INFO$|^PKG-INFO$/;
const REQUIRES_TXT = /(^|\/)[^/]+\.egg-info\/requires\.txt$/;
/** Manifests count at the top of an sdist (`name-1.0/setup.py`), not inside its tests or vendored trees. */
const TOP_MANIFEST = /^(\.\/)?[^/]+\/[^/]+$|^[^/]+$/;

export interface ArchiveDeclarations {
  declared: DeclaredDependencies;
  /** display path → text, for the findings' snippets */
  texts: Map<string, string>;
}

export async function declaredInArchive(file: string): Promise<ArchiveDeclarations> {
  const declared: DeclaredDependencies = { dependencies: [], sources: [], licenses: [], problems: [], manifests: [] };
  const texts = new Map<string, string>();
  let data: Buffer;
  try {
    if (statSync(file).size > DEFAULT_READ_LIMITS.maxArchiveBytes) {
      declared.problems.push({ file, reason: `larger than ${DEFAULT_READ_LIMITS.maxArchiveBytes} bytes: not read` });
      return { declared, texts };
    }
    data = readFileSync(file);
  } catch (error) {
    declared.problems.push({ file, reason: describeFsError(error) });
    return { declared, texts };
  }
  const merge = (parse: Omit<TomlManifestParse, 'licenses'> & { licenses?: TomlManifestParse['licenses'] }): void => {
    declared.dependencies.push(...parse.dependencies);
    declared.sources.push(...parse.sources);
    declared.problems.push(...parse.problems);
    declared.licenses.push(...(parse.licenses ?? []));
  };
  const name = path.basename(file);
  await readArchive(
    name,
    data,
    DEFAULT_READ_LIMITS,
    (skipped, reason) => declared.problems.push({ file: skipped, reason }),
    {
      wanted: (entry) => METADATA_FILE.test(entry) || REQUIRES_TXT.test(entry) || (TOP_MANIFEST.test(entry) && manifestKind(path.posix.basename(entry)) !== undefined),
      take: (entry, bytes) => {
        const display = `${name}!/${entry.replace(/^\.?\/+/, '')}`;
        const text = Buffer.from(bytes).toString('utf8').replace(/^\uFEFF/, '');
        texts.set(display, text);
        declared.manifests.push(display);
        if (METADATA_FILE.test(entry)) merge(fromCoreMetadata(text, display));
        else if (REQUIRES_TXT.test(entry)) merge(fromRequiresTxt(text, display));
        else {
          const kind = manifestKind(path.posix.basename(entry));
          const noIncludes = () => ({ problem: 'includes inside an archive are not followed' });
          if (kind === 'requirements') merge(parseRequirementsTxt(text, display, noIncludes));
          else if (kind === 'pyproject') merge(parsePyproject(text, display));
          else if (kind === 'setup.py') merge(parseSetupPy(text, display));
          else if (kind === 'setup.cfg') merge(parseSetupCfg(text, display));
        }
      },
    },
  );
  // the same requirement declared by METADATA and by setup.py is one dependency
  const seen = new Set<string>();
  declared.dependencies = declared.dependencies.filter((d) => {
    const key = `${d.normalized}\0${d.specifier}\0${d.url ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return { declared, texts };
}

/** Core metadata headers: `Requires-Dist: name (>=1); extra == "x"` and the licence. */
function fromCoreMetadata(text: string, display: string): TomlManifestParse {
  const out: TomlManifestParse = { dependencies: [], sources: [], problems: [], licenses: [] };
  const headerEnd = text.search(/\r?\n\r?\n/);
  const header = (headerEnd >= 0 ? text.slice(0, headerEnd) : text).split(/\r?\n/);
  header.forEach((line, index) => {
    const m = /^Requires-Dist:\s*(.+)$/i.exec(line);
    if (!m) return;
    const requirement = parseRequirement(m[1]!.trim());
    if (requirement) out.dependencies.push(toDependency(requirement, 'metadata', display, index + 1));
    else out.problems.push({ file: display, reason: `line ${index + 1}: not a requirement: ${m[1]!.slice(0, 80)}` });
  });
  const own = /^Name:\s*(.+)$/im.exec(text)?.[1]?.trim();
  const license = licenseFromMetadata(text);
  if (own && license.license !== 'UNKNOWN') out.licenses.push({ name: normalizeName(own), license: license.license, file: display, line: license.line, own: true });
  return out;
}

/** egg-info requires.txt: requirement lines, `[extra]` section headers. */
function fromRequiresTxt(text: string, display: string): TomlManifestParse {
  const out: TomlManifestParse = { dependencies: [], sources: [], problems: [], licenses: [] };
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (!line || line.startsWith('#') || /^\[.*\]$/.test(line)) return;
    const requirement = parseRequirement(line);
    if (requirement) out.dependencies.push(toDependency(requirement, 'metadata', display, index + 1));
  });
  return out;
}
