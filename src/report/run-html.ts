/**
 * The run report as one self-contained HTML page (`--report FILE.html`, `saferun runs show ID
 * --html`): no script, no external resource (a Content-Security-Policy forbids loading any), inline
 * SVG charts of CPU, memory, pids and network with alert and cut markers, then the decision, the
 * findings, dependencies, network log and snapshot. Pure: a RunReport in, a string out.
 */
import { humanBytes, humanDuration } from '../run-record/format.js';
import type { MonitorSummary } from '../run-record/types.js';
import { escapeHtml as h } from './html-escape.js';
import type { RunReport } from './run-report.js';
import { lineChart, type ChartMarker } from './svg-chart.js';

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:980px;padding:16px 24px;color:#222}
h1{font-size:22px;margin:8px 0}h2{font-size:17px;border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:28px}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #eee;padding:3px 6px;text-align:left;vertical-align:top}
code,pre{font-family:ui-monospace,monospace;font-size:12.5px}pre{background:#f5f5f5;padding:8px;overflow-x:auto;white-space:pre-wrap}
.sev-critical{color:#fff;background:#a00;padding:0 4px}.sev-high{color:#a00;font-weight:600}.sev-medium{color:#a60}.sev-low{color:#777}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;background:#eee;margin-right:6px}
.bad{background:#fdd}.good{background:#dfd}.axis{font-size:11px;fill:#666}.legend{font-size:12px}
.charts{display:grid;grid-template-columns:1fr 1fr;gap:10px}.muted{color:#777}
`;

function section(id: string, title: string, body: string): string {
  return `<section id="${id}"><h2>${h(title)}</h2>${body}</section>`;
}

function table(head: string[], rows: string[][]): string {
  if (rows.length === 0) return '<p class="muted">none</p>';
  return `<table><thead><tr>${head.map((c) => `<th>${h(c)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

function markersOf(monitor: MonitorSummary): ChartMarker[] {
  const markers: ChartMarker[] = monitor.alerts.map((a) => ({ atMs: a.atMs, label: `${a.severity} ${a.kind}: ${a.detail}`, kind: 'alert' }));
  if (monitor.networkCut) markers.push({ atMs: monitor.networkCut.atMs, label: `network cut: ${monitor.networkCut.reason}`, kind: 'cut' });
  return markers;
}

function charts(report: RunReport): string {
  const monitor = report.monitor;
  if (!monitor) return '<p class="muted">The monitor did not watch this run (off in its profile, or the program did not start).</p>';
  const timeline = monitor.timeline ?? [];
  const ended = report.events.find((e) => e.type === 'exited')?.atMs ?? 0;
  const durationMs = Math.max(ended, timeline.at(-1)?.atMs ?? 0);
  const markers = markersOf(monitor);
  const limits = report.sandbox;
  const cpus = (limits?.nanoCpus ?? 0) / 1e9;
  const percent = (v: number): string => `${Math.round(v)}%`;
  return `<div class="charts">${[
    lineChart({
      id: 'cpu',
      title: 'CPU (% of one core)',
      series: [{ name: 'CPU %', color: '#1565c0', points: timeline.map((p) => [p.atMs, p.cpuPercent]) }],
      ...(cpus > 0 ? { limit: { value: cpus * 100, label: `limit ${percent(cpus * 100)}` } } : {}),
      markers,
      durationMs,
      formatValue: percent,
    }),
    lineChart({
      id: 'memory',
      title: 'Memory',
      series: [{ name: 'memory', color: '#2e7d32', points: timeline.map((p) => [p.atMs, p.memoryBytes]) }],
      ...(limits?.memoryBytes ? { limit: { value: limits.memoryBytes, label: `limit ${humanBytes(limits.memoryBytes)}` } } : {}),
      markers,
      durationMs,
      formatValue: humanBytes,
    }),
    lineChart({
      id: 'pids',
      title: 'Processes and threads',
      series: [{ name: 'pids', color: '#6a1b9a', points: timeline.map((p) => [p.atMs, p.pids]) }],
      ...(limits?.pidsLimit ? { limit: { value: limits.pidsLimit, label: `limit ${limits.pidsLimit}` } } : {}),
      markers,
      durationMs,
      formatValue: (v) => String(Math.round(v)),
    }),
    lineChart({
      id: 'network',
      title: 'Network (bytes since start)',
      series: [
        { name: 'received', color: '#00838f', points: timeline.map((p) => [p.atMs, p.rxBytes]) },
        { name: 'sent', color: '#d84315', points: timeline.map((p) => [p.atMs, p.txBytes]) },
      ],
      markers,
      durationMs,
      formatValue: humanBytes,
    }),
  ].join('')}</div><p class="muted">${monitor.samples} samples from ${monitor.source === 'proc' ? "the host's /proc" : "the engine's stats"}; peaks ${monitor.peak.cpuPercent}% CPU, ${humanBytes(monitor.peak.memoryBytes)}, ${monitor.peak.processes} processes. Orange lines: alerts; red: the network cut (hover for details).</p>`;
}

function decision(report: RunReport): string {
  const ok = report.exitReason === 'exited' && report.exitCode === 0;
  return `<p><span class="badge">decision: ${h(report.decision)}</span><span class="badge">risk: ${h(report.riskLevel)}</span><span class="badge">profile: ${h(report.profile)}</span><span class="badge ${ok ? 'good' : 'bad'}">${h(report.exitReason)} ${report.exitCode}</span></p>${report.reason ? `<p>${h(report.reason)}</p>` : ''}`;
}

function findings(report: RunReport): string {
  return table(
    ['severity', 'rule', 'where', 'message'],
    report.findings.map((f) => [`<span class="sev-${h(f.severity)}">${h(f.severity)}</span>`, `<code>${h(f.ruleId)}</code>`, `<code>${h(f.file)}:${f.line}</code>`, `${h(f.message)}${f.snippet ? `<pre>${h(f.snippet)}</pre>` : ''}`]),
  );
}

function packages(report: RunReport): string {
  const list = report.packages ?? [];
  if (list.length === 0) return '';
  return `<h3>Installed packages</h3>${table(
    ['package', 'file', 'risk', 'findings', 'sha256'],
    list.map((p) => [`<code>${h(p.name)} ${h(p.version)}</code>`, `<code>${h(p.file)}</code>`, h(p.riskLevel), String(p.findings.length), `<code>${h(p.sha256.slice(0, 16))}…</code>`]),
  )}`;
}

function dependencies(report: RunReport): string {
  const deps = report.dependencies;
  if (!deps) return `<p class="muted">The program declares and imports no third-party packages (or the profile does not check them).</p>${packages(report)}`;
  return `${packages(report)}<p>${deps.checked} checked from ${deps.manifests.length > 0 ? deps.manifests.map((m) => `<code>${h(m)}</code>`).join(', ') : 'imports'}; risk ${h(deps.riskLevel)}. Findings about them (dep-*) are listed above.</p><p>${deps.names.map((n) => `<code>${h(n)}</code>`).join(' ')}</p>`;
}

function networkLog(report: RunReport): string {
  const m = report.monitor;
  const mode = report.sandbox?.networkMode ?? 'none';
  const rows: string[][] = [];
  for (const e of report.events) if (e.type === 'network-cut' || e.type === 'alert') rows.push([`${(e.atMs / 1000).toFixed(1)}s`, h(e.type), h(e.detail ?? '')]);
  const remotes = m?.network.remotes ?? [];
  const net = report.network;
  const connections = net
    ? `<h3>Connections through the egress proxy (${net.connections.length})</h3>${table(
        ['at', 'destination', 'address', 'verdict', 'up', 'down'],
        net.connections.map((c) => [
          `${(c.atMs / 1000).toFixed(1)}s`,
          `<code>${h(c.host)}:${c.port}</code>`,
          `<code>${h(c.address ?? '—')}</code>`,
          `<span class="badge ${c.allowed ? 'good' : 'bad'}">${c.allowed ? 'allowed' : 'denied'}</span> ${h(c.reason)}`,
          humanBytes(c.bytesUp),
          humanBytes(c.bytesDown),
        ]),
      )}${net.denied.length ? `<p>Denied: ${net.denied.map((d) => `<code>${h(d)}</code>`).join(' ')}</p>` : ''}`
    : '';
  return `<p>Network mode <code>${h(net?.mode ?? mode)}</code>${net && net.allow.length ? ` (allowed: ${net.allow.map((a) => `<code>${h(a)}</code>`).join(' ')})` : ''}${m ? `; received ${humanBytes(m.network.rxBytes)}, sent ${humanBytes(m.network.txBytes)}` : ''}${m?.networkCut ? `; <strong>cut at ${(m.networkCut.atMs / 1000).toFixed(1)}s</strong>` : ''}.</p><h3>Remote endpoints seen</h3>${
    remotes.length ? `<p>${remotes.map((r) => `<code>${h(r)}</code>`).join(' ')}</p>` : '<p class="muted">none</p>'
  }${connections}<h3>Alerts and cuts</h3>${table(['at', 'event', 'detail'], rows)}`;
}

function snapshot(report: RunReport): string {
  const s = report.snapshot;
  if (!s) return '<p class="muted">No snapshot was taken (off in the profile, --no-snapshot, or no directory was mounted).</p>';
  return `<p>Snapshot <code>${h(s.id)}</code>: ${s.files} files, ${humanBytes(s.bytesAdded)} new, taken in ${s.durationMs} ms.</p><p>To undo what the program changed:</p><pre>saferun snapshots restore ${h(s.id)}</pre>`;
}

function sandbox(report: RunReport): string {
  const s = report.sandbox;
  if (!s) return '<p class="muted">Nothing ran.</p>';
  return table(
    ['setting', 'value'],
    [
      ['image', `<code>${h(s.image)}</code>`],
      ['runtime', h(s.runtime)],
      ['user', h(s.user)],
      ['network', h(s.networkMode)],
      ['memory', humanBytes(s.memoryBytes)],
      ['CPUs', String(s.nanoCpus / 1e9)],
      ['pids', String(s.pidsLimit)],
      ['read-only root', String(s.readOnlyRootfs)],
      ['capabilities dropped', h(s.capDrop.join(', '))],
    ],
  );
}

function processes(report: RunReport): string {
  const list = report.monitor?.processes ?? [];
  return table(['pid', 'name', 'command line'], list.map((p) => [String(p.pid), `<code>${h(p.comm)}</code>`, `<code>${h(p.cmdline)}</code>`]));
}

export function renderRunHtml(report: RunReport): string {
  const title = `saferun report: ${report.command}`;
  const when = report.startedAt ? `started ${h(report.startedAt)}, ` : '';
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${h(title)}</title><style>${STYLE}</style></head>
<body>
<header><h1>${h(title)}</h1><p class="muted">run <code>${h(report.runId)}</code>, ${when}took ${humanDuration(report.durationMs)} (${report.durationMs} ms); report version ${report.version}</p></header>
${section('decision', 'Decision and why', decision(report))}
${section('resources', 'Resource use', charts(report))}
${section('findings', `Findings (${report.findings.length})`, findings(report))}
${section('dependencies', 'Dependencies and packages', dependencies(report))}
${section('network', 'Network log', networkLog(report))}
${section('snapshot', 'Snapshot', snapshot(report))}
${section('sandbox', 'Sandbox', sandbox(report))}
${section('processes', 'Processes seen', processes(report))}
</body></html>
`;
}
