import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { ConnectionRecord } from '../../src/network/egress-proxy.js';
import { cutLine, deniedLine, deniedSummary } from '../../src/run/network-messages.js';
import { networkPrompt, type PromptTerminal, type StdinTap } from '../../src/run/network-prompt.js';

function record(overrides: Partial<ConnectionRecord>): ConnectionRecord {
  return { atMs: 1, host: 'collect.example.com', port: 443, address: null, allowed: false, reason: 'not-listed', bytesUp: 0, bytesDown: 0, durationMs: 0, kind: 'connect', ...overrides };
}

test('a denial says how to allow it, in the words the summary uses', () => {
  assert.equal(deniedLine(record({}), 'allowlist'), 'saferun: network: denied collect.example.com:443 — allow it with --allow-host collect.example.com');
  assert.equal(deniedLine(record({ port: 8080 }), 'allowlist'), 'saferun: network: denied collect.example.com:8080 — allow it with --allow-host collect.example.com:8080');
  assert.equal(
    deniedLine(record({ host: 'meta.example', port: 80, address: '169.254.169.254', reason: 'link-local-address' }), 'allowlist'),
    'saferun: network: denied meta.example:80 — 169.254.169.254 is a link-local address (cloud metadata lives there); allow that exact address with --allow-host 169.254.169.254 if you mean it',
  );
  assert.match(deniedLine(record({}), 'restricted'), /restricted mode reaches nothing/);
  assert.equal(
    deniedSummary([record({}), record({}), record({ host: 'x.org', port: 80, reason: 'denied-at-prompt' }), record({ host: 'ok.org', allowed: true, reason: 'allowlist' })]),
    'saferun: network: denied 2 hosts: collect.example.com:443 (not on the allowlist), x.org:80 (denied at the prompt)',
  );
  assert.equal(deniedSummary([]), undefined);
  assert.equal(cutLine({ atMs: 5, reason: 'upload-cap' }), 'saferun: network cut (the upload cap was reached): every connection closed; the program keeps running without it');
  assert.match(cutLine({ atMs: 5, reason: 'miner-process: a crypto-miner is running' }), /^saferun: network cut \(miner-process\)/);
});

function terminal(raw: boolean): { stdin: EventEmitter & { isRaw: boolean }; written: string[]; term: PromptTerminal } {
  const stdin = Object.assign(new EventEmitter(), { isRaw: raw });
  const written: string[] = [];
  return { stdin, written, term: { stdin: stdin as unknown as PromptTerminal['stdin'], write: (t) => written.push(t) } };
}

test('the prompt takes its answer from stdin before the program sees it: one key in raw mode, a line otherwise, EOF is no', async () => {
  const tap: StdinTap = {};
  const raw = terminal(true);
  const asked = networkPrompt(tap, raw.term)({ host: 'x.org', port: 443 });
  assert.match(raw.written.join(''), /the program wants to reach x\.org:443, which is not on the allowlist\. Allow it for this run\? \[y\/N\] $/);
  assert.equal(tap.take!(Buffer.from('y')), true, 'the key is taken, not forwarded');
  assert.equal(await asked, true);
  assert.equal(tap.take, undefined, 'afterwards stdin goes to the program again');

  const lines = terminal(false);
  const second = networkPrompt(tap, lines.term)({ host: 'x.org', port: 80 });
  tap.take!(Buffer.from('ye'));
  tap.take!(Buffer.from('s\n'));
  assert.equal(await second, true);

  const third = networkPrompt(tap, lines.term)({ host: 'x.org', port: 81 });
  tap.take!(Buffer.from('\n'));
  assert.equal(await third, false, 'Enter alone means no');

  const fourth = networkPrompt(tap, raw.term)({ host: 'x.org', port: 82 });
  tap.take!(Buffer.from('\u0003'));
  assert.equal(await fourth, false, 'Ctrl-C means no');

  const fifth = networkPrompt(tap, lines.term)({ host: 'x.org', port: 83 });
  lines.stdin.emit('end');
  assert.equal(await fifth, false, 'the end of stdin means no');
});
