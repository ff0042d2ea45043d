/**
 * What a running program does that warrants an alert, and which alerts cut its network. Pure:
 * samples in, alerts out; each alert kind fires once per run.
 */
import type { ProcessInfo, SocketInfo } from './proc-files.js';

export type AlertKind =
  | 'miner-process'
  | 'network-tool'
  | 'downloader'
  | 'socket-shell'
  | 'shell-spawned'
  | 'suspicious-port'
  | 'listening-socket'
  | 'connection-fan-out'
  | 'upload-volume'
  | 'cpu-saturation'
  | 'pids-near-limit'
  | 'memory-near-limit'
  | 'decoy-read';

export interface Alert {
  kind: AlertKind;
  severity: 'low' | 'medium' | 'high' | 'critical';
  detail: string;
  /** Cut the container's network at once. */
  cut: boolean;
}

export interface Sample {
  atMs: number;
  processes: ProcessInfo[];
  /** pids whose stdin or stdout is a socket */
  socketStdio: ReadonlySet<number>;
  sockets: SocketInfo[];
  rxBytes: number;
  txBytes: number;
  /** percent of one core, summed over the processes */
  cpuPercent: number;
  memoryBytes: number;
}

export interface Limits {
  cpus: number;
  memoryBytes: number;
  pids: number;
}

const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ash', 'ksh', 'busybox', 'fish', 'tcsh', 'csh']);
const NETWORK_TOOLS = new Set(['nc', 'ncat', 'netcat', 'nc.openbsd', 'nc.traditional', 'socat', 'telnet', 'nmap', 'masscan', 'zmap', 'tcpdump', 'tshark', 'hping3', 'ssh', 'sshpass', 'proxychains']);
/** Fetching files outside Python's view, the first half of download-and-execute. */
const DOWNLOADERS = new Set(['curl', 'wget', 'tftp', 'ftp', 'aria2c', 'bitsadmin', 'certutil']);
const MINER = /\b(xmrig|xmr-stak|minerd|cpuminer|ccminer|ethminer|nbminer|t-rex|lolminer|phoenixminer|nanominer|gminer|srbminer|teamredminer|bfgminer|cgminer)\b|stratum\+(tcp|ssl|tls):\/\//i;
/** Ports of reverse shells, IRC botnets and mining pools; honest programs seldom dial them. */
const SUSPICIOUS_PORTS = new Set([1337, 31337, 4444, 4445, 5555, 6666, 6667, 6668, 6669, 6697, 7777, 9001, 12345, 3333, 14433, 14444, 45560, 45700]);
const FAN_OUT_HOSTS = 25;
const UPLOAD_BYTES = 20 * 1024 * 1024;
const CPU_SUSTAINED_MS = 20_000;

function isLoopback(ip: string): boolean {
  return ip.startsWith('127.') || ip === '::1' || ip === '0:0:0:0:0:0:0:1';
}

function isUnspecified(ip: string): boolean {
  return ip === '0.0.0.0' || /^0(:0){7}$/.test(ip) || ip === '::';
}

/**
 * Connections out of the container: TCP being set up or established, and connected UDP sockets
 * (a UDP socket shows its peer in /proc only once connect() was called; a bare sendto() leaves
 * no peer to see).
 */
export function outbound(sockets: readonly SocketInfo[]): SocketInfo[] {
  return sockets.filter((s) => (s.state === 'established' || (s.proto === 'tcp' && s.state === 'syn-sent')) && s.remotePort !== 0 && !isLoopback(s.remoteIp) && !isUnspecified(s.remoteIp));
}

export class BehaviourJudge {
  private readonly fired = new Set<AlertKind>();
  private readonly remoteHosts = new Set<string>();
  private saturatedSince: number | undefined;

  constructor(
    private readonly limits: Limits,
    private readonly rootPid: number,
  ) {}

  judge(sample: Sample): Alert[] {
    const alerts: Alert[] = [];
    const raise = (kind: AlertKind, severity: Alert['severity'], detail: string, cut: boolean) => {
      if (this.fired.has(kind)) return;
      this.fired.add(kind);
      alerts.push({ kind, severity, detail, cut });
    };
    for (const p of sample.processes) {
      const name = p.comm.toLowerCase();
      if (MINER.test(p.comm) || MINER.test(p.cmdline)) raise('miner-process', 'critical', `a crypto-miner is running: ${describe(p)}`, true);
      if (NETWORK_TOOLS.has(name)) raise('network-tool', 'high', `a network tool was started: ${describe(p)}`, true);
      if (DOWNLOADERS.has(name)) raise('downloader', 'high', `a downloader was started (download-and-execute?): ${describe(p)}`, true);
      if (sample.socketStdio.has(p.pid) && p.pid !== this.rootPid) raise('socket-shell', 'critical', `a process reads commands from a network socket (reverse shell): ${describe(p)}`, true);
      if (SHELLS.has(name) && p.pid !== this.rootPid) raise('shell-spawned', 'medium', `the program started a shell: ${describe(p)}`, false);
    }
    const out = outbound(sample.sockets);
    for (const s of out) {
      // one more than the threshold is all the rule needs: the set stays small whatever is scanned
      if (this.remoteHosts.size <= FAN_OUT_HOSTS) this.remoteHosts.add(s.remoteIp);
      const what = s.proto === 'udp' ? 'UDP traffic' : 'a connection';
      if (SUSPICIOUS_PORTS.has(s.remotePort)) raise('suspicious-port', 'high', `${what} to ${s.remoteIp}:${s.remotePort}, a port of reverse shells, botnets and mining pools`, true);
    }
    if (this.remoteHosts.size > FAN_OUT_HOSTS) raise('connection-fan-out', 'high', `connections to more than ${FAN_OUT_HOSTS} different hosts (scanning or spreading)`, true);
    for (const s of sample.sockets) {
      if (s.state === 'listen' && s.proto === 'tcp' && !isLoopback(s.localIp)) raise('listening-socket', 'medium', `listening for connections on port ${s.localPort} (a bind shell, or a server nobody outside can reach)`, false);
    }
    if (sample.txBytes > UPLOAD_BYTES && sample.txBytes > 4 * sample.rxBytes) {
      raise('upload-volume', 'high', `${Math.round(sample.txBytes / 1024 / 1024)} MiB sent and only ${Math.round(sample.rxBytes / 1024 / 1024)} MiB received (exfiltration)`, true);
    }
    const saturated = sample.cpuPercent >= 90 * this.limits.cpus;
    if (!saturated) this.saturatedSince = undefined;
    else {
      this.saturatedSince ??= sample.atMs;
      if (sample.atMs - this.saturatedSince >= CPU_SUSTAINED_MS) {
        const networked = out.length > 0;
        raise('cpu-saturation', networked ? 'high' : 'medium', `every CPU it may use has been busy for ${Math.round((sample.atMs - this.saturatedSince) / 1000)} s${networked ? ' while connected out (the shape of mining)' : ''}`, networked);
      }
    }
    if (this.limits.pids > 0 && sample.processes.length >= 0.9 * this.limits.pids) raise('pids-near-limit', 'medium', `${sample.processes.length} processes of the ${this.limits.pids} allowed (a fork bomb?)`, false);
    if (this.limits.memoryBytes > 0 && sample.memoryBytes >= 0.9 * this.limits.memoryBytes) raise('memory-near-limit', 'low', `${Math.round(sample.memoryBytes / 1024 / 1024)} MiB of the ${Math.round(this.limits.memoryBytes / 1024 / 1024)} MiB allowed`, false);
    return alerts;
  }
}

function describe(p: ProcessInfo): string {
  return `${p.comm} (pid ${p.pid}${p.cmdline ? `: ${p.cmdline.slice(0, 120)}` : ''})`;
}
