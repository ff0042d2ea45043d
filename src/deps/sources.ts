/**
 * How far to trust where a package comes from: an index, a find-links page, or a direct URL.
 * Pure: a URL in, a verdict (or nothing to say) out.
 */
import type { Severity } from '../findings/finding.js';

export interface SourceVerdict {
  severity: Severity;
  reason: string;
}

/** PyPI itself. */
const PYPI_HOSTS = new Set(['pypi.org', 'pypi.python.org', 'files.pythonhosted.org']);
/** Vendors' own indexes that their install instructions name; trusted like PyPI. */
const VENDOR_INDEX_HOSTS = new Set(['download.pytorch.org', 'pypi.nvidia.com', 'data.pyg.org', 'storage.googleapis.com']);
/** Anyone can upload anything here, or it serves arbitrary files: never an honest dependency source. */
const OPEN_UPLOAD_HOSTS = [
  'test.pypi.org',
  'pastebin.com',
  'paste.ee',
  'hastebin.com',
  'transfer.sh',
  'file.io',
  'anonfiles.com',
  'gofile.io',
  'ngrok.io',
  'ngrok-free.app',
  'trycloudflare.com',
  'cdn.discordapp.com',
  'media.discordapp.net',
  'bit.ly',
  'tinyurl.com',
  'is.gd',
  'temp.sh',
  'workers.dev',
];

function hostMatches(host: string, suffix: string): boolean {
  return host === suffix || host.endsWith(`.${suffix}`);
}

function isIpLiteral(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.startsWith('[');
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host.startsWith('127.') || host === '[::1]';
}

function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text.replace(/^(git|hg|svn|bzr)\+/, ''));
  } catch {
    return undefined;
  }
}

export function isTrustedHost(host: string, trusted: readonly string[] = []): boolean {
  return PYPI_HOSTS.has(host) || VENDOR_INDEX_HOSTS.has(host) || trusted.some((t) => hostMatches(host, t.toLowerCase()));
}

/** An index, extra index or find-links location. */
export function judgeIndex(kind: 'index-url' | 'extra-index-url' | 'find-links', value: string, trusted: readonly string[] = []): SourceVerdict | undefined {
  if (/^\$\{?\w+\}?$/.test(value)) return undefined; // an environment variable: the user's own configuration
  const url = parseUrl(value);
  if (!url) return kind === 'find-links' ? undefined : { severity: 'medium', reason: `'${value}' is not a URL` };
  if (url.protocol === 'file:') return undefined;
  const host = url.hostname.toLowerCase();
  if (isLoopback(host)) return undefined; // a mirror on this machine
  const base = transportVerdict(url, host);
  if (base) return base;
  if (url.username || url.password) return { severity: 'medium', reason: `credentials are written into the URL for ${host}` };
  if (isTrustedHost(host, trusted)) return undefined;
  if (kind === 'extra-index-url') {
    return { severity: 'medium', reason: `an extra index at ${host} besides PyPI: pip takes the highest version from either, so a name registered on PyPI can replace a private package (dependency confusion)` };
  }
  if (kind === 'index-url') return { severity: 'medium', reason: `every package comes from ${host} instead of PyPI` };
  return { severity: 'medium', reason: `packages may be taken from pages at ${host}` };
}

/** `name @ URL`, a VCS URL or an archive URL given instead of a name from an index. */
export function judgeDirectReference(reference: string, trusted: readonly string[] = []): SourceVerdict | undefined {
  const url = parseUrl(reference);
  if (!url || url.protocol === 'file:') return undefined; // a local path: its code is in the tree
  const host = url.hostname.toLowerCase();
  const base = transportVerdict(url, host);
  if (base) return base;
  const vcs = /^(git|hg|svn|bzr)\+/.test(reference);
  if (vcs) {
    if (/@[0-9a-f]{40}(?:[#&]|$)/i.test(reference)) return { severity: 'low', reason: `taken from a repository at ${host}, pinned to a commit` };
    return { severity: 'medium', reason: `taken from a repository at ${host} at a branch or tag that can be moved; PyPI's malware checks never saw it` };
  }
  if (/[#&](sha256|sha384|sha512)=[0-9a-f]{64,}/i.test(reference)) return { severity: 'low', reason: `downloaded from ${host}, checked against a hash` };
  if (isTrustedHost(host, trusted)) return undefined;
  return { severity: 'medium', reason: `downloaded from ${host} without a hash, not from an index` };
}

/** Plain transport, bare addresses and file-drop hosts are untrusted whatever the kind. */
function transportVerdict(url: URL, host: string): SourceVerdict | undefined {
  if (isLoopback(host)) return undefined;
  if (OPEN_UPLOAD_HOSTS.some((h) => hostMatches(host, h))) return { severity: 'high', reason: `${host} serves whatever anyone uploads` };
  if (url.protocol === 'http:' || url.protocol === 'git:' || url.protocol === 'svn:') {
    return { severity: 'high', reason: `${url.protocol.replace(':', '')}:// has no TLS: anyone on the network path can swap the code` };
  }
  if (isIpLiteral(host)) return { severity: 'high', reason: `a bare IP address (${host}) instead of a named, certified host` };
  return undefined;
}
