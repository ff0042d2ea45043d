/**
 * Reading a container's processes and sockets from the host's /proc, as the engine sees them:
 * the container's init process and its descendants, their command lines, the sockets of the
 * container's network namespace and its interface counters. Parsers are pure; readers never throw.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface ProcessInfo {
  pid: number;
  ppid: number;
  comm: string;
  cmdline: string;
  /** CPU time used so far (user + system), in clock ticks. */
  cpuTicks: number;
  /** Resident memory, in pages. */
  rssPages: number;
}

/** USER_HZ: the unit of /proc/<pid>/stat times, 100 on every Linux architecture the engine runs on. */
export const TICKS_PER_SECOND = 100;

export interface SocketInfo {
  proto: 'tcp' | 'udp';
  localIp: string;
  localPort: number;
  remoteIp: string;
  remotePort: number;
  state: 'established' | 'syn-sent' | 'listen' | 'other';
}

const TCP_STATES: Record<string, SocketInfo['state']> = { '01': 'established', '02': 'syn-sent', '0A': 'listen' };

/** `0100007F:1F90` → 127.0.0.1, 8080; IPv6 addresses are 32 hex digits in four little-endian words. */
export function decodeAddress(hex: string): { ip: string; port: number } {
  const [address = '', port = '0'] = hex.split(':');
  if (address.length === 8) {
    const bytes = [0, 2, 4, 6].map((i) => Number.parseInt(address.slice(i, i + 2), 16)).reverse();
    return { ip: bytes.join('.'), port: Number.parseInt(port, 16) };
  }
  const words: string[] = [];
  for (let w = 0; w < 4; w++) {
    const word = address.slice(w * 8, w * 8 + 8);
    const bytes = [6, 4, 2, 0].map((i) => word.slice(i, i + 2)).join('');
    words.push(bytes.slice(0, 4), bytes.slice(4, 8));
  }
  const ip = words.map((part) => part.replace(/^0+(?=.)/, '').toLowerCase()).join(':');
  const mapped = /^0:0:0:0:0:ffff:([0-9a-f]+):([0-9a-f]+)$/.exec(ip);
  if (mapped) {
    const n = (Number.parseInt(mapped[1]!, 16) << 16) | Number.parseInt(mapped[2]!, 16);
    return { ip: [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.'), port: Number.parseInt(port, 16) };
  }
  return { ip, port: Number.parseInt(port, 16) };
}

/** /proc/<pid>/net/{tcp,tcp6,udp,udp6}. */
export function parseSockets(text: string, proto: 'tcp' | 'udp'): SocketInfo[] {
  const out: SocketInfo[] = [];
  for (const line of text.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 4) continue;
    const local = decodeAddress(fields[1]!);
    const remote = decodeAddress(fields[2]!);
    const state = proto === 'udp' ? (remote.port === 0 ? 'listen' : 'established') : (TCP_STATES[fields[3]!] ?? 'other');
    out.push({ proto, localIp: local.ip, localPort: local.port, remoteIp: remote.ip, remotePort: remote.port, state });
  }
  return out;
}

/** /proc/<pid>/net/dev: bytes received and sent on every interface but loopback. */
export function parseNetDev(text: string): { rxBytes: number; txBytes: number } {
  let rxBytes = 0;
  let txBytes = 0;
  for (const line of text.split('\n').slice(2)) {
    const [name, rest] = line.split(':');
    if (!rest || name!.trim() === 'lo') continue;
    const fields = rest.trim().split(/\s+/).map(Number);
    rxBytes += fields[0] ?? 0;
    txBytes += fields[8] ?? 0;
  }
  return { rxBytes, txBytes };
}

/** /proc/<pid>/stat: the command name is in parentheses and may itself hold spaces and parentheses. */
export function parseStat(text: string): { pid: number; comm: string; ppid: number; cpuTicks: number; rssPages: number } | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  // after the name: state(0) ppid(1) … utime(11) stime(12) … rss(21)
  const after = text.slice(close + 2).split(' ');
  return {
    pid: Number(text.slice(0, open).trim()),
    comm: text.slice(open + 1, close),
    ppid: Number(after[1]),
    cpuTicks: Number(after[11] ?? 0) + Number(after[12] ?? 0),
    rssPages: Number(after[21] ?? 0),
  };
}

function read(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Whether this host can see the process (a local engine, same pid namespace, permission). */
export function canSee(pid: number): boolean {
  return read(`/proc/${pid}/stat`) !== undefined && read(`/proc/${pid}/net/dev`) !== undefined;
}

/** `root` and every process below it. */
export function descendants(root: number): ProcessInfo[] {
  const children = new Map<number, { pid: number; comm: string; cpuTicks: number; rssPages: number }[]>();
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  const rootStat = parseStat(read(`/proc/${root}/stat`) ?? '');
  if (!rootStat) return [];
  for (const name of names) {
    if (name.charCodeAt(0) < 48 || name.charCodeAt(0) > 57) continue;
    const stat = parseStat(read(`/proc/${name}/stat`) ?? '');
    if (!stat) continue;
    const list = children.get(stat.ppid) ?? [];
    list.push({ pid: stat.pid, comm: stat.comm, cpuTicks: stat.cpuTicks, rssPages: stat.rssPages });
    children.set(stat.ppid, list);
  }
  const out: ProcessInfo[] = [];
  const queue: Omit<ProcessInfo, 'cmdline'>[] = [{ ...rootStat }];
  while (queue.length > 0 && out.length < 4096) {
    const next = queue.shift()!;
    out.push({ ...next, cmdline: (read(`/proc/${next.pid}/cmdline`) ?? '').replace(/\0+$/, '').replace(/\0/g, ' ').slice(0, 300) });
    for (const child of children.get(next.pid) ?? []) queue.push({ ...child, ppid: next.pid });
  }
  return out;
}

/** The container's sockets (its network namespace, seen through its init process). */
export function sockets(pid: number): SocketInfo[] {
  const out: SocketInfo[] = [];
  for (const [file, proto] of [['tcp', 'tcp'], ['tcp6', 'tcp'], ['udp', 'udp'], ['udp6', 'udp']] as const) {
    const text = read(`/proc/${pid}/net/${file}`);
    if (text) out.push(...parseSockets(text, proto));
  }
  return out;
}

export function interfaceBytes(pid: number): { rxBytes: number; txBytes: number } {
  return parseNetDev(read(`/proc/${pid}/net/dev`) ?? '');
}

/** Whether the process's stdin or stdout is a network socket (the shape of a reverse shell). */
export function stdioIsSocket(pid: number): boolean {
  for (const fd of [0, 1]) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:')) return true;
    } catch {
      // not ours to read, or gone
    }
  }
  return false;
}
