/**
 * pip runs in containers with the program's own hardening (non-root, no capabilities, read-only
 * root, limits), each with only the directories its step needs. Output is captured for messages.
 */
import { PassThrough, Readable } from 'node:stream';
import type { ResourceLimits } from '../config/profile.js';
import type { BindMount, SandboxNetwork, SandboxSpec } from '../sandbox/host-config.js';

type SandboxModule = typeof import('../sandbox/index.js');
type RunEngine = InstanceType<SandboxModule['EngineApi']>;

export interface ToolRun {
  runId: string;
  image: string;
  user: string;
  command: string[];
  mounts: BindMount[];
  network: SandboxNetwork;
  limits: ResourceLimits;
  env?: Record<string, string>;
  signal?: AbortSignal;
}

export interface ToolOutcome {
  exitCode: number | null;
  reason: string;
  output: string;
}

const MAX_CAPTURED = 256 * 1024;

export async function runToolContainer(sandbox: SandboxModule, engine: RunEngine, run: ToolRun): Promise<ToolOutcome> {
  let output = '';
  const capture = new PassThrough();
  capture.on('data', (chunk: Buffer) => {
    // keep the end: pip's conclusion is in its last lines
    output = (output + chunk.toString('utf8')).slice(-MAX_CAPTURED);
  });
  const spec: SandboxSpec = {
    runId: run.runId,
    ownerPid: process.pid,
    image: run.image,
    command: run.command,
    user: run.user,
    workdir: { hostPath: '', access: 'none' },
    containerCwd: '/tmp',
    mounts: run.mounts,
    env: { HOME: '/tmp', LANG: 'C.UTF-8', NO_PROXY: '', no_proxy: '', PIP_NO_INPUT: '1', PIP_DISABLE_PIP_VERSION_CHECK: '1', PYTHONDONTWRITEBYTECODE: '1', ...run.env },
    limits: run.limits,
    network: run.network,
    tty: false,
  };
  const outcome = await sandbox.runSandbox(engine, spec, { stdin: Readable.from([]), stdout: capture, stderr: capture }, run.signal ? { signal: run.signal } : {});
  return { exitCode: outcome.exitCode, reason: outcome.reason, output };
}
