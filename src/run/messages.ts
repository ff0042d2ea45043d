/** One-line messages for people, on stderr. */
import { formatBytes, formatDuration } from '../config/units.js';
import type { ResourceLimits } from '../config/profile.js';
import type { RunReport } from '../report/run-report.js';
import type { Finding } from '../findings/finding.js';
import { networkCutWords } from './network-messages.js';

const useColor = (): boolean => process.stderr.isTTY === true && !process.env['NO_COLOR'];
const paint = (code: string, text: string): string => (useColor() ? `\u001b[${code}m${text}\u001b[0m` : text);

const SEVERITY_COLOR = { low: '2', medium: '33', high: '31', critical: '1;31' } as const;

export function formatFindings(findings: readonly Finding[], limit = 5): string {
  const lines = findings.slice(0, limit).map((f) => `  ${paint(SEVERITY_COLOR[f.severity], f.severity.padEnd(8))} ${f.ruleId} ${f.file}:${f.line}  ${f.message}`);
  if (findings.length > limit) lines.push(`  … and ${findings.length - limit} more (saferun scan <file> and saferun deps <dir> list them all)`);
  return lines.join('\n');
}

export function timeoutMessage(limits: ResourceLimits): string {
  return `saferun: timed out after ${formatDuration(limits.timeoutMs)}; the program was killed (raise the limit with --timeout)`;
}

export function outputLimitMessage(limits: ResourceLimits): string {
  return `saferun: output budget exceeded: the program wrote more than ${formatBytes(limits.outputBytes)} to its writable dirs and was stopped (raise it with --output-size or limits.outputSize)`;
}

export function oomMessage(limits: ResourceLimits): string {
  return `saferun: out of memory: the program reached its ${formatBytes(limits.memoryBytes)} limit and was killed (raise it with --memory)`;
}

export function runSummary(report: RunReport): string {
  const seconds = (report.durationMs / 1000).toFixed(1);
  const mark = report.exitReason === 'exited' && report.exitCode === 0 ? paint('32', '✔') : paint('31', '✖');
  const parts = [`${report.exitReason} ${report.exitCode}`, `${seconds}s`, `profile ${report.profile}`, `risk ${report.riskLevel}`];
  if (report.snapshot) parts.push(`snapshot ${report.snapshot.id}`);
  if (report.monitor) {
    const m = report.monitor;
    parts.push(`peak ${m.peak.cpuPercent}% CPU, ${Math.round(m.peak.memoryBytes / 1024 ** 2)} MiB, ${m.peak.processes} process${m.peak.processes === 1 ? '' : 'es'}`);
    if (m.alerts.length > 0) parts.push(paint('31', `${m.alerts.length} alert${m.alerts.length === 1 ? '' : 's'}${m.networkCut ? ', network cut' : ''}`));
  }
  const network = report.network;
  if (network && network.mode !== 'none') {
    const allowed = network.connections.filter((c) => c.allowed).length;
    parts.push(`network ${network.mode}${network.connections.length > 0 ? `: ${allowed} allowed, ${network.denied.length} denied` : ''}`);
    if (network.cut && !report.monitor?.networkCut) parts.push(paint('31', `network cut (${networkCutWords(network.cut.reason)})`));
  }
  return `${mark} saferun: ${parts.join(' · ')}`;
}

export function say(text: string): void {
  process.stderr.write(`${text}\n`);
}

export { paint };
