/**
 * Watches a running container: processes, CPU, memory, sockets and traffic, four times a second.
 * Seen from the host's /proc when the engine is local (fast, and sockets are visible); otherwise
 * through the engine's stats and top (once a second, no sockets). Alerts are judged by
 * BehaviourJudge; the first alert that calls for it cuts the network (the run's kill switch).
 */
import type { EngineApi } from '../engine-api.js';
import { BehaviourJudge, outbound, type Alert, type Limits, type Sample } from './behaviour.js';
import { canSee, type ProcessInfo } from './proc-files.js';
import { ProcSampler } from './proc-sampler.js';
import { Timeline } from './timeline.js';
import type { MonitorSummary, TimelinePoint } from '../../run-record/types.js';

export type { MonitorSummary } from '../../run-record/types.js';

export interface MonitorAlert extends Alert {
  atMs: number;
}

export interface MonitorOptions {
  engine: EngineApi;
  containerId: string;
  /** The run's kill switch for the network (whatever the mode needs); undefined when there is none. */
  cut: ((reason: string) => Promise<void>) | undefined;
  cutNetwork: boolean;
  limits: Limits;
  /**
   * The program runs on its own kernel (gVisor): the host's /proc and the engine's top show the
   * sandbox's processes, not the program's, so only the engine's stats are used.
   */
  ownKernel?: boolean;
  /** ms since the run began, for alert times */
  clock: () => number;
  onAlert: (alert: MonitorAlert) => void;
  onNetworkCut: (reason: string) => void;
  /** Decoy credentials planted for this run (their reads come in through decoyRead). */
  decoys?: readonly { name: string; containerPath: string }[];
  /** Each sample's figures, as they come (the live status line and `saferun top` show them). */
  onSample?: (point: TimelinePoint) => void;
}

const NO_PROCESSES: Awaited<ReturnType<EngineApi['top']>> = {};
const PROC_INTERVAL_MS = 250;
/** A /proc sample stops reading after this; a tick that is still busy when the next is due skips it. */
const PROC_BUDGET_MS = 200;
const ENGINE_INTERVAL_MS = 1000;
const MAX_LISTED = 50;
/** Remote addresses remembered for the report; a scan of the internet must not grow saferun. */
const MAX_REMOTES = 1000;
/** Characters of a command line kept in the report (the rules see up to READ_CAPS.cmdline bytes). */
const LISTED_CMDLINE_CHARS = 300;

export class ContainerMonitor {
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  private stopped = false;
  private judge: BehaviourJudge | undefined;
  private rootPid = 0;
  private readonly summary: MonitorSummary = { source: 'proc', samples: 0, partialSamples: 0, peak: { cpuPercent: 0, memoryBytes: 0, processes: 0 }, network: { rxBytes: 0, txBytes: 0, remotes: [] }, processes: [], alerts: [] };
  private readonly seenProcesses = new Set<string>();
  private readonly remotes = new Set<string>();
  private cutting: Promise<void> | undefined;
  private sampler: ProcSampler | undefined;
  private readonly timeline = new Timeline();

  constructor(private readonly options: MonitorOptions) {
    if (options.decoys?.length) this.summary.decoys = { planted: options.decoys.map((d) => d.containerPath), reads: [] };
  }

  private starting: Promise<void> | undefined;

  /** Begins sampling in the background; the caller does not wait for the first sample. */
  start(): void {
    this.starting = this.begin().catch(() => undefined);
  }

  private async begin(): Promise<void> {
    const info = await this.options.engine.inspect(this.options.containerId).catch(() => undefined);
    if (this.stopped) return;
    this.rootPid = info?.State?.Pid ?? 0;
    this.summary.source = !this.options.ownKernel && this.rootPid > 0 && canSee(this.rootPid) ? 'proc' : 'engine';
    this.judge = new BehaviourJudge(this.options.limits, this.rootPid);
    if (this.summary.source === 'proc') this.sampler = new ProcSampler(this.rootPid, this.options.clock);
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
    this.summary.partialSamples = this.sampler?.stats.partial ?? 0;
    this.summary.timeline = this.timeline.points();
    return this.summary;
  }

  private async sample(): Promise<void> {
    const sample = this.sampler ? await this.sampler.sample(PROC_BUDGET_MS) : await this.sampleEngine();
    if (!sample || this.stopped) return;
    this.summary.samples++;
    const peak = this.summary.peak;
    peak.cpuPercent = Math.max(peak.cpuPercent, Math.round(sample.cpuPercent));
    peak.memoryBytes = Math.max(peak.memoryBytes, sample.memoryBytes);
    peak.processes = Math.max(peak.processes, sample.processes.length);
    this.summary.network.rxBytes = Math.max(this.summary.network.rxBytes, sample.rxBytes);
    this.summary.network.txBytes = Math.max(this.summary.network.txBytes, sample.txBytes);
    const point = { atMs: sample.atMs, cpuPercent: sample.cpuPercent, memoryBytes: sample.memoryBytes, pids: sample.processes.length, rxBytes: sample.rxBytes, txBytes: sample.txBytes };
    this.timeline.add(point);
    this.options.onSample?.(point);
    for (const s of outbound(sample.sockets)) {
      if (this.remotes.size < MAX_REMOTES) this.remotes.add(`${s.remoteIp}:${s.remotePort}${s.proto === 'udp' ? '/udp' : ''}`);
    }
    for (const p of sample.processes) {
      if (this.summary.processes.length >= MAX_LISTED) break;
      const cmdline = p.cmdline.slice(0, LISTED_CMDLINE_CHARS);
      const key = `${p.comm}\0${cmdline}`;
      if (this.seenProcesses.has(key)) continue;
      this.seenProcesses.add(key);
      this.summary.processes.push({ pid: p.pid, comm: p.comm, cmdline });
    }
    for (const alert of this.judge!.judge(sample)) this.record(alert);
  }

  /**
   * The program opened a decoy credential: nothing honest does that, so it is a critical alert that
   * cuts the network at once (not at the next tick). Valid from before the container starts.
   */
  decoyRead(decoy: { name: string; containerPath: string }): void {
    if (this.stopped) return;
    this.summary.decoys?.reads.push({ atMs: this.options.clock(), name: decoy.name, path: decoy.containerPath });
    this.record({ kind: 'decoy-read', severity: 'critical', detail: `the program opened the decoy credential ${decoy.containerPath} (${decoy.name}): it is looking for secrets to steal`, cut: true });
  }

  private record(alert: Alert): void {
    const stamped = { ...alert, atMs: this.options.clock() };
    this.summary.alerts.push(stamped);
    this.options.onAlert(stamped);
    if (alert.cut) this.cut(`${alert.kind}: ${alert.detail}`);
  }

  /**
   * Cuts the network now, on a person's request (`saferun top`, key c), whatever the profile's
   * cutNetwork says. Resolves to what happened.
   */
  async cutOnRequest(reason: string): Promise<'cut' | 'already-cut' | 'no-network'> {
    if (!this.options.cut) return 'no-network';
    if (this.cutting) {
      await this.cutting;
      return 'already-cut';
    }
    this.cut(reason, true);
    await this.cutting;
    return this.summary.networkCut ? 'cut' : 'no-network';
  }

  private cut(reason: string, requested = false): void {
    if (this.cutting || (!this.options.cutNetwork && !requested) || !this.options.cut) return;
    this.cutting = this.options
      .cut(reason)
      .then(() => {
        this.summary.networkCut = { atMs: this.options.clock(), reason };
        this.options.onNetworkCut(reason);
      })
      .catch(() => undefined); // the container is gone, or was never connected
  }

  private async sampleEngine(): Promise<Sample | undefined> {
    // Under gVisor the engine's top maps the sandbox's own pids onto host pids: meaningless, so skipped.
    const [stats, top] = await Promise.all([
      this.options.engine.stats(this.options.containerId),
      this.options.ownKernel ? Promise.resolve(NO_PROCESSES) : this.options.engine.top(this.options.containerId),
    ]);
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
