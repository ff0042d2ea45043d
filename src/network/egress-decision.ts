/**
 * The proxy's decisions, pure: may this host and port be asked for, and may this address be
 * connected to. One table of reasons gives the words for the log, the live lines and the summary.
 */
import { isIP } from 'node:net';
import { classifyAddress, type AddressKind } from './address-class.js';
import { isAddressListed, isListed, type AllowRule } from './allow-rules.js';

export type EgressReason =
  | 'allowlist'
  | 'prompt'
  | 'not-listed'
  | 'denied-at-prompt'
  | 'raw-ip'
  | 'bad-request'
  | 'no-address'
  | 'unreachable'
  | 'cut'
  | 'upload-cap'
  | 'canary'
  | `${Exclude<AddressKind, 'public'>}-address`;

const REASON_WORDS: Record<EgressReason, string> = {
  allowlist: 'on the allowlist',
  prompt: 'allowed at the prompt for this run',
  'not-listed': 'not on the allowlist',
  'denied-at-prompt': 'denied at the prompt',
  'raw-ip': 'a raw IP address, not on the allowlist',
  'bad-request': 'not a proxy request saferun understands',
  'no-address': 'the name does not resolve',
  unreachable: 'the connection failed',
  cut: 'the network was cut',
  'upload-cap': 'the upload cap was reached',
  canary: 'a decoy credential was sent',
  'unspecified-address': 'an unspecified address',
  'loopback-address': "a loopback address (this machine's own services)",
  'private-address': 'a private (RFC 1918) address',
  'link-local-address': 'a link-local address (cloud metadata lives there)',
  'cgnat-address': 'a carrier-grade NAT address',
  'multicast-address': 'a multicast address',
  'reserved-address': 'a reserved address',
  'unique-local-address': 'an IPv6 unique-local address',
  'host-address': "an address of this machine",
};

export function describeReason(reason: EgressReason): string {
  return REASON_WORDS[reason];
}

export interface NameVerdict {
  verdict: 'allowed' | 'ask' | 'denied';
  reason: EgressReason;
}

/**
 * Whether a host and port may be requested. `extra` holds what was allowed for this run (the
 * prompt's answers); `canAsk` says whether an unlisted name may be put to the user.
 */
export function judgeName(rules: readonly AllowRule[], extra: readonly AllowRule[], host: string, port: number, canAsk: boolean): NameVerdict {
  if (isListed(rules, host, port)) return { verdict: 'allowed', reason: 'allowlist' };
  if (isListed(extra, host, port)) return { verdict: 'allowed', reason: 'prompt' };
  if (isIP(host)) return { verdict: 'denied', reason: 'raw-ip' };
  return canAsk ? { verdict: 'ask', reason: 'not-listed' } : { verdict: 'denied', reason: 'not-listed' };
}

export type AddressVerdict = { allowed: true } | { allowed: false; reason: EgressReason };

/** Whether the address the proxy is about to connect to may be reached. */
export function judgeAddress(rules: readonly AllowRule[], address: string, port: number, ownAddresses: ReadonlySet<string>): AddressVerdict {
  const kind = classifyAddress(address, ownAddresses);
  if (kind === 'public') return { allowed: true };
  if (isAddressListed(rules, address, port)) return { allowed: true };
  return { allowed: false, reason: `${kind}-address` };
}

/** The first address that may be reached, or why none may. */
export function pickAddress(rules: readonly AllowRule[], addresses: readonly string[], port: number, ownAddresses: ReadonlySet<string>): { address: string } | { address?: string; reason: EgressReason } {
  if (addresses.length === 0) return { reason: 'no-address' };
  let firstRefusal: { address: string; reason: EgressReason } | undefined;
  for (const address of addresses) {
    const verdict = judgeAddress(rules, address, port, ownAddresses);
    if (verdict.allowed) return { address };
    firstRefusal ??= { address, reason: verdict.reason };
  }
  return firstRefusal!;
}
