/**
 * What kind of address a connection would reach. Everything that is not a public unicast address
 * belongs to this machine, its networks or its cloud (the metadata service at 169.254.169.254
 * and fd00:ec2::254 included), and is refused unless that exact address is allowed.
 */
import { BlockList, isIP } from 'node:net';
import { readFileSync } from 'node:fs';
import os from 'node:os';

export type AddressKind =
  | 'public'
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'cgnat'
  | 'multicast'
  | 'reserved'
  | 'unique-local'
  | 'host';

const RANGES: [AddressKind, string, number, 'ipv4' | 'ipv6'][] = [
  ['unspecified', '0.0.0.0', 8, 'ipv4'],
  ['loopback', '127.0.0.0', 8, 'ipv4'],
  ['private', '10.0.0.0', 8, 'ipv4'],
  ['private', '172.16.0.0', 12, 'ipv4'],
  ['private', '192.168.0.0', 16, 'ipv4'],
  ['link-local', '169.254.0.0', 16, 'ipv4'],
  ['cgnat', '100.64.0.0', 10, 'ipv4'],
  ['reserved', '192.0.0.0', 24, 'ipv4'],
  ['reserved', '198.18.0.0', 15, 'ipv4'],
  ['multicast', '224.0.0.0', 4, 'ipv4'],
  ['reserved', '240.0.0.0', 4, 'ipv4'],
  ['unspecified', '::', 128, 'ipv6'],
  ['loopback', '::1', 128, 'ipv6'],
  ['unique-local', 'fc00::', 7, 'ipv6'],
  ['link-local', 'fe80::', 10, 'ipv6'],
  ['multicast', 'ff00::', 8, 'ipv6'],
  // NAT64 and 6to4 embed IPv4 addresses that could be private; the old site-local range.
  ['reserved', '64:ff9b::', 96, 'ipv6'],
  ['reserved', '2002::', 16, 'ipv6'],
  ['reserved', 'fec0::', 10, 'ipv6'],
  // IPv4-compatible addresses (IPv4-mapped ones are checked against the IPv4 ranges by BlockList).
  ['reserved', '::', 96, 'ipv6'],
];

const LISTS = new Map<AddressKind, BlockList>();
for (const [kind, network, prefix, family] of RANGES) {
  let list = LISTS.get(kind);
  if (!list) LISTS.set(kind, (list = new BlockList()));
  list.addSubnet(network, prefix, family);
}

/** ::ffff:10.0.0.1 is 10.0.0.1; IPv6 compressed and in lower case (fe80:0:0::1 is fe80::1). */
export function canonicalAddress(address: string): string {
  const lower = address.toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (mapped) return mapped[1]!;
  if (isIP(lower) !== 6) return lower;
  const compressed = new URL(`http://[${lower}]/`).hostname.slice(1, -1);
  const mappedHex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(compressed);
  if (!mappedHex) return compressed;
  const [high, low] = [parseInt(mappedHex[1]!, 16), parseInt(mappedHex[2]!, 16)];
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}

/**
 * This machine's own addresses, canonical: every interface's, including those that are down
 * (os.networkInterfaces() omits them; the kernel's local table and if_inet6 list them).
 */
export function hostAddresses(): Set<string> {
  const addresses = new Set<string>();
  for (const list of Object.values(os.networkInterfaces())) for (const entry of list ?? []) addresses.add(canonicalAddress(entry.address.split('%')[0]!));
  const lines = (file: string): string[] => {
    try {
      return readFileSync(file, 'utf8').split('\n');
    } catch {
      return [];
    }
  };
  const trie = lines('/proc/net/fib_trie');
  trie.forEach((line, i) => {
    const address = /\|-- (\d+\.\d+\.\d+\.\d+)$/.exec(line)?.[1];
    if (address && /\/32 host LOCAL/.test(trie[i + 1] ?? '')) addresses.add(address);
  });
  for (const line of lines('/proc/net/if_inet6')) {
    const hex = /^([0-9a-f]{32})\s/.exec(line)?.[1];
    if (hex) addresses.add(canonicalAddress(hex.match(/.{4}/g)!.join(':').replace(/\b0{1,3}/g, '')));
  }
  return addresses;
}

export function classifyAddress(address: string, ownAddresses: ReadonlySet<string> = new Set()): AddressKind {
  const canonical = canonicalAddress(address);
  const family = isIP(canonical);
  if (family === 0) return 'reserved';
  const type = family === 4 ? 'ipv4' : 'ipv6';
  for (const [kind, list] of LISTS) if (list.check(canonical, type)) return kind;
  if (ownAddresses.has(canonical)) return 'host';
  return 'public';
}
