/** Reads the output of `saferun --json sandbox_probe.py`: the probe's JSON line, then saferun's report. */

export interface Probe {
  uid: number;
  gid: number;
  groups: number[];
  caps: Record<string, string | null>;
  noNewPrivs: string | null;
  seccomp: string | null;
  mounts: Record<string, { type: string; options: string[] }>;
  rootWrite: string;
  tmpBytes: number;
  tmpExecErrno: number;
  rlimits: Record<'nofile' | 'core' | 'fsize', [number, number]>;
  devices: string[];
  cgroup: { version: 1 | 2; pids: string | null; cpu: string | null; memory: string | null; swap: string | null };
  ipcNamespace: string;
  pidNamespace: string;
  interfaces: string[];
  env: Record<string, string>;
  cwd: string;
}

export interface RunReport {
  profile: string;
  riskLevel: string;
  exitCode: number;
  exitReason: string;
  findings: { ruleId: string; severity: string; file?: string }[];
  events: { type: string; detail?: string }[];
  sandbox: { networkMode: string; memoryBytes: number; pidsLimit: number } | null;
}

export interface ProbeRun {
  probe: Probe;
  report: RunReport;
}

export function parseProbeRun(stdout: string): ProbeRun {
  const newline = stdout.indexOf('\n');
  try {
    return { probe: JSON.parse(stdout.slice(0, newline)) as Probe, report: JSON.parse(stdout.slice(newline + 1)) as RunReport };
  } catch (error) {
    throw new Error(`not a probe line and a report: ${stdout.slice(0, 2000)}`, { cause: error });
  }
}
