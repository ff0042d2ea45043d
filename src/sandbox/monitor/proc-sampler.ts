/**
 * One sample of a container from the host's /proc, bounded in time and memory whatever the
 * program does (issue 16, hole 8: 200 shells with 5 MB of arguments each once made a sample take
 * 4.5 s and saferun grow to 2.4 GB). Every read is asynchronous and capped (READ_CAPS); work is
 * done in the order that matters for alerts — sockets first, then the process tree, then stdio,
 * then command lines — and what does not fit in the tick's budget waits for the next tick.
 * A command line is read once per process (pid + start time + name), so a later tick has little
 * left to do; the caches hold only the processes of the last sample.
 */
import type { Sample } from './behaviour.js';
import { cgroupPids, cgroupProcsFile, interfaceBytes, listPids, readCmdline, readStat, sockets, stdioIsSocket, TICKS_PER_SECOND, type ProcessInfo, type StatLine } from './proc-files.js';

/** Reads in flight at once: enough to keep the thread pool busy, few enough to leave it to others. */
const CONCURRENCY = 16;
/** A container's pids limit bounds this too; it guards against a limit set very high. */
export const MAX_PROCESSES = 4096;
/** Memory pages are 4 KiB on the architectures the engine runs on; only the peak figure uses it. */
const PAGE_BYTES = 4096;

export interface ProcSampleStats {
  /** Ticks whose budget ran out before every read was done (the rest waited for the next tick). */
  partial: number;
}

/** Runs `work` over `items`, CONCURRENCY at a time, until the deadline; returns how many it did. */
async function within<T>(items: readonly T[], deadline: number, work: (item: T) => Promise<void>): Promise<number> {
  let done = 0;
  for (let i = 0; i < items.length; i += CONCURRENCY) {
    if (performance.now() > deadline) return done;
    const batch = items.slice(i, i + CONCURRENCY);
    await Promise.all(batch.map(work));
    done += batch.length;
  }
  return done;
}

export class ProcSampler {
  private cmdlines = new Map<string, string>();
  private lastTicks = new Map<number, number>();
  private lastAt: number | undefined;
  /** The container's pids in the last sample: read first, so a short budget still covers them. */
  private lastTree = new Set<number>();
  readonly stats: ProcSampleStats = { partial: 0 };
  /** The container's own process list, when the host shows its cgroup (else every host pid is read). */
  private readonly procsFile: string | undefined;

  constructor(
    private readonly rootPid: number,
    private readonly clock: () => number,
  ) {
    this.procsFile = cgroupProcsFile(rootPid);
  }

  private async candidatePids(): Promise<string[]> {
    if (this.procsFile) {
      const pids = await cgroupPids(this.procsFile);
      if (pids.length > 0) return pids;
    }
    return listPids();
  }

  /** One sample, taking at most about `budgetMs`; undefined once the container's init is gone. */
  async sample(budgetMs: number): Promise<Sample | undefined> {
    const deadline = performance.now() + budgetMs;
    // Sockets and counters first: a connection is the alert that must not wait.
    const [socketList, traffic, rootStat, pids] = await Promise.all([sockets(this.rootPid), interfaceBytes(this.rootPid), readStat(this.rootPid), this.candidatePids()]);
    if (!rootStat) return undefined;
    let partial = false;

    const stats: StatLine[] = [];
    const statDone = await within(readOrder(pids, this.lastTree), deadline, async (pid) => {
      const stat = await readStat(pid);
      if (stat) stats.push(stat);
    });
    if (statDone < pids.length) partial = true;
    const tree = descendantsOf(rootStat, stats);
    this.lastTree = new Set(tree.map((p) => p.pid));

    const socketStdio = new Set<number>();
    const stdioDone = await within(tree, deadline, async (p) => {
      if (await stdioIsSocket(p.pid)) socketStdio.add(p.pid);
    });
    if (stdioDone < tree.length) partial = true;

    const cmdlines = new Map<string, string>();
    const unread: StatLine[] = [];
    for (const p of tree) {
      const known = this.cmdlines.get(processKey(p));
      if (known === undefined) unread.push(p);
      else cmdlines.set(processKey(p), known);
    }
    const cmdlineDone = await within(unread, deadline, async (p) => {
      cmdlines.set(processKey(p), await readCmdline(p.pid));
    });
    if (cmdlineDone < unread.length) partial = true;
    this.cmdlines = cmdlines;
    if (partial) this.stats.partial++;

    const processes: ProcessInfo[] = tree.map((p) => ({ pid: p.pid, ppid: p.ppid, comm: p.comm, cmdline: cmdlines.get(processKey(p)) ?? '', cpuTicks: p.cpuTicks, rssPages: p.rssPages }));
    return {
      atMs: this.clock(),
      processes,
      socketStdio,
      sockets: socketList,
      rxBytes: traffic.rxBytes,
      txBytes: traffic.txBytes,
      cpuPercent: this.cpuPercent(processes),
      memoryBytes: processes.reduce((sum, p) => sum + p.rssPages * PAGE_BYTES, 0),
    };
  }

  /** Ticks used since the last sample by every process (new ones from zero), over the time passed. */
  private cpuPercent(processes: readonly ProcessInfo[]): number {
    const now = performance.now();
    let ticks = 0;
    const seen = new Map<number, number>();
    for (const p of processes) {
      ticks += Math.max(0, p.cpuTicks - (this.lastTicks.get(p.pid) ?? 0));
      seen.set(p.pid, p.cpuTicks);
    }
    const elapsed = this.lastAt === undefined ? 0 : (now - this.lastAt) / 1000;
    this.lastTicks = seen;
    this.lastAt = now;
    return elapsed > 0 ? (ticks / TICKS_PER_SECOND / elapsed) * 100 : 0;
  }
}

/**
 * The container's known processes first, then the others newest first (a new child has a higher
 * pid than the processes before it, until pids wrap): what a spent budget leaves out is the old
 * processes of the host.
 */
export function readOrder(pids: readonly string[], known: ReadonlySet<number>): string[] {
  const first = pids.filter((pid) => known.has(Number(pid)));
  const rest = pids.filter((pid) => !known.has(Number(pid))).sort((a, b) => Number(b) - Number(a));
  return [...first, ...rest];
}

function processKey(p: StatLine): string {
  return `${p.pid}:${p.startTicks}:${p.comm}`;
}

/** `root` and every process below it, breadth first, at most MAX_PROCESSES. Pure. */
export function descendantsOf(root: StatLine, all: readonly StatLine[]): StatLine[] {
  const children = new Map<number, StatLine[]>();
  for (const stat of all) {
    if (stat.pid === root.pid) continue;
    const list = children.get(stat.ppid);
    if (list) list.push(stat);
    else children.set(stat.ppid, [stat]);
  }
  const out: StatLine[] = [];
  const queue: StatLine[] = [root];
  for (let next = 0; next < queue.length && out.length < MAX_PROCESSES; next++) {
    const p = queue[next]!;
    out.push(p);
    for (const child of children.get(p.pid) ?? []) queue.push(child);
  }
  return out;
}
