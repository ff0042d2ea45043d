/** The run's network glue: which flags fit the profile, and the live lines (once per target, one cut line). */
import { networkWithin, type NetworkMode, type Profile } from '../config/profile.js';
import type { ConnectionRecord } from '../network/egress-proxy.js';
import type { SandboxNetwork } from '../sandbox/host-config.js';
import { cutLine, deniedLine, openModeWarning } from './network-messages.js';
import { say } from './messages.js';

/**
 * --allow-host answers the allowlist's prompt ahead of time: it adds hosts only where the profile
 * already lets the program ask for them (network allowlist or open), so flags still only tighten
 * what the profile allows. With a stricter profile, or with --network none|restricted, it is an error.
 */
export function allowHostsProblem(count: number, requested: NetworkMode | undefined, profile: Profile): string | undefined {
  if (count === 0) return undefined;
  if (!networkWithin('allowlist', profile.network)) {
    return `--allow-host: profile ${profile.name} runs with network ${profile.network}, which allows no host; use --profile normal (allowlist) or a profile with network.allow`;
  }
  if (requested !== undefined && requested !== 'allowlist' && requested !== 'open') {
    return `--allow-host cannot be combined with --network ${requested}, which reaches no host; drop one of them`;
  }
  return undefined;
}

/** What --dry-run shows for the proxied modes (no proxy is started). */
export function dryRunNetwork(mode: NetworkMode): SandboxNetwork {
  if (mode === 'none' || mode === 'open') return { mode };
  return { mode: 'proxy', hostDir: '<per-run proxy directory>' };
}

export interface NetworkAnnouncer {
  connection: (record: Readonly<ConnectionRecord>) => void;
  cut: (reason: string) => void;
}

export function networkAnnouncer(mode: NetworkMode, quiet: boolean): NetworkAnnouncer {
  const told = new Set<string>();
  let cutTold = false;
  if (mode === 'open' && !quiet) say(openModeWarning());
  return {
    connection: (record) => {
      if (quiet || record.allowed || record.reason === 'cut') return;
      const key = `${record.host}:${record.port}`;
      if (told.has(key)) return;
      told.add(key);
      say(deniedLine(record, mode));
    },
    cut: (reason) => {
      if (quiet || cutTold) return;
      cutTold = true;
      say(cutLine({ atMs: 0, reason }));
    },
  };
}
