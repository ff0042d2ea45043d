/**
 * Licences: what kind a licence text or SPDX expression is, and the licences of distributions
 * installed inside the project (virtualenv site-packages, vendored *.dist-info / *.egg-info).
 * saferun has no licence data for packages that are not installed: those stay unknown.
 */
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { normalizeName } from './requirement.js';
import { isRealDirectory } from '../util/paths.js';
import type { DeclaredLicense } from './types.js';

export type LicenseKind = 'permissive' | 'weak-copyleft' | 'copyleft' | 'network-copyleft' | 'restricted' | 'unknown';

const KINDS: [LicenseKind, RegExp][] = [
  ['network-copyleft', /\bAGPL|Affero|\bSSPL|Server Side Public/i],
  ['restricted', /Non-?Commercial|\bCC-BY-NC|Proprietary|All rights reserved|Business Source|\bBUSL|Commons Clause|Elastic License|PolyForm|\bcommercial\b/i],
  ['weak-copyleft', /\bLGPL|Lesser General|Library General|\bMPL|Mozilla Public|\bEPL|Eclipse Public|\bCDDL/i],
  ['copyleft', /\bGPL|General Public License|\bEUPL|\bOSL-|CC-BY-SA|Sleepycat/i],
  ['permissive', /\bMIT\b|\bBSD|Apache|\bISC\b|\bPSF|Python Software Foundation|Zlib|Unlicense|\bCC0|0BSD|WTFPL|Boost|\bBSL-1\.0|HPND|Public Domain|\bX11\b|\bUPL/i],
];

export function licenseKind(license: string): LicenseKind {
  const text = license.trim();
  if (text === '' || /^(UNKNOWN|none|n\/a)$/i.test(text)) return 'unknown';
  return KINDS.find(([, pattern]) => pattern.test(text))?.[0] ?? 'unknown';
}

/** Does `license` match an entry of a profile's deny list (an SPDX id or its prefix, case-insensitive)? */
export function deniedBy(license: string, denied: readonly string[]): string | undefined {
  return denied.find((d) => new RegExp(`(^|[^a-z0-9])${d.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^a-z0-9.])`, 'i').test(license));
}

/** Where a project keeps its virtualenv. */
export const VENV_DIRS = ['.venv', 'venv', 'env', '.env', 'virtualenv'];
const VENDOR_DIRS = ['.', 'vendor', '_vendor', 'lib', 'site-packages'];
const MAX_METADATA_BYTES = 256 * 1024;

function directoryEntries(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Metadata directories inside the project: a few well-known places, no deep walk, no symlinks. */
function metadataDirectories(root: string): string[] {
  const places: string[] = VENDOR_DIRS.map((d) => path.join(root, d));
  for (const venv of VENV_DIRS) {
    const lib = path.join(root, venv, 'lib');
    if (!isRealDirectory(lib)) continue;
    for (const python of directoryEntries(lib)) if (python.startsWith('python')) places.push(path.join(lib, python, 'site-packages'));
  }
  const out: string[] = [];
  for (const place of places) {
    if (!isRealDirectory(place)) continue;
    for (const entry of directoryEntries(place)) if (/\.(dist-info|egg-info)$/.test(entry)) out.push(path.join(place, entry));
  }
  return out;
}

export function installedLicenses(root: string): DeclaredLicense[] {
  const out: DeclaredLicense[] = [];
  for (const dir of metadataDirectories(root)) {
    const file = path.join(dir, dir.endsWith('.dist-info') ? 'METADATA' : 'PKG-INFO');
    let text: string;
    try {
      const stat = lstatSync(file);
      if (!stat.isFile() || stat.size > MAX_METADATA_BYTES) continue;
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const parsed = licenseFromMetadata(text);
    const name = /^Name:\s*(.+)$/m.exec(text)?.[1]?.trim();
    if (name) out.push({ name: normalizeName(name), license: parsed.license, file, line: parsed.line, own: false });
  }
  return out;
}

/** Core metadata: License-Expression, else a licence classifier, else the License field's first line. */
export function licenseFromMetadata(text: string): { license: string; line: number } {
  const headerEnd = text.search(/\r?\n\r?\n/);
  const header = (headerEnd >= 0 ? text.slice(0, headerEnd) : text).split(/\r?\n/);
  const find = (pattern: RegExp) => {
    const index = header.findIndex((l) => pattern.test(l));
    return index >= 0 ? { value: header[index]!.replace(pattern, '').trim(), line: index + 1 } : undefined;
  };
  const expression = find(/^License-Expression:\s*/i);
  if (expression?.value) return { license: expression.value, line: expression.line };
  const classifier = find(/^Classifier:\s*License ::\s*(OSI Approved ::\s*)?/i);
  if (classifier?.value) return { license: classifier.value, line: classifier.line };
  const field = find(/^License:\s*/i);
  if (field?.value) return { license: field.value.slice(0, 120), line: field.line };
  return { license: 'UNKNOWN', line: 1 };
}
