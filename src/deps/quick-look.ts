/**
 * Before a run: is there anything to check at all? Looks at directory listings and the scripts'
 * text only, so a program with no manifests and no third-party imports never loads the manifest
 * parsers or the PyPI data.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { manifestKind } from './manifest-names.js';
import { importedModules, isStdlibModule } from './imports.js';
import { VENV_DIRS } from './licenses.js';

const MAX_LOOK_BYTES = 4 * 1024 * 1024;

export function hasDependenciesToCheck(directories: readonly string[], scripts: readonly string[]): boolean {
  for (const dir of directories) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    if (names.some((n) => manifestKind(n) !== undefined || n === 'requirements' || /\.(dist-info|egg-info)$/.test(n) || VENV_DIRS.includes(n))) return true;
  }
  for (const script of scripts) {
    let text: string;
    try {
      const bytes = readFileSync(script);
      if (bytes.length > MAX_LOOK_BYTES) continue;
      text = bytes.toString('utf8');
    } catch {
      continue;
    }
    if (text.includes('# /// script')) return true;
    if (importedModules(text).some(({ module }) => !isStdlibModule(module))) return true;
  }
  return false;
}
