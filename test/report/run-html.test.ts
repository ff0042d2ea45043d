/** The HTML report's content: sections, charts with limits and markers, nothing external, everything escaped. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderRunHtml } from '../../src/report/run-html.js';
import { sampleReport } from '../support/run-reports.js';

test('one page with every section and four charts with limits and the alert and cut markers', () => {
  const html = renderRunHtml(sampleReport());
  for (const id of ['decision', 'resources', 'findings', 'dependencies', 'network', 'snapshot']) assert.match(html, new RegExp(`<section id="${id}">`), id);
  for (const chart of ['cpu', 'memory', 'pids', 'network']) assert.match(html, new RegExp(`<svg class="chart" data-chart="${chart}"`), chart);
  assert.equal(html.match(/class="marker marker-alert"/g)?.length, 4, 'the alert on each chart');
  assert.equal(html.match(/class="marker marker-cut"/g)?.length, 4, 'the cut on each chart');
  assert.match(html, /limit 512M/);
  assert.match(html, /limit 200%/);
  assert.match(html, /limit 128/);
  assert.match(html, /saferun snapshots restore 20261204100000000-001abcdef/);
  assert.match(html, /risk high: run under profile normal/);
  assert.match(html, /network-download/);
  assert.match(html, /<code>requests<\/code>/);
  assert.match(html, /10\.1\.2\.3:4444/);
  assert.match(html, /Connections through the egress proxy \(2\)/);
  assert.match(html, /<code>evil\.example:4444<\/code>.*denied<\/span> not-allowed/s);
  assert.match(html, /<code>requests 2\.32\.0<\/code>/);
});

test('no script and no external resource: only inline styles and SVG, a policy that forbids loading', () => {
  const html = renderRunHtml(sampleReport());
  assert.doesNotMatch(html, /<script|<link|<img|<iframe|@import|url\(/i);
  assert.doesNotMatch(html, /\s(src|href)=/i);
  assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
});

test('text from the program and the scanned files is escaped', () => {
  const evil = '<script>alert(1)</script>"\'&';
  const report = sampleReport({ command: `python3 ${evil}` });
  report.findings[0]!.snippet = evil;
  report.monitor!.alerts[0]!.detail = evil;
  report.monitor!.processes[0]!.cmdline = evil;
  const html = renderRunHtml(report);
  assert.doesNotMatch(html, /<script>/);
  assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;&quot;&#39;&amp;/);
});

test('a blocked run and a run without the monitor still render, saying what is missing', () => {
  const html = renderRunHtml(sampleReport({ decision: 'block', exitReason: 'blocked', exitCode: 120, sandbox: null, monitor: undefined, snapshot: undefined, dependencies: undefined, events: [] }));
  assert.match(html, /The monitor did not watch this run/);
  assert.match(html, /No snapshot was taken/);
  assert.match(html, /Nothing ran/);
});
