/**
 * Reading a container's processes and sockets from the host's /proc, as the engine sees them:
 * the container's init process and its descendants, their command lines, the sockets of the
 * container's network namespace and its interface counters. Parsers are pure; readers never
 * throw, never block the event loop and never read more than a fixed number of bytes per file:
 * the program decides how large its command lines and socket tables are (issue 16, hole 8).
 */
import { readFileSync } from 'node:fs';
import { open, readdir, readlink } from 'node:fs/promises';

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
export interface StatLine {
  pid: number;
  comm: string;
  ppid: number;
  cpuTicks: number;
  rssPages: number;
  /** When the process started, in ticks since boot: with the pid, it names one process for good. */
  startTicks: number;
}

export function parseStat(text: string): StatLine | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  // after the name: state(0) ppid(1) … utime(11) stime(12) … starttime(19) … rss(21)
  const after = text.slice(close + 2).split(' ');
  return {
    pid: Number(text.slice(0, open).trim()),
    comm: text.slice(open + 1, close),
    ppid: Number(after[1]),
    cpuTicks: Number(after[11] ?? 0) + Number(after[12] ?? 0),
    rssPages: Number(after[21] ?? 0),
    startTicks: Number(after[19] ?? 0),
  };
}

/** Bytes read at most from one file: a stat line, a command line, one socket table. */
export const READ_CAPS = { stat: 2048, cmdline: 4096, netDev: 64 * 1024, socketTable: 2 * 1024 * 1024 } as const;

/**
 * Reads at most `maxBytes` of a file without blocking the event loop; undefined when it cannot be
 * read (gone, not ours). /proc hands out a socket table a page per read, so the reads go on until
 * the end or the cap; a short read of a one-record file (stat, cmdline) is its end.
 */
export async function readCapped(file: string, maxBytes: number, oneRecord = false): Promise<Buffer | undefined> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(file, 'r');
    const chunks: Buffer[] = [];
    let total = 0;
    while (total < maxBytes) {
      const want = Math.min(maxBytes - total, 64 * 1024);
      const { bytesRead, buffer } = await handle.read(Buffer.allocUnsafe(want), 0, want, null);
      if (bytesRead === 0) break;
      chunks.push(buffer.subarray(0, bytesRead));
      total += bytesRead;
      if (oneRecord && bytesRead < want) break;
    }
    return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total);
  } catch {
    return undefined;
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

async function readText(file: string, maxBytes: number, oneRecord = false): Promise<string | undefined> {
  return (await readCapped(file, maxBytes, oneRecord))?.toString('utf8');
}

function readSmallSync(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Whether this host can see the process (a local engine, same pid namespace, permission). */
export function canSee(pid: number): boolean {
  return readSmallSync(`/proc/${pid}/stat`) !== undefined && readSmallSync(`/proc/${pid}/net/dev`) !== undefined;
}

export function readStat(pid: number | string): Promise<StatLine | undefined> {
  return readText(`/proc/${pid}/stat`, READ_CAPS.stat, true).then((text) => (text === undefined ? undefined : parseStat(text)));
}

/**
 * The cgroup.procs file that lists the container's processes (found from its init's
 * /proc/<pid>/cgroup: the pids controller on cgroup v1, the unified hierarchy on v2); undefined
 * when the host does not show it. Reading it costs one small read instead of a stat of every
 * process of the host.
 */
export function cgroupProcsFile(rootPid: number): string | undefined {
  const text = readSmallSync(`/proc/${rootPid}/cgroup`);
  if (!text) return undefined;
  for (const line of text.split('\n')) {
    const [, controllers, cgroupPath] = line.split(':');
    if (cgroupPath === undefined || cgroupPath === '/' || cgroupPath.includes('..')) continue;
    const file = controllers === '' ? `/sys/fs/cgroup${cgroupPath}/cgroup.procs` : controllers?.split(',').includes('pids') ? `/sys/fs/cgroup/pids${cgroupPath}/cgroup.procs` : undefined;
    if (file && readSmallSync(file) !== undefined) return file;
  }
  return undefined;
}

/** The pids a cgroup.procs file lists (empty when it cannot be read). */
export async function cgroupPids(file: string): Promise<string[]> {
  const bytes = await readCapped(file, 256 * 1024, false);
  return (bytes?.toString('latin1') ?? '').split('\n').filter((line) => /^\d+$/.test(line));
}

/** Every pid of the host (the container's processes are among them). */
export async function listPids(): Promise<string[]> {
  try {
    return (await readdir('/proc')).filter((name) => name.charCodeAt(0) >= 48 && name.charCodeAt(0) <= 57);
  } catch {
    return [];
  }
}

/** The first READ_CAPS.cmdline bytes of a command line, arguments joined by spaces. */
export async function readCmdline(pid: number): Promise<string> {
  const bytes = await readCapped(`/proc/${pid}/cmdline`, READ_CAPS.cmdline, true);
  return (bytes?.toString('utf8') ?? '').replace(/\0+$/, '').replace(/\0/g, ' ');
}

/** The container's sockets (its network namespace, seen through its init process), TCP and UDP. */
export async function sockets(pid: number): Promise<SocketInfo[]> {
  const files = [['tcp', 'tcp'], ['tcp6', 'tcp'], ['udp', 'udp'], ['udp6', 'udp']] as const;
  const texts = await Promise.all(files.map(([file]) => readText(`/proc/${pid}/net/${file}`, READ_CAPS.socketTable)));
  // a table cut at the cap ends in half a line: drop it
  return texts.flatMap((text, i) => (text ? parseSockets(text.slice(0, text.lastIndexOf('\n') + 1), files[i]![1]) : []));
}

export async function interfaceBytes(pid: number): Promise<{ rxBytes: number; txBytes: number }> {
  return parseNetDev((await readText(`/proc/${pid}/net/dev`, READ_CAPS.netDev)) ?? '');
}

/** Whether the process's stdin or stdout is a network socket (the shape of a reverse shell). */
export async function stdioIsSocket(pid: number): Promise<boolean> {
  const links = await Promise.all([0, 1].map((fd) => readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')));
  return links.some((link) => link.startsWith('socket:'));
}
