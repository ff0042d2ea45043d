/**
 * The HTML report as a browser renders it: headless Chromium (installed by .ci/run) loads the page
 * from a file, its DOM must hold the four charts and every section, and a screenshot is kept in
 * test-artifacts/ for a person to look at. Never skipped: without Chromium the test fails.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { writeReportFile } from '../../src/report/run-report.js';
import { packageRoot } from '../../src/util/package-info.js';
import { sampleReport } from '../support/run-reports.js';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => existsSync(p));

function chromium(args: string[], profileDir: string): Promise<{ stdout: string }> {
  assert.ok(CHROMIUM, 'Chromium is needed for this test: apt-get install chromium (.ci/run installs it)');
  const flags = ['--headless', '--disable-gpu', '--no-first-run', '--hide-scrollbars', `--user-data-dir=${profileDir}`];
  if (process.getuid?.() === 0) flags.push('--no-sandbox'); // Chromium refuses to run as root with its sandbox
  return execa(CHROMIUM, [...flags, ...args], { timeout: 90_000, stdin: 'ignore' });
}

test('headless Chromium renders the report: four charts, every section; a screenshot is kept', { timeout: 200_000 }, async () => {
  const artifacts = path.join(packageRoot(), 'test-artifacts');
  mkdirSync(artifacts, { recursive: true });
  const page = path.join(artifacts, 'run-report.html');
  const shot = path.join(artifacts, 'run-report.png');
  rmSync(shot, { force: true });
  writeReportFile(page, sampleReport());
  assert.match(readFileSync(page, 'utf8'), /^<!DOCTYPE html>/, 'a .html name gets the page, not JSON');
  const profileDir = mkdtempSync(path.join(os.tmpdir(), 'saferun-chromium-'));
  try {
    const { stdout: dom } = await chromium(['--dump-dom', `file://${page}`], profileDir);
    assert.equal(dom.match(/<svg class="chart"/g)?.length, 4, 'four charts in the rendered DOM');
    for (const chart of ['cpu', 'memory', 'pids', 'network']) assert.match(dom, new RegExp(`data-chart="${chart}"`));
    for (const id of ['decision', 'resources', 'findings', 'dependencies', 'network', 'snapshot']) assert.match(dom, new RegExp(`<section id="${id}">`));
    assert.match(dom, /<path d="M/, 'the series are drawn');
    await chromium(['--window-size=1000,1400', `--screenshot=${shot}`, `file://${page}`], profileDir);
    assert.ok(statSync(shot).size > 20_000, 'a screenshot with something on it');
    assert.deepEqual([...readFileSync(shot).subarray(1, 4)], [...Buffer.from('PNG')]);
  } finally {
    rmSync(profileDir, { recursive: true, force: true });
  }
});
