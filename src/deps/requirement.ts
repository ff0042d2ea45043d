/** PEP 508 requirement strings and PEP 503 name normalisation. Pure. */
import { parseSpecifiers, type Specifier } from './pep440.js';
import type { Dependency, DependencyOrigin } from './types.js';

export interface Requirement {
  name: string;
  normalized: string;
  extras: string[];
  /** The version specifier as written, '' for none. */
  specifier: string;
  /** Parsed specifiers; undefined when the text is not a valid specifier set. */
  specifiers: Specifier[] | undefined;
  /** `name @ URL` */
  url?: string;
  marker?: string;
}

/** PEP 503: case-insensitive, runs of `-`, `_` and `.` are one `-`. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

const NAME = /^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*/;

export function parseRequirement(text: string): Requirement | undefined {
  const m = NAME.exec(text);
  if (!m) return undefined;
  const name = m[1]!;
  let rest = text.slice(m[0].length);
  let marker: string | undefined;
  const semicolon = rest.indexOf(';');
  if (semicolon >= 0) {
    marker = rest.slice(semicolon + 1).trim();
    rest = rest.slice(0, semicolon);
  }
  let extras: string[] = [];
  const extrasMatch = /^\[([^\]]*)\]\s*/.exec(rest);
  if (extrasMatch) {
    extras = extrasMatch[1]!.split(',').map((e) => e.trim()).filter(Boolean);
    rest = rest.slice(extrasMatch[0].length);
  }
  rest = rest.trim();
  const requirement: Requirement = { name, normalized: normalizeName(name), extras, specifier: '', specifiers: [] };
  if (marker) requirement.marker = marker;
  if (rest.startsWith('@')) {
    const url = rest.slice(1).trim();
    if (url === '') return undefined;
    requirement.url = url;
    return requirement;
  }
  if (rest.startsWith('(') && rest.endsWith(')')) rest = rest.slice(1, -1).trim();
  requirement.specifier = rest;
  requirement.specifiers = parseSpecifiers(rest);
  return requirement;
}

/** The dependency a parsed requirement declares, at a place in a manifest. */
export function toDependency(requirement: Requirement, origin: DependencyOrigin, file: string, line: number): Dependency {
  const dependency: Dependency = { name: requirement.name, normalized: requirement.normalized, specifier: requirement.specifier, origin, file, line };
  if (requirement.url) dependency.url = requirement.url;
  return dependency;
}
