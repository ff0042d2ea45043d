import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalAddress, classifyAddress, hostAddresses } from '../../src/network/address-class.js';
import { formatAllowRule, isListed, parseAllowRule, type AllowRule } from '../../src/network/allow-rules.js';
import { judgeAddress, judgeName, pickAddress } from '../../src/network/egress-decision.js';

function rules(...texts: string[]): AllowRule[] {
  return texts.map((text) => {
    const parsed = parseAllowRule(text);
    assert.ok(parsed.ok, text);
    return parsed.rule;
  });
}

test('allow rules parse HOST[:PORT], wildcards, IPv4 and bracketed IPv6, and refuse the rest', () => {
  assert.equal(formatAllowRule(rules('PyPI.Example.org.')[0]!), 'pypi.example.org');
  assert.deepEqual(rules('*.example.org:8443')[0], { host: '*.example.org', port: 8443 });
  assert.deepEqual(rules('10.1.2.3:8080')[0], { host: '10.1.2.3', port: 8080 });
  assert.deepEqual(rules('[fd00::1]:443')[0], { host: 'fd00::1', port: 443 });
  assert.deepEqual(rules('fd00::1')[0], { host: 'fd00::1' });
  for (const bad of ['', 'a b', 'host:0', 'host:70000', 'host:x', '*.com', '*.10.0.0.1', 'http://host', '-bad.org', 'a..b']) {
    assert.equal(parseAllowRule(bad).ok, false, bad);
  }
});

test('a rule without a port covers 80 and 443 only; wildcards cover subdomains, not the domain', () => {
  const list = rules('example.org', '*.cdn.example.org', 'api.example.org:8443');
  assert.ok(isListed(list, 'example.org', 443));
  assert.ok(isListed(list, 'example.org', 80));
  assert.ok(!isListed(list, 'example.org', 22));
  assert.ok(isListed(list, 'a.b.cdn.example.org', 443));
  assert.ok(!isListed(list, 'cdn.example.org', 443));
  assert.ok(!isListed(list, 'evilcdn.example.org', 443));
  assert.ok(isListed(list, 'api.example.org', 8443));
  assert.ok(!isListed(list, 'api.example.org', 443));
});

test('names: listed ones pass, raw IPs are refused unless listed, unlisted names are asked only when a prompt exists', () => {
  const list = rules('example.org', '203.0.113.7:8080');
  assert.deepEqual(judgeName(list, [], 'example.org', 443, false), { verdict: 'allowed', reason: 'allowlist' });
  assert.deepEqual(judgeName(list, [], '203.0.113.7', 8080, true), { verdict: 'allowed', reason: 'allowlist' });
  assert.deepEqual(judgeName(list, [], '203.0.113.8', 443, true), { verdict: 'denied', reason: 'raw-ip' });
  assert.deepEqual(judgeName(list, [], 'other.org', 443, true), { verdict: 'ask', reason: 'not-listed' });
  assert.deepEqual(judgeName(list, [], 'other.org', 443, false), { verdict: 'denied', reason: 'not-listed' });
  assert.deepEqual(judgeName(list, rules('other.org:443'), 'other.org', 443, false), { verdict: 'allowed', reason: 'prompt' });
});

test('metadata, private, loopback, CGNAT, multicast, IPv6 ULA and link-local and host addresses are refused (decision only, no packets)', () => {
  const own = new Set(['198.51.100.20']);
  const cases: [string, string][] = [
    ['169.254.169.254', 'link-local-address'],
    ['fd00:ec2::254', 'unique-local-address'],
    ['127.0.0.1', 'loopback-address'],
    ['::1', 'loopback-address'],
    ['::ffff:127.0.0.1', 'loopback-address'],
    ['::ffff:a00:1', 'private-address'],
    ['::a00:1', 'reserved-address'],
    ['10.0.0.5', 'private-address'],
    ['172.17.0.1', 'private-address'],
    ['192.168.1.1', 'private-address'],
    ['100.64.0.1', 'cgnat-address'],
    ['224.0.0.251', 'multicast-address'],
    ['ff02::1', 'multicast-address'],
    ['fe80::1', 'link-local-address'],
    ['fc00::1', 'unique-local-address'],
    ['0.0.0.0', 'unspecified-address'],
    ['::', 'unspecified-address'],
    ['255.255.255.255', 'reserved-address'],
    ['198.51.100.20', 'host-address'],
  ];
  for (const [address, reason] of cases) assert.deepEqual(judgeAddress([], address, 443, own), { allowed: false, reason }, address);
  assert.deepEqual(judgeAddress([], '93.184.216.34', 443, own), { allowed: true });
  assert.deepEqual(judgeAddress([], '2606:2800:220:1::1', 443, own), { allowed: true });
  assert.equal(classifyAddress('8.8.8.8'), 'public');
});

test('a private or host address passes only when that exact address (and port) is allowed', () => {
  assert.deepEqual(judgeAddress(rules('10.0.0.5:8080'), '10.0.0.5', 8080, new Set()), { allowed: true });
  assert.deepEqual(judgeAddress(rules('10.0.0.5:8080'), '10.0.0.5', 22, new Set()), { allowed: false, reason: 'private-address' });
  assert.deepEqual(judgeAddress(rules('10.0.0.6:8080'), '10.0.0.5', 8080, new Set()), { allowed: false, reason: 'private-address' });
  assert.deepEqual(judgeAddress(rules('[fd00:ec2::254]'), 'fd00:ec2::254', 80, new Set()), { allowed: true });
  assert.deepEqual(judgeAddress(rules('*.internal.example'), '10.0.0.5', 443, new Set()), { allowed: false, reason: 'private-address' });
});

test('of several addresses the first that may be reached is connected to; none left means refused with the first reason', () => {
  assert.deepEqual(pickAddress([], ['10.0.0.1', '93.184.216.34'], 443, new Set()), { address: '93.184.216.34' });
  assert.deepEqual(pickAddress([], ['169.254.169.254'], 80, new Set()), { address: '169.254.169.254', reason: 'link-local-address' });
  assert.deepEqual(pickAddress([], [], 80, new Set()), { reason: 'no-address' });
});

test('addresses compare in one canonical form; this machine\'s addresses include those of interfaces that are down', () => {
  assert.equal(canonicalAddress('::FFFF:a00:1'), '10.0.0.1');
  assert.equal(canonicalAddress('::ffff:10.0.0.1'), '10.0.0.1');
  assert.equal(canonicalAddress('FE80:0:0:0:0:0:0:1'), 'fe80::1');
  const own = hostAddresses();
  assert.ok(own.has('127.0.0.1'));
  assert.deepEqual(judgeAddress([], 'FD00:0:0:0:0:0:0:2', 443, new Set(['fd00::2'])), { allowed: false, reason: 'unique-local-address' });
  assert.deepEqual(judgeAddress([], '2001:DB8:0:0:0:0:0:5', 443, new Set([canonicalAddress('2001:db8::5')])), { allowed: false, reason: 'host-address' });
});
