/** The presets' values and the README's table come from one source, and strict stays strict. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadProfile } from '../../src/config/load-profile.js';
import { PROFILE_TABLE_END, PROFILE_TABLE_START, replaceProfileTable } from '../../src/config/profile-table.js';
import { renderPresetTable } from '../../src/config/write-profile-table.js';
import { packageRoot } from '../../src/util/package-info.js';

test('the README holds exactly the table rendered from profiles/*.yaml (npm run docs:profiles)', async () => {
  const readme = readFileSync(path.join(packageRoot(), 'README.md'), 'utf8');
  const table = await renderPresetTable();
  assert.ok(readme.includes(table), 'README.md is out of date with profiles/*.yaml: run npm run docs:profiles');
  assert.equal(readme.split(PROFILE_TABLE_START).length, 2, 'one table');
});

test('the rendered table shows every preset value a user relies on', async () => {
  const table = await renderPresetTable();
  assert.match(table, /^\| memory \(no swap\) \| 512m \| 1g \| 2g \|$/m);
  assert.match(table, /^\| low \/ medium \| run \/ run \| run \/ run \| run \/ escalate:offline \|$/m);
  assert.ok(table.startsWith(PROFILE_TABLE_START) && table.endsWith(PROFILE_TABLE_END));
});

test('replacing the table keeps the rest of the README and refuses a README without markers', () => {
  const readme = `before\n${PROFILE_TABLE_START}\nold\n${PROFILE_TABLE_END}\nafter\n`;
  assert.equal(replaceProfileTable(readme, `${PROFILE_TABLE_START}\nnew\n${PROFILE_TABLE_END}`), `before\n${PROFILE_TABLE_START}\nnew\n${PROFILE_TABLE_END}\nafter\n`);
  assert.throws(() => replaceProfileTable('no table here', 'x'), /no <!-- profiles:start/);
});

test('strict is pinned: loosening any of its limits, its network or its policy fails here', async () => {
  const { profile } = await loadProfile('strict');
  assert.deepEqual(profile.limits, {
    memoryBytes: 512 * 1024 ** 2,
    nanoCpus: 1e9,
    pids: 64,
    nofile: 256,
    maxFileSizeBytes: 64 * 1024 ** 2,
    tmpBytes: 64 * 1024 ** 2,
    timeoutMs: 60_000,
    outputBytes: 256 * 1024 ** 2,
  });
  assert.equal(profile.network, 'none');
  assert.equal(profile.workdir, 'read-only');
  assert.equal(profile.snapshot, true);
  assert.equal(profile.monitor.enabled, true);
  assert.equal(profile.monitor.cutNetwork, true);
  assert.deepEqual(profile.policy, { low: { kind: 'run' }, medium: { kind: 'run' }, high: { kind: 'block' }, critical: { kind: 'block' } });
});

test('offline has no network and blocks critical; no preset runs critical code', async () => {
  const { profile: offline } = await loadProfile('offline');
  assert.equal(offline.network, 'none');
  for (const preset of ['strict', 'offline', 'normal']) {
    const { profile } = await loadProfile(preset);
    assert.deepEqual(profile.policy.critical, { kind: 'block' }, preset);
    assert.equal(profile.workdir, 'read-only', preset);
    assert.ok(profile.limits.memoryBytes <= 2 * 1024 ** 3 && profile.limits.pids <= 256 && profile.limits.timeoutMs <= 30 * 60_000, `${preset} stays within normal's limits`);
  }
});
