/**
 * The third-party modules a program imports: top-level `import x` / `from x import y` statements
 * (at any indentation), minus the standard library, relative imports and the program's own modules.
 * A line must be a whole import statement, so prose in docstrings does not count.
 */
import { MODULE_DISTRIBUTIONS } from './data/module-distributions.js';
import { PYTHON2_STDLIB_MODULES, STDLIB_MODULES } from './data/stdlib-modules.js';
import { normalizeName } from './requirement.js';
import type { Dependency } from './types.js';

const DOTTED = String.raw`[A-Za-z_][\w]*(?:\s*\.\s*[A-Za-z_]\w*)*`;
const IMPORT_LINE = new RegExp(String.raw`^\s*import\s+(${DOTTED}(?:\s+as\s+\w+)?(?:\s*,\s*${DOTTED}(?:\s+as\s+\w+)?)*)\s*(?:[;#].*)?$`);
const FROM_LINE = new RegExp(String.raw`^\s*from\s+(${DOTTED})\s+import\s+[\w(*]`);

export interface ImportedModule {
  module: string;
  line: number;
}

/** Top-level names imported by a Python source, in order of first import. */
export function importedModules(source: string): ImportedModule[] {
  const seen = new Map<string, number>();
  const lines = source.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!;
    if (!text.includes('import')) continue;
    const from = FROM_LINE.exec(text);
    const names = from ? [from[1]!] : (IMPORT_LINE.exec(text)?.[1]?.split(',') ?? []);
    for (const entry of names) {
      const top = entry.trim().split(/\s|\./)[0]!;
      if (top && !seen.has(top)) seen.set(top, i + 1);
    }
  }
  return [...seen].map(([module, line]) => ({ module, line }));
}

export function isStdlibModule(module: string): boolean {
  return STDLIB_MODULES.has(module) || PYTHON2_STDLIB_MODULES.has(module) || module.startsWith('_');
}

/** The distribution an import most likely comes from: a known mapping, else the import name itself. */
export function distributionOf(module: string): { name: string; known: boolean } {
  const mapped = MODULE_DISTRIBUTIONS[module];
  return mapped ? { name: mapped, known: true } : { name: normalizeName(module), known: false };
}

/**
 * Imports of modules that are neither standard library nor the program's own (`localModules`:
 * top-level names of .py files and packages beside it) become dependencies of origin 'import'.
 */
export function importedDependencies(source: string, file: string, localModules: ReadonlySet<string>): Dependency[] {
  const out: Dependency[] = [];
  for (const { module, line } of importedModules(source)) {
    if (isStdlibModule(module) || localModules.has(module)) continue;
    const { name } = distributionOf(module);
    out.push({ name: module, normalized: normalizeName(name), specifier: '', origin: 'import', file, line });
  }
  return out;
}
