/** A profile after loading, merging `extends` and normalising units: what the rest of saferun uses. */
import type { RiskLevel } from '../findings/finding.js';

/** From strictest to loosest: no network; the proxy with nothing allowed; the proxy with an allowlist; Docker's bridge. */
export const NETWORK_MODES = ['none', 'restricted', 'allowlist', 'open'] as const;
export type NetworkMode = (typeof NETWORK_MODES)[number];

export const WORKDIR_ACCESS = ['none', 'read-only', 'read-write'] as const;
export type WorkdirAccess = (typeof WORKDIR_ACCESS)[number];

export type PolicyAction = { kind: 'run' } | { kind: 'ask' } | { kind: 'block' } | { kind: 'escalate'; profile: string };

export interface ResourceLimits {
  memoryBytes: number;
  nanoCpus: number;
  pids: number;
  nofile: number;
  maxFileSizeBytes: number;
  tmpBytes: number;
  timeoutMs: number;
  /** How much the writable host dirs (--output, a read-write working dir) may grow during one run. */
  outputBytes: number;
}

export interface Profile {
  name: string;
  description: string;
  /** 'preset' or the file it came from. */
  source: string;
  limits: ResourceLimits;
  network: NetworkMode;
  /** What `allowlist` lets through (HOST[:PORT] rules, validated) and the run's upload cap. */
  egress: EgressSettings;
  /** The OCI runtime wanted ('auto': gVisor when the engine has it); undefined: the engine's default. */
  runtime?: string;
  workdir: WorkdirAccess;
  output: boolean;
  snapshot: boolean;
  dependencies: DependencySettings;
  monitor: { enabled: boolean; cutNetwork: boolean; decoys: boolean };
  policy: Record<RiskLevel, PolicyAction>;
}

export interface EgressSettings {
  allow: string[];
  maxUploadBytes: number;
}

export interface DependencySettings {
  check: boolean;
  trustedIndexes: string[];
  deniedLicenses: string[];
  /** Where packages are downloaded from; undefined: PyPI's index. */
  index: string | undefined;
  /** Source distributions may be built (their setup.py runs, confined, without network). */
  allowSdist: boolean;
}

export interface LoadedProfile {
  profile: Profile;
  warnings: string[];
}

export function parsePolicyAction(text: string): PolicyAction {
  if (text.startsWith('escalate:')) return { kind: 'escalate', profile: text.slice('escalate:'.length) };
  if (text === 'run' || text === 'ask' || text === 'block') return { kind: text };
  throw new Error(`not a policy action: ${text}`);
}

export function formatPolicyAction(action: PolicyAction): string {
  return action.kind === 'escalate' ? `escalate:${action.profile}` : action.kind;
}

const NETWORK_ORDER: Record<NetworkMode, number> = { none: 0, restricted: 1, allowlist: 2, open: 3 };

/** Whether `requested` is as strict as or stricter than `allowed` (flags may only tighten the network). */
export function networkWithin(requested: NetworkMode, allowed: NetworkMode): boolean {
  return NETWORK_ORDER[requested] <= NETWORK_ORDER[allowed];
}
