/**
 * pip requirements files: requirements, `-r`/`-c` includes, `-e`, direct URLs and paths, and the
 * options that change where packages come from (`--index-url`, `--extra-index-url`,
 * `--find-links`, `--trusted-host`). Includes are read through `readInclude`, which keeps them
 * inside the project.
 */
import path from 'node:path';
import { normalizeName, parseRequirement, toDependency } from '../requirement.js';
import type { Dependency, PackageSource } from '../types.js';
import type { SkippedFile } from '../../findings/finding.js';

export interface ManifestParse {
  dependencies: Dependency[];
  sources: PackageSource[];
  problems: SkippedFile[];
}

export type IncludeReader = (fromFile: string, reference: string) => { file: string; text: string } | { problem: string };

const MAX_INCLUDE_DEPTH = 8;

const SOURCE_OPTIONS: Record<string, PackageSource['kind']> = {
  '-i': 'index-url',
  '--index-url': 'index-url',
  '--extra-index-url': 'extra-index-url',
  '-f': 'find-links',
  '--find-links': 'find-links',
  '--trusted-host': 'trusted-host',
};
const INCLUDE_OPTIONS = new Set(['-r', '--requirement']);
const CONSTRAINT_OPTIONS = new Set(['-c', '--constraint']);
const EDITABLE_OPTIONS = new Set(['-e', '--editable']);

export function parseRequirementsTxt(text: string, file: string, readInclude: IncludeReader, seen: Set<string> = new Set(), depth = 0): ManifestParse {
  const out: ManifestParse = { dependencies: [], sources: [], problems: [] };
  seen.add(file);
  for (const { line, text: logical } of logicalLines(text)) {
    const content = stripComment(logical).trim();
    if (content === '') continue;
    const option = splitOption(content);
    if (option) {
      const [flag, value] = option;
      if (SOURCE_OPTIONS[flag] && value) out.sources.push({ kind: SOURCE_OPTIONS[flag], value, file, line });
      else if ((INCLUDE_OPTIONS.has(flag) || CONSTRAINT_OPTIONS.has(flag)) && value) {
        const included = readInclude(file, value);
        if ('problem' in included) out.problems.push({ file, reason: `line ${line}: ${flag} ${value}: ${included.problem}` });
        else if (seen.has(included.file)) continue;
        else if (depth >= MAX_INCLUDE_DEPTH) out.problems.push({ file, reason: `line ${line}: includes nested deeper than ${MAX_INCLUDE_DEPTH}` });
        else {
          const nested = parseRequirementsTxt(included.text, included.file, readInclude, seen, depth + 1);
          // A constraints file pins versions but installs nothing: keep its sources, not its names.
          if (INCLUDE_OPTIONS.has(flag)) out.dependencies.push(...nested.dependencies);
          out.sources.push(...nested.sources);
          out.problems.push(...nested.problems);
        }
      } else if (EDITABLE_OPTIONS.has(flag) && value) out.dependencies.push(directReference(value, file, line));
      continue;
    }
    const requirementText = content.replace(/\s+--?[a-z][\w-]*(?:[=\s]\S+)?/gi, '').trim();
    const namedUrl = /^[A-Za-z0-9][\w.-]*\s*(\[[^\]]*\])?\s*@\s*\S/.test(requirementText);
    if (!namedUrl && looksLikeReference(requirementText)) {
      out.dependencies.push(directReference(requirementText, file, line));
      continue;
    }
    const requirement = parseRequirement(requirementText);
    if (!requirement) {
      out.problems.push({ file, reason: `line ${line}: not a requirement: ${truncate(requirementText)}` });
      continue;
    }
    out.dependencies.push(toDependency(requirement, 'requirements', file, line));
  }
  return out;
}

/** Joins backslash continuations; each logical line keeps the number of its first physical line. */
export function logicalLines(text: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  const physical = text.split(/\r?\n/);
  for (let i = 0; i < physical.length; i++) {
    const start = i;
    let joined = physical[i]!;
    while (joined.endsWith('\\') && i + 1 < physical.length) joined = joined.slice(0, -1) + physical[++i];
    out.push({ line: start + 1, text: joined });
  }
  return out;
}

function stripComment(line: string): string {
  const m = /(^|\s)#/.exec(line);
  return m ? line.slice(0, m.index) : line;
}

function splitOption(content: string): [string, string] | undefined {
  if (!content.startsWith('-')) return undefined;
  const m = /^(--?[A-Za-z][\w-]*)(?:=|\s+)?(.*)$/.exec(content);
  if (!m) return undefined;
  let flag = m[1]!;
  let value = m[2]!.trim();
  // -rfile.txt, -ihttps://…: short options glued to their value.
  if (/^-[a-z]./i.test(flag) && !flag.startsWith('--')) {
    value = flag.slice(2) + value;
    flag = flag.slice(0, 2);
  }
  return [flag, value.split(/\s+/)[0] ?? ''];
}

function looksLikeReference(text: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(text) || /^(\.{1,2}[\\/]|[\\/]|~)/.test(text) || /\.(whl|zip|tar\.gz|tgz|tar\.bz2)$/i.test(text) || /^file:/i.test(text);
}

/** A URL or path requirement; its name comes from `#egg=`, a wheel or sdist file name, or the last path part. */
export function directReference(reference: string, file: string, line: number): Dependency {
  const name = nameOfReference(reference);
  return { name, normalized: normalizeName(name), specifier: '', url: reference, origin: 'requirements', file, line };
}

function nameOfReference(reference: string): string {
  const egg = /[#&]egg=([A-Za-z0-9._-]+)/.exec(reference);
  if (egg) return egg[1]!;
  const last = path.posix.basename(reference.split(/[?#]/)[0]!.replace(/@[^/@]*$/, '').replace(/\/+$/, ''));
  const archive = /^([A-Za-z0-9._]+?)-\d[^/]*\.(?:whl|zip|tar\.gz|tgz|tar\.bz2)$/i.exec(last);
  if (archive) return archive[1]!;
  return last.replace(/\.git$/, '') || reference;
}

function truncate(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
