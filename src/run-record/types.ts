/**
 * What a run records, as plain data: how it ended, the sandbox it ran in, what the monitor saw.
 * Both src/sandbox/ (which produces these) and src/report/, src/live/, src/history/ (which show
 * and keep them) import this low module, so the renderers never reach into the sandbox.
 */

export type ExitReason = 'exited' | 'timeout' | 'oom' | 'killed' | 'output-limit' | 'error';

export interface SandboxEvent {
  atMs: number;
  type: string;
  detail?: string;
}

export interface SandboxSummary {
  image: string;
  /** The runtime the engine really used (read back from the container), and why it was chosen. */
  runtime: string;
  runtimeReason?: string;
  user: string;
  capDrop: string[];
  readOnlyRootfs: boolean;
  networkMode: string;
  memoryBytes: number;
  nanoCpus: number;
  pidsLimit: number;
}

export type AlertSeverity = 'low' | 'medium' | 'high' | 'critical';

export interface MonitorAlert {
  kind: string;
  severity: AlertSeverity;
  detail: string;
  /** The alert called for the network to be cut. */
  cut: boolean;
  /** ms since the sandbox run began */
  atMs: number;
}

/** One sample of the running program (`monitor.timeline` in the report). */
export interface TimelinePoint {
  /** ms since the sandbox run began */
  atMs: number;
  /** percent of one core */
  cpuPercent: number;
  memoryBytes: number;
  pids: number;
  /** bytes received and sent since the start (they only grow) */
  rxBytes: number;
  txBytes: number;
}

export interface MonitorSummary {
  /** 'proc': the host's /proc; 'engine': the engine's stats (no sockets). */
  source: 'proc' | 'engine';
  samples: number;
  /** Samples whose time budget ran out before every process was read (the rest waited a tick). */
  partialSamples: number;
  peak: { cpuPercent: number; memoryBytes: number; processes: number };
  network: { rxBytes: number; txBytes: number; remotes: string[] };
  processes: { pid: number; comm: string; cmdline: string }[];
  alerts: MonitorAlert[];
  networkCut?: { atMs: number; reason: string };
  /** The decoy credentials planted in the sandbox's home, and each one the program opened (first time). */
  decoys?: { planted: string[]; reads: { atMs: number; name: string; path: string }[] };
  /** Usage over time at the sampling rate; past 2,000 points neighbours are merged (maxima, last totals). */
  timeline?: TimelinePoint[];
}

/**
 * Connections the program asked for, counted by whatever enforces the network (the egress proxy,
 * when there is one). Absent while nothing counts them: views show '—' then.
 */
export interface ConnectionCounts {
  allowed: number;
  denied: number;
}

/** Something that counts connections while the run goes on (the egress proxy implements it). */
export interface ConnectionCounter {
  connectionCounts(): ConnectionCounts;
}
