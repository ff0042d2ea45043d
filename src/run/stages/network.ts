/**
 * The network stage: turns the run's network mode into what the sandbox gets, and starts the
 * egress proxy for the proxied modes.
 *
 * - none: no network at all (loopback only).
 * - restricted: the proxy with nothing allowed and no prompt. The program reaches nothing, not
 *   even this machine's services or a gateway (there is no interface); what it tried is logged.
 * - allowlist: the proxy with the profile's `network.allow` plus --allow-host; an unlisted host
 *   is asked about on a terminal, denied without one.
 * - open: Docker's default bridge (this machine's services and the metadata address reachable).
 *
 * The proxied modes run the sandbox with `--network none` too: its one way out is the proxy's
 * Unix socket, mounted read-only with the in-container forwarder (see network/forwarder-script.ts).
 */
import type { EgressSettings, NetworkMode } from '../../config/profile.js';
import type { AllowRule } from '../../network/allow-rules.js';
import type { ConnectionRecord, EgressProxy, EgressTarget, NetworkCut } from '../../network/egress-proxy.js';
import type { NetworkReport } from '../../report/run-report.js';
import type { SandboxNetwork } from '../../sandbox/host-config.js';

export interface NetworkStageInput {
  runId: string;
  mode: NetworkMode;
  egress: EgressSettings;
  /** --allow-host rules (allowlist mode only). */
  allowHosts: readonly AllowRule[];
  sandboxUid: number;
  sandboxGid: number;
  /** The prompt for unlisted hosts (allowlist mode on a terminal). */
  ask?: (target: EgressTarget) => Promise<boolean>;
  canaries?: readonly string[];
  clock: () => number;
  onConnection?: (record: Readonly<ConnectionRecord>) => void;
  onCut?: (cut: NetworkCut) => void;
}

export interface NetworkStageOutput {
  sandboxNetwork: SandboxNetwork;
  /** The proxied modes' kill switch (a no-op otherwise). */
  cut(reason: string): void;
  /** Stops the proxy and removes the run's directory; safe to call twice. */
  close(): Promise<void>;
  report(bridgeCut?: NetworkCut): NetworkReport;
}

const REPORTED_CONNECTIONS = 1000;

export async function networkStage(input: NetworkStageInput): Promise<NetworkStageOutput> {
  const { mode } = input;
  if (mode === 'none' || mode === 'open') {
    return {
      sandboxNetwork: { mode },
      cut: () => undefined,
      close: async () => undefined,
      report: (bridgeCut) => ({ mode, allow: [], connections: [], denied: [], cut: bridgeCut ?? null }),
    };
  }
  const [{ createRunDir }, { startEgressProxy }, { formatAllowRule, parseAllowRule }] = await Promise.all([
    import('../../network/run-dir.js'),
    import('../../network/egress-proxy.js'),
    import('../../network/allow-rules.js'),
  ]);
  const allow: AllowRule[] =
    mode === 'allowlist'
      ? [...input.egress.allow.map((text) => (parseAllowRule(text) as { ok: true; rule: AllowRule }).rule), ...input.allowHosts]
      : [];
  const dir = createRunDir(input.runId, input.sandboxUid, input.sandboxGid);
  let proxy: EgressProxy;
  try {
    proxy = await startEgressProxy({
      socketPath: dir.socketPath,
      allow,
      maxUploadBytes: input.egress.maxUploadBytes,
      ...(mode === 'allowlist' && input.ask ? { ask: input.ask } : {}),
      ...(input.canaries ? { canaries: input.canaries } : {}),
      clock: input.clock,
      ...(input.onConnection ? { onConnection: input.onConnection } : {}),
      ...(input.onCut ? { onCut: input.onCut } : {}),
    });
  } catch (error) {
    dir.remove();
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    sandboxNetwork: { mode: 'proxy', hostDir: dir.path },
    cut: (reason) => proxy.cut(reason),
    close: () =>
      (closing ??= proxy
        .close()
        .catch(() => undefined)
        .finally(() => dir.remove())),
    report: () => ({
      mode,
      allow: allow.map(formatAllowRule),
      connections: proxy
        .connections()
        .slice(0, REPORTED_CONNECTIONS)
        .map(({ atMs, host, port, address, allowed, reason, bytesUp, bytesDown, durationMs }) => ({ atMs, host, port, address, allowed, reason, bytesUp, bytesDown, durationMs })),
      denied: proxy.denied(),
      cut: proxy.cutInfo(),
    }),
  };
}
