/** Run reports as a finished run writes them, for tests of the views that read them. */
import type { RunReport } from '../../src/report/run-report.js';
import type { TimelinePoint } from '../../src/run-record/types.js';

export function sampleReport(over: Partial<RunReport> = {}): RunReport {
  const timeline: TimelinePoint[] = Array.from({ length: 40 }, (_, i) => ({
    atMs: 1000 + i * 250,
    cpuPercent: i === 20 ? 180 : 20 + (i % 5),
    memoryBytes: (20 + i * 4) * 1024 ** 2,
    pids: 2 + (i > 10 ? 3 : 0),
    rxBytes: i * 1000,
    txBytes: i * 4000,
  }));
  return {
    version: 1,
    runId: 'a1b2c3d4e5f6',
    startedAt: '2026-12-04T10:00:00.000Z',
    reason: 'risk high: run under profile normal',
    command: 'python3 job.py',
    profile: 'normal',
    riskLevel: 'high',
    decision: 'ask-yes',
    exitCode: 0,
    exitReason: 'exited',
    durationMs: 12_345,
    findings: [
      { ruleId: 'network-download', title: 'download', severity: 'high', confidence: 'high', category: 'network', cwe: 'CWE-494', file: 'job.py', line: 3, column: 1, endLine: 3, snippet: 'urlopen(URL).read()', message: 'downloads code' },
    ],
    events: [
      { atMs: 900, type: 'started' },
      { atMs: 6000, type: 'alert', detail: 'high suspicious-port: a connection to 10.1.2.3:4444' },
      { atMs: 6100, type: 'network-cut', detail: 'suspicious-port: a connection to 10.1.2.3:4444' },
      { atMs: 11_000, type: 'exited', detail: '0' },
    ],
    sandbox: { image: 'saferun-python:test', runtime: 'runc', user: '1000:1000', capDrop: ['ALL'], readOnlyRootfs: true, networkMode: 'bridge', memoryBytes: 512 * 1024 ** 2, nanoCpus: 2e9, pidsLimit: 128 },
    snapshot: { id: '20261204100000000-001abcdef', files: 3, bytesAdded: 300, durationMs: 20 },
    network: {
      mode: 'allowlist',
      allow: ['pypi.org'],
      connections: [
        { atMs: 2000, host: 'pypi.org', port: 443, address: '10.9.9.9', allowed: true, reason: 'allowed', bytesUp: 800, bytesDown: 52_000, durationMs: 300 },
        { atMs: 5900, host: 'evil.example', port: 4444, address: '10.1.2.3', allowed: false, reason: 'not-allowed', bytesUp: 0, bytesDown: 0, durationMs: 0 },
      ],
      denied: ['evil.example:4444'],
      cut: { atMs: 6100, reason: 'suspicious-port' },
    },
    packages: [{ name: 'requests', version: '2.32.0', file: 'requests-2.32.0-py3-none-any.whl', sha256: 'ab'.repeat(32), riskLevel: 'low', findings: [] }],
    dependencies: { riskLevel: 'low', manifests: ['requirements.txt'], checked: 2, names: ['requests', 'numpy'], data: { pypiIndex: 'test', advisories: 'test' } },
    monitor: {
      source: 'proc',
      samples: 40,
      partialSamples: 0,
      peak: { cpuPercent: 180, memoryBytes: 176 * 1024 ** 2, processes: 5 },
      network: { rxBytes: 39_000, txBytes: 156_000, remotes: ['10.1.2.3:4444'] },
      processes: [{ pid: 1, comm: 'python3', cmdline: 'python3 job.py' }],
      alerts: [{ kind: 'suspicious-port', severity: 'high', detail: 'a connection to 10.1.2.3:4444', cut: true, atMs: 6000 }],
      networkCut: { atMs: 6100, reason: 'suspicious-port: a connection to 10.1.2.3:4444' },
      timeline,
    },
    ...over,
  };
}
