/** What the run says about its network: the live denial lines, the cut, the summary. One set of words. */
import type { NetworkMode } from '../config/profile.js';
import { describeReason, type EgressReason } from '../network/egress-decision.js';
import type { ConnectionRecord, NetworkCut } from '../network/egress-proxy.js';

function allowArgument(host: string, port: number): string {
  const shown = host.includes(':') ? `[${host}]` : host;
  return port === 80 || port === 443 ? shown : `${shown}:${port}`;
}

/** The line printed when a connection is refused; it says how to allow it when that is possible. */
export function deniedLine(record: Readonly<ConnectionRecord>, mode: NetworkMode): string {
  const target = `${record.host}:${record.port}`;
  const reason = record.reason;
  const head = `saferun: network: denied ${target}`;
  if (mode === 'restricted') return `${head} — restricted mode reaches nothing (use --network allowlist --allow-host ${allowArgument(record.host, record.port)} where the profile allows it)`;
  if (reason === 'not-listed' || reason === 'denied-at-prompt' || reason === 'raw-ip') {
    return `${head} — allow it with --allow-host ${allowArgument(record.host, record.port)}`;
  }
  if (reason.endsWith('-address') && record.address) {
    return `${head} — ${record.address} is ${describeReason(reason)}; allow that exact address with --allow-host ${allowArgument(record.address, record.port)} if you mean it`;
  }
  return `${head} — ${describeReason(reason)}`;
}

/** The cut's reason as the live line and the summary say it: the proxy's own in words, an alert by its kind. */
export function networkCutWords(reason: string): string {
  return reason === 'upload-cap' || reason === 'canary' ? describeReason(reason) : (reason.split(':')[0] ?? reason);
}

export function cutLine(cut: NetworkCut): string {
  return `saferun: network cut (${networkCutWords(cut.reason)}): every connection closed; the program keeps running without it`;
}

export function openModeWarning(): string {
  return 'saferun: network open: the program can reach this machine\'s own services and the cloud metadata address (169.254.169.254); use --network allowlist for code you do not trust';
}

/** The end-of-run summary of refused connections, in the same words as the live lines. */
export function deniedSummary(connections: readonly { host: string; port: number; allowed: boolean; reason: string }[]): string | undefined {
  const byTarget = new Map<string, EgressReason>();
  for (const record of connections) if (!record.allowed && !byTarget.has(`${record.host}:${record.port}`)) byTarget.set(`${record.host}:${record.port}`, record.reason as EgressReason);
  if (byTarget.size === 0) return undefined;
  const listed = [...byTarget].map(([target, reason]) => `${target} (${describeReason(reason)})`);
  return `saferun: network: denied ${byTarget.size} host${byTarget.size === 1 ? '' : 's'}: ${listed.join(', ')}`;
}
