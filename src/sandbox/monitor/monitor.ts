/**
 * Watches a running container: processes, CPU, memory, sockets and traffic, four times a second.
 * Seen from the host's /proc when the engine is local (fast, and sockets are visible); otherwise
 * through the engine's stats and top (once a second, no sockets). Alerts are judged by
 * BehaviourJudge; the first alert that calls for it cuts the network (the run's kill switch).
 */
import type { EngineApi } from '../engine-api.js';
import { BehaviourJudge, outbound, type Alert, type Limits, type Sample } from './behaviour.js';
import { canSee, descendants, interfaceBytes, sockets, stdioIsSocket, TICKS_PER_SECOND, type ProcessInfo } from './proc-files.js';

export interface MonitorAlert extends Alert {
  atMs: number;
}

export interface MonitorSummary {
  /** 'proc': the host's /proc; 'engine': the engine's stats (no sockets). */
  source: 'proc' | 'engine';
  samples: number;
  peak: { cpuPercent: number; memoryBytes: number; processes: number };
  network: { rxBytes: number; txBytes: number; remotes: string[] };
  processes: { pid: number; comm: string; cmdline: string }[];
  alerts: MonitorAlert[];
  networkCut?: { atMs: number; reason: string };
}

export interface MonitorOptions {
  engine: EngineApi;
  containerId: string;
  /** The run's kill switch for the network (whatever the mode needs); undefined when there is none. */
  cut: ((reason: string) => Promise<void>) | undefined;
  cutNetwork: boolean;
  limits: Limits;
  /** ms since the run began, for alert times */
  clock: () => number;
  onAlert: (alert: MonitorAlert) => void;
  onNetworkCut: (reason: string) => void;
}

const PROC_INTERVAL_MS = 250;
const ENGINE_INTERVAL_MS = 1000;
const MAX_LISTED = 50;

/** Memory pages are 4 KiB on the architectures the engine runs on; only the peak figure uses it. */
const PAGE_BYTES = 4096;

export class ContainerMonitor {
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  private stopped = false;
  private judge: BehaviourJudge | undefined;
  private rootPid = 0;
  private readonly summary: MonitorSummary = { source: 'proc', samples: 0, peak: { cpuPercent: 0, memoryBytes: 0, processes: 0 }, network: { rxBytes: 0, txBytes: 0, remotes: [] }, processes: [], alerts: [] };
  private readonly seenProcesses = new Set<string>();
  private readonly remotes = new Set<string>();
  private cutting: Promise<void> | undefined;
  private lastTicks = new Map<number, number>();
  private lastAt: number | undefined;

  constructor(private readonly options: MonitorOptions) {}

  private starting: Promise<void> | undefined;

  /** Begins sampling in the background; the caller does not wait for the first sample. */
  start(): void {
    this.starting = this.begin().catch(() => undefined);
  }

  private async begin(): Promise<void> {
    const info = await this.options.engine.inspect(this.options.containerId).catch(() => undefined);
    if (this.stopped) return;
    this.rootPid = info?.State?.Pid ?? 0;
    this.summary.source = this.rootPid > 0 && canSee(this.rootPid) ? 'proc' : 'engine';
    this.judge = new BehaviourJudge(this.options.limits, this.rootPid);
    const interval = this.summary.source === 'proc' ? PROC_INTERVAL_MS : ENGINE_INTERVAL_MS;
    const tick = (): void => {
      if (this.busy || this.stopped) return;
      this.busy = true;
      this.sample()
        .catch(() => undefined)
        .finally(() => {
          this.busy = false;
        });
    };
    tick();
    this.timer = setInterval(tick, interval);
  }

  /** Stops sampling (after a network cut in flight has finished) and returns what was seen. */
  async stop(): Promise<MonitorSummary> {
    this.stopped = true;
    await this.starting;
    clearInterval(this.timer);
    await this.cutting;
    this.summary.network.remotes = [...this.remotes].slice(0, MAX_LISTED);
    return this.summary;
  }

  private async sample(): Promise<void> {
    const sample = this.summary.source === 'proc' ? await this.sampleProc() : await this.sampleEngine();
    if (!sample || this.stopped) return;
    this.summary.samples++;
    const peak = this.summary.peak;
    peak.cpuPercent = Math.max(peak.cpuPercent, Math.round(sample.cpuPercent));
    peak.memoryBytes = Math.max(peak.memoryBytes, sample.memoryBytes);
    peak.processes = Math.max(peak.processes, sample.processes.length);
    this.summary.network.rxBytes = Math.max(this.summary.network.rxBytes, sample.rxBytes);
    this.summary.network.txBytes = Math.max(this.summary.network.txBytes, sample.txBytes);
    for (const s of outbound(sample.sockets)) this.remotes.add(`${s.remoteIp}:${s.remotePort}`);
    for (const p of sample.processes) {
      const key = `${p.comm}\0${p.cmdline}`;
      if (this.seenProcesses.has(key) || this.summary.processes.length >= MAX_LISTED) continue;
      this.seenProcesses.add(key);
      this.summary.processes.push({ pid: p.pid, comm: p.comm, cmdline: p.cmdline });
    }
    for (const alert of this.judge!.judge(sample)) {
      const stamped = { ...alert, atMs: this.options.clock() };
      this.summary.alerts.push(stamped);
      this.options.onAlert(stamped);
      if (alert.cut) this.cut(`${alert.kind}: ${alert.detail}`);
    }
  }

  private cut(reason: string): void {
    if (this.cutting || !this.options.cutNetwork || !this.options.cut) return;
    this.cutting = this.options
      .cut(reason)
      .then(() => {
        this.summary.networkCut = { atMs: this.options.clock(), reason };
        this.options.onNetworkCut(reason);
      })
      .catch(() => undefined); // the container is gone, or was never connected
  }

  private async sampleProc(): Promise<Sample | undefined> {
    const processes = descendants(this.rootPid);
    if (processes.length === 0) return undefined;
    // CPU: ticks used since the last sample, by every process (new ones from zero), over the time passed
    const now = performance.now();
    let ticks = 0;
    const seen = new Map<number, number>();
    for (const p of processes) {
      ticks += Math.max(0, p.cpuTicks - (this.lastTicks.get(p.pid) ?? 0));
      seen.set(p.pid, p.cpuTicks);
    }
    const elapsed = this.lastAt === undefined ? 0 : (now - this.lastAt) / 1000;
    const cpuPercent = elapsed > 0 ? (ticks / TICKS_PER_SECOND / elapsed) * 100 : 0;
    this.lastTicks = seen;
    this.lastAt = now;
    const memoryBytes = processes.reduce((sum, p) => sum + p.rssPages * PAGE_BYTES, 0);
    const { rxBytes, txBytes } = interfaceBytes(this.rootPid);
    return {
      atMs: this.options.clock(),
      processes,
      socketStdio: new Set(processes.filter((p) => stdioIsSocket(p.pid)).map((p) => p.pid)),
      sockets: sockets(this.rootPid),
      rxBytes,
      txBytes,
      cpuPercent,
      memoryBytes,
    };
  }

  private async sampleEngine(): Promise<Sample | undefined> {
    const [stats, top] = await Promise.all([this.options.engine.stats(this.options.containerId), this.options.engine.top(this.options.containerId)]);
    const titles = top.Titles ?? [];
    const column = (name: string) => titles.findIndex((t) => t.toUpperCase() === name);
    const [pidAt, ppidAt, commAt, argsAt] = [column('PID'), column('PPID'), column('COMMAND'), column('ARGS')];
    const processes: ProcessInfo[] = (top.Processes ?? []).map((row) => ({
      pid: Number(row[pidAt] ?? 0),
      ppid: Number(row[ppidAt] ?? 0),
      comm: String(row[commAt] ?? '').split('/').pop() ?? '',
      cmdline: String(row[argsAt] ?? '').slice(0, 300),
      cpuTicks: 0,
      rssPages: 0,
    }));
    const cpu = stats.cpu_stats;
    const pre = stats.precpu_stats;
    const cpuDelta = (cpu?.cpu_usage?.total_usage ?? 0) - (pre?.cpu_usage?.total_usage ?? 0);
    const systemDelta = (cpu?.system_cpu_usage ?? 0) - (pre?.system_cpu_usage ?? 0);
    const cores = cpu?.online_cpus ?? 1;
    const networks = Object.values(stats.networks ?? {});
    return {
      atMs: this.options.clock(),
      processes,
      socketStdio: new Set(),
      sockets: [],
      rxBytes: networks.reduce((sum, n) => sum + (n.rx_bytes ?? 0), 0),
      txBytes: networks.reduce((sum, n) => sum + (n.tx_bytes ?? 0), 0),
      cpuPercent: systemDelta > 0 ? (cpuDelta / systemDelta) * cores * 100 : 0,
      memoryBytes: stats.memory_stats?.usage ?? 0,
    };
  }
}
