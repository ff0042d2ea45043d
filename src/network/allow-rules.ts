/**
 * The allowlist: `host`, `*.example.org` (any subdomain, not the domain itself), an IP address
 * (`10.1.2.3`, `[fd00::1]`), each with an optional `:port`. Without a port a rule covers 80 and 443.
 * Pure: parsing and matching only.
 */
import { isIP } from 'node:net';

export interface AllowRule {
  /** Lower-case host name, `*.suffix`, or an IP address (IPv6 without brackets). */
  host: string;
  /** undefined: ports 80 and 443. */
  port?: number;
}

export const DEFAULT_PORTS: readonly number[] = [80, 443];

export type ParsedRule = { ok: true; rule: AllowRule } | { ok: false; problem: string };

const LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;

/** Lower case, no trailing dot, no IPv6 brackets; undefined when it is not a host at all. */
export function normaliseHost(text: string): string | undefined {
  let host = text.trim().toLowerCase();
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (isIP(host)) return host;
  if (host.endsWith('.')) host = host.slice(0, -1);
  if (host.length === 0 || host.length > 253) return undefined;
  return host.split('.').every((label) => LABEL.test(label)) ? host : undefined;
}

/** Parses one `HOST[:PORT]` as given in a profile or with --allow-host. */
export function parseAllowRule(text: string): ParsedRule {
  const problem = `'${text}' is not HOST[:PORT]; use e.g. pypi.example.org, *.example.org:8443, 10.1.2.3:8080 or [fd00::1]:443`;
  let hostText = text.trim();
  let port: number | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(hostText);
  if (bracketed) {
    hostText = bracketed[1]!;
    if (bracketed[2] !== undefined) port = Number(bracketed[2]);
  } else if (isIP(hostText) !== 6) {
    const colon = hostText.lastIndexOf(':');
    if (colon !== -1) {
      if (!/^\d{1,5}$/.test(hostText.slice(colon + 1))) return { ok: false, problem };
      port = Number(hostText.slice(colon + 1));
      hostText = hostText.slice(0, colon);
    }
  }
  if (port !== undefined && !(port >= 1 && port <= 65535)) return { ok: false, problem: `'${text}': port ${port} is out of range; use 1 to 65535` };
  const wildcard = hostText.startsWith('*.');
  const host = normaliseHost(wildcard ? hostText.slice(2) : hostText);
  if (host === undefined || (wildcard && isIP(host))) return { ok: false, problem };
  if (wildcard && !host.includes('.')) return { ok: false, problem: `'${text}': a wildcard needs a domain with a dot (e.g. *.example.org)` };
  return { ok: true, rule: { host: wildcard ? `*.${host}` : host, ...(port === undefined ? {} : { port }) } };
}

export function formatAllowRule(rule: AllowRule): string {
  const host = isIP(rule.host) === 6 ? `[${rule.host}]` : rule.host;
  return rule.port === undefined ? host : `${host}:${rule.port}`;
}

function portMatches(rule: AllowRule, port: number): boolean {
  return rule.port === undefined ? DEFAULT_PORTS.includes(port) : rule.port === port;
}

function hostMatches(pattern: string, host: string): boolean {
  if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1;
  return pattern === host;
}

/** Whether a (normalised) host name or IP and port is on the list. */
export function isListed(rules: readonly AllowRule[], host: string, port: number): boolean {
  return rules.some((rule) => hostMatches(rule.host, host) && portMatches(rule, port));
}

/** Whether this exact address is on the list (what lets a private or host address through). */
export function isAddressListed(rules: readonly AllowRule[], address: string, port: number): boolean {
  const normalised = normaliseHost(address);
  return normalised !== undefined && rules.some((rule) => rule.host === normalised && portMatches(rule, port));
}
