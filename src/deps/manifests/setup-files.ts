/**
 * setuptools manifests: `setup.py` (the literal lists given to install_requires, setup_requires,
 * tests_require, extras_require and dependency_links, read without running it) and `setup.cfg`.
 */
import { normalizeName, parseRequirement, toDependency } from '../requirement.js';
import type { DeclaredLicense, DependencyOrigin } from '../types.js';
import type { TomlManifestParse } from './toml-manifests.js';
import { directReference } from './requirements-txt.js';

const REQUIREMENT_KEYWORDS = ['install_requires', 'setup_requires', 'tests_require', 'extras_require'];

export function parseSetupPy(text: string, file: string): TomlManifestParse {
  const out: TomlManifestParse = { dependencies: [], sources: [], problems: [], licenses: [] };
  for (const keyword of REQUIREMENT_KEYWORDS) {
    for (const { value, offset } of stringsAfter(text, keyword)) addRequirement(out, value, 'setup.py', file, lineAt(text, offset));
  }
  for (const { value, offset } of stringsAfter(text, 'dependency_links')) out.sources.push({ kind: 'find-links', value, file, line: lineAt(text, offset) });
  const license = /\blicense\s*=\s*(['"])([^'"\n]{1,200})\1/.exec(text);
  const name = /\bname\s*=\s*(['"])([^'"\n]{1,200})\1/.exec(text);
  if (license) out.licenses.push(ownLicense(name?.[2], license[2]!, file, lineAt(text, license.index)));
  return out;
}

/** The string literals inside the bracketed value that follows `keyword =` (a list, a tuple or a dict). */
function stringsAfter(text: string, keyword: string): { value: string; offset: number }[] {
  const out: { value: string; offset: number }[] = [];
  const pattern = new RegExp(`\\b${keyword}\\s*=\\s*([\\[({])`, 'g');
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
    const open = m.index + m[0].length - 1;
    const close = matchingBracket(text, open);
    const body = text.slice(open + 1, close < 0 ? Math.min(text.length, open + 20_000) : close);
    const isDict = m[1] === '{';
    const literal = /(['"])((?:\\.|(?!\1)[^\\\n])*)\1(\s*:)?/g;
    for (let s = literal.exec(body); s; s = literal.exec(body)) {
      if (isDict && s[3]) continue; // an extras_require key, not a requirement
      out.push({ value: s[2]!, offset: open + 1 + s.index });
    }
  }
  return out;
}

function matchingBracket(text: string, open: number): number {
  const pairs: Record<string, string> = { '[': ']', '(': ')', '{': '}' };
  const stack = [pairs[text[open]!]!];
  let quote = '';
  for (let i = open + 1; i < text.length && i < open + 200_000; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#') while (i < text.length && text[i] !== '\n') i++;
    else if (pairs[c]) stack.push(pairs[c]!);
    else if (c === stack[stack.length - 1]) {
      stack.pop();
      if (stack.length === 0) return i;
    }
  }
  return -1;
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** setup.cfg: `[options] install_requires =` and friends, values on indented continuation lines. */
export function parseSetupCfg(text: string, file: string): TomlManifestParse {
  const out: TomlManifestParse = { dependencies: [], sources: [], problems: [], licenses: [] };
  let section = '';
  let key = '';
  let name: string | undefined;
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = index + 1;
    const header = /^\s*\[([^\]]+)\]\s*$/.exec(raw);
    if (header) {
      section = header[1]!.trim();
      key = '';
      return;
    }
    if (/^\s*([#;]|$)/.test(raw)) return;
    const continuation = /^\s+\S/.test(raw);
    let value = raw.trim();
    if (!continuation) {
      const assignment = /^([\w.-]+)\s*[=:]\s*(.*)$/.exec(raw);
      if (!assignment) return;
      key = assignment[1]!.toLowerCase();
      value = assignment[2]!.trim();
      if (section === 'metadata' && key === 'name') name = value;
      if (section === 'metadata' && key === 'license' && value) out.licenses.push(ownLicense(name, value, file, line));
    }
    if (!value) return;
    const wantsRequirements = (section === 'options' && REQUIREMENT_KEYWORDS.includes(key)) || section === 'options.extras_require';
    if (wantsRequirements) addRequirement(out, value, 'setup.cfg', file, line);
    if (section === 'options' && key === 'dependency_links') out.sources.push({ kind: 'find-links', value, file, line });
  });
  return out;
}

function addRequirement(out: TomlManifestParse, text: string, origin: DependencyOrigin, file: string, line: number): void {
  const trimmed = text.trim();
  if (!trimmed) return;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    out.dependencies.push({ ...directReference(trimmed, file, line), origin });
    return;
  }
  const requirement = parseRequirement(trimmed);
  if (!requirement) {
    out.problems.push({ file, reason: `line ${line}: not a requirement: ${trimmed.slice(0, 80)}` });
    return;
  }
  out.dependencies.push(toDependency(requirement, origin, file, line));
}

function ownLicense(name: string | undefined, license: string, file: string, line: number): DeclaredLicense {
  return { name: normalizeName(name ?? 'this project'), license, file, line, own: true };
}
