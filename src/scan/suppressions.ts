/**
 * Suppressions live in the user's own configuration, never in the scanned code:
 * `suppress: [{path: <glob>, rule: <id>, reason: <text>}]` in $XDG_CONFIG_HOME/saferun/config.yaml
 * or a file given with --config.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { SaferunError } from '../errors.js';
import type { Finding } from '../findings/finding.js';

export interface Suppression {
  path: string;
  rule: string;
  reason: string;
}

export function defaultConfigFile(): string {
  return path.join(process.env['XDG_CONFIG_HOME'] || path.join(os.homedir(), '.config'), 'saferun', 'config.yaml');
}

/** yaml loads only when a config file exists (its CommonJS build, as this path is synchronous): a plain run has none (issue 15). */
const requireLazily = createRequire(import.meta.url);

export function loadSuppressions(file: string | undefined): Suppression[] {
  const target = file ?? defaultConfigFile();
  let text: string;
  try {
    text = readFileSync(target, 'utf8');
  } catch (error) {
    if (file === undefined && (error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new SaferunError(`config ${target}: cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  let data: unknown;
  try {
    const { parse: parseYaml } = requireLazily('yaml') as typeof import('yaml');
    data = parseYaml(text, { maxAliasCount: 50 }) ?? {};
  } catch (error) {
    throw new SaferunError(`config ${target}: not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new SaferunError(`config ${target}: expected a mapping with a 'suppress' list`);
  const unknown = Object.keys(data).filter((key) => key !== 'suppress');
  if (unknown.length) throw new SaferunError(`config ${target}: unknown key '${unknown[0]}'; accepted: suppress`);
  const list = (data as { suppress?: unknown }).suppress ?? [];
  if (!Array.isArray(list)) throw new SaferunError(`config ${target}: key 'suppress' must be a list of {path, rule, reason}`);
  return list.map((entry: unknown, i) => {
    const e = entry as Record<string, unknown>;
    for (const key of ['path', 'rule', 'reason']) {
      if (typeof e?.[key] !== 'string' || !(e[key] as string).trim()) throw new SaferunError(`config ${target}: key 'suppress[${i}].${key}' is required (a non-empty string)`);
    }
    return { path: e['path'] as string, rule: e['rule'] as string, reason: e['reason'] as string };
  });
}

/** `*` matches within a path segment, `**` across segments, `?` one character. */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      source += '.*';
      i++;
      if (glob[i + 1] === '/') i++;
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

export function applySuppressions(findings: Finding[], suppressions: Suppression[]): { kept: Finding[]; suppressed: number } {
  if (suppressions.length === 0) return { kept: findings, suppressed: 0 };
  const compiled = suppressions.map((s) => ({ ...s, pattern: globToRegExp(s.path) }));
  const kept = findings.filter((f) => !compiled.some((s) => (s.rule === '*' || s.rule === f.ruleId) && s.pattern.test(f.file.split(path.sep).join('/'))));
  return { kept, suppressed: findings.length - kept.length };
}
