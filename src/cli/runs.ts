/**
 * saferun runs list [--json] | show ID [--json|--html]: the history of past runs (their reports,
 * kept in the state directory, the oldest dropped past 200 runs or 50 MiB).
 */
import { commandParser, helpShown } from './command-parser.js';
import { UsageError } from '../errors.js';
import { humanBytes, humanDuration } from '../run-record/format.js';
import { RunHistory, type RunHistoryEntry } from '../history/run-history.js';
import type { RunReport } from '../report/run-report.js';

function listLine(e: RunHistoryEntry): string {
  const exit = `${e.exitReason} ${e.exitCode}`;
  const peaks = e.peak ? `peak ${e.peak.cpuPercent}% CPU ${humanBytes(e.peak.memoryBytes)} ${e.peak.processes}p` : 'no samples';
  const alerts = e.alerts > 0 ? `  ${e.alerts} alert${e.alerts === 1 ? '' : 's'}${e.networkCut ? ', network cut' : ''}` : '';
  return `${e.id}  ${e.startedAt.replace('T', ' ').slice(0, 19)}  ${e.profile.padEnd(8)} risk ${e.riskLevel.padEnd(8)} ${e.decision.padEnd(7)} ${exit.padEnd(12)} ${humanDuration(e.durationMs).padStart(6)}  ${peaks}${alerts}  ${e.command}`;
}

function showText(r: RunReport): string {
  const lines = [
    `run ${r.runId}${r.startedAt ? ` started ${r.startedAt}` : ''}: ${r.command}`,
    `  profile ${r.profile}, risk ${r.riskLevel}, decision ${r.decision}${r.reason ? ` (${r.reason})` : ''}`,
    `  ended: ${r.exitReason} ${r.exitCode} after ${humanDuration(r.durationMs)}`,
  ];
  if (r.monitor) {
    const m = r.monitor;
    lines.push(`  peaks: ${m.peak.cpuPercent}% CPU, ${humanBytes(m.peak.memoryBytes)}, ${m.peak.processes} processes; network ↓${humanBytes(m.network.rxBytes)} ↑${humanBytes(m.network.txBytes)}`);
    for (const a of m.alerts) lines.push(`  alert at ${(a.atMs / 1000).toFixed(1)}s: ${a.severity} ${a.kind}: ${a.detail}`);
    if (m.networkCut) lines.push(`  network cut at ${(m.networkCut.atMs / 1000).toFixed(1)}s: ${m.networkCut.reason}`);
  }
  for (const f of r.findings.slice(0, 20)) lines.push(`  ${f.severity.padEnd(8)} ${f.ruleId} ${f.file}:${f.line}  ${f.message}`);
  if (r.findings.length > 20) lines.push(`  … and ${r.findings.length - 20} more (--json lists them all)`);
  if (r.snapshot) lines.push(`  snapshot ${r.snapshot.id}: undo with saferun snapshots restore ${r.snapshot.id}`);
  return `${lines.join('\n')}\n`;
}

export async function main(argv: string[]): Promise<number> {
  const history = new RunHistory();
  const args = await commandParser(argv, 'saferun runs', `saferun runs <command>\n\nEvery run's report is kept in ${history.dir}\n(the oldest dropped past 200 runs or 50 MiB; SAFERUN_STATE_DIR moves it).`)
    .command('list', 'past runs, newest first', (y) => y.option('json', { type: 'boolean', default: false }), (a) => {
      const { entries, unreadable } = history.list();
      if (a.json) process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
      else if (entries.length === 0) process.stdout.write('no runs kept yet\n');
      else for (const e of entries) process.stdout.write(`${listLine(e)}\n`);
      if (unreadable > 0) process.stderr.write(`saferun: ${unreadable} kept report${unreadable === 1 ? ' is' : 's are'} unreadable and not listed\n`);
    })
    .command(
      'show <id>',
      'one run\'s report: a summary, or all of it with --json, or the HTML page with --html',
      (y) => y.positional('id', { type: 'string', demandOption: true }).option('json', { type: 'boolean', default: false }).option('html', { type: 'boolean', default: false }),
      async (a) => {
        if (a.json && a.html) throw new UsageError('--json and --html cannot be used together');
        const report = history.read(String(a.id));
        if (a.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        else if (a.html) process.stdout.write((await import('../report/run-html.js')).renderRunHtml(report));
        else process.stdout.write(showText(report));
      },
    )
    .demandCommand(1, 'name a command: list or show')
    .parseAsync();
  if (helpShown(args)) return 0;
  return 0;
}
