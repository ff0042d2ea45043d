/**
 * The live figures of one running run: what the status line draws and what `saferun top` reads.
 * RunStatusBoard collects them from the monitor's samples and the run's events.
 */
import type { ConnectionCounter, ConnectionCounts, SandboxEvent, TimelinePoint } from '../run-record/types.js';

export interface LiveLimits {
  timeoutMs: number;
  /** cores; 0 when unlimited */
  cpus: number;
  memoryBytes: number;
  pids: number;
}

export interface LiveAlert {
  severity: string;
  kind: string;
  detail: string;
  atMs: number;
}

/** Published for `saferun top` (`version` changes only when a field changes meaning). */
export interface RunStatus {
  version: 1;
  runId: string;
  /** saferun's own process */
  pid: number;
  script: string;
  profile: string;
  network: string;
  startedAt: string;
  monitored: boolean;
  limits: LiveLimits;
  elapsedMs: number;
  /** The latest monitor sample; absent before the first one (or with the monitor off). */
  sample?: TimelinePoint;
  /** Absent while nothing counts connections (no egress proxy): shown as '—'. */
  connections?: ConnectionCounts;
  alerts: number;
  lastAlert?: LiveAlert;
  networkCut?: { atMs: number; reason: string };
}

export type RunIdentity = Pick<RunStatus, 'runId' | 'pid' | 'script' | 'profile' | 'network' | 'monitored'>;

const ALERT_DETAIL = /^(\S+) (\S+): ([\s\S]*)$/;

export class RunStatusBoard {
  private readonly startedAt = new Date();
  /** From the program's start ('started' event), else from the board's creation. */
  private t0 = performance.now();
  private sample: TimelinePoint | undefined;
  private counter: ConnectionCounter | undefined;
  private alerts = 0;
  private lastAlert: LiveAlert | undefined;
  private networkCut: RunStatus['networkCut'];
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly identity: RunIdentity,
    private readonly limits: LiveLimits,
  ) {}

  /** Called on every change that a view should show at once (alerts, cuts). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  record(point: TimelinePoint): void {
    this.sample = point;
  }

  /** The egress proxy, when the run has one, counts the connections. */
  countConnectionsWith(counter: ConnectionCounter): void {
    this.counter = counter;
  }

  event(event: SandboxEvent): void {
    if (event.type === 'started') {
      this.t0 = performance.now();
      return;
    }
    if (event.type === 'alert') {
      const [, severity = 'alert', kind = 'alert', detail = event.detail ?? ''] = ALERT_DETAIL.exec(event.detail ?? '') ?? [];
      this.alerts++;
      this.lastAlert = { severity, kind, detail, atMs: event.atMs };
    } else if (event.type === 'network-cut') {
      this.networkCut = { atMs: event.atMs, reason: event.detail ?? '' };
    } else return;
    for (const listener of this.listeners) listener();
  }

  snapshot(): RunStatus {
    let connections: ConnectionCounts | undefined;
    try {
      connections = this.counter?.connectionCounts();
    } catch {
      connections = undefined; // a counter that failed shows '—', it does not stop the view
    }
    return {
      version: 1,
      ...this.identity,
      startedAt: this.startedAt.toISOString(),
      limits: this.limits,
      elapsedMs: Math.round(performance.now() - this.t0),
      ...(this.sample ? { sample: this.sample } : {}),
      ...(connections ? { connections } : {}),
      alerts: this.alerts,
      ...(this.lastAlert ? { lastAlert: this.lastAlert } : {}),
      ...(this.networkCut ? { networkCut: this.networkCut } : {}),
    };
  }
}
