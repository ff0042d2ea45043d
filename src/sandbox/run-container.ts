/**
 * Runs one container to completion: create → attach → start → wait → inspect → remove.
 * The container is removed on every path.
 */
import type { Duplex, Readable, Writable } from 'node:stream';
import type { ContainerCreateOptions } from 'dockerode';
import { SaferunError } from '../errors.js';
import { demuxStream } from './demux.js';
import { EngineApiError, type EngineApi } from './engine-api.js';
import { buildCreateOptions, dockerNetworkMode, type SandboxSpec } from './host-config.js';
import type { ContainerMonitor, MonitorSummary } from './monitor/monitor.js';
import type { DecoyWatch } from './decoys/watch-decoys.js';
import { measureRoots, watchOutputBudget, type OutputBudgetWatch } from './output-budget.js';
import type { ExitReason, SandboxEvent, TimelinePoint } from '../run-record/types.js';
import { adaptForPodman } from './podman.js';
import { ENGINE_BACK_WAIT_MS, engineStopping, isEngineGone, removeWhenEngineAnswers } from './engine-gone.js';

export type { ExitReason, SandboxEvent } from '../run-record/types.js';

export interface SandboxIo {
  stdin: Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  stdout: Writable & { columns?: number; rows?: number };
  stderr: Writable;
  /** While `take` is set, it sees our stdin first; what it takes does not reach the program (a prompt's answer). */
  stdinTap?: { take?: (chunk: Buffer) => boolean };
}

export interface SandboxOutcome {
  exitCode: number | null;
  reason: ExitReason;
  durationMs: number;
  containerId?: string;
  /** The runtime the engine ran the container with (read back by inspect). */
  runtime?: string;
  events: SandboxEvent[];
  /** What the monitor saw (when the spec asked for monitoring). */
  monitor?: MonitorSummary;
}

export interface SandboxHooks {
  /** Called when the image is missing; builds it, then the create is retried once. */
  onImageMissing?: () => Promise<void>;
  onEvent?: (event: SandboxEvent) => void;
  /** Awaited after the container is created and attached, before it starts (work that can overlap creation). */
  beforeStart?: () => Promise<void>;
  /** Aborting kills and removes the container; the outcome's reason is 'killed'. */
  signal?: AbortSignal;
  /** The proxied modes' kill switch: close every tunnel and refuse new ones. */
  cutEgress?: (reason: string) => void;
  /** performance.now() at the run's start, so that event times share the proxy log's origin. */
  startedAt?: number;
  /** Each monitor sample (monitored runs only). */
  onSample?: (point: TimelinePoint) => void;
  /** Once the program runs under the monitor: its cut function, for requests from outside (`saferun top`). */
  onMonitorStarted?: (control: { cutNetwork: (reason: string) => Promise<'cut' | 'already-cut' | 'no-network'> }) => void;
}

const OUTPUT_DRAIN_MS = 2000;
/** The longest delay a Node timer holds; a longer one fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

function isNoSuchImage(error: unknown): boolean {
  return error instanceof EngineApiError && error.statusCode === 404 && /no such image|not found/i.test(error.message);
}

/**
 * The run's one kill switch for the network, whatever the mode: the proxied modes close every
 * tunnel and refuse new ones (cutEgress); the open bridge is disconnected; none has nothing to cut.
 */
function networkCutter(engine: EngineApi, spec: SandboxSpec, containerId: string, hooks: SandboxHooks): ((reason: string) => Promise<void>) | undefined {
  switch (spec.network.mode) {
    case 'none':
      return undefined;
    case 'proxy':
      return async (reason) => hooks.cutEgress?.(reason);
    case 'open':
      return () => engine.disconnectNetwork(dockerNetworkMode(spec.network), containerId);
  }
}

export async function runSandbox(engine: EngineApi, spec: SandboxSpec, io: SandboxIo, hooks: SandboxHooks = {}): Promise<SandboxOutcome> {
  const t0 = hooks.startedAt ?? performance.now();
  const events: SandboxEvent[] = [];
  const note = (type: string, detail?: string): void => {
    const event: SandboxEvent = { atMs: Math.round(performance.now() - t0), type, ...(detail === undefined ? {} : { detail }) };
    events.push(event);
    hooks.onEvent?.(event);
  };
  const dockerOptions = buildCreateOptions(spec);
  const createOptions = engine.kind === 'podman' ? adaptForPodman(dockerOptions) : dockerOptions;
  if (!(spec.limits.timeoutMs > 0 && spec.limits.timeoutMs <= MAX_TIMER_MS)) throw new SaferunError(`timeout ${spec.limits.timeoutMs} ms is out of range`);
  let containerId: string | undefined;
  let reason: ExitReason = 'exited';
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  let restoreTty: (() => void) | undefined;
  let monitor: ContainerMonitor | undefined;
  let monitorSummary: MonitorSummary | undefined;
  let decoyWatch: DecoyWatch | undefined;
  let budgetWatch: OutputBudgetWatch | undefined;
  let engineGone = false;
  try {
    if (hooks.signal?.aborted) return { exitCode: null, reason: 'killed', durationMs: 0, events };
    // The monitor (and the decoys' watcher) load while the engine creates the container.
    const monitorModule = spec.monitor ? loadMonitor() : undefined;
    const decoyModule = spec.monitor && spec.decoys?.length ? loadDecoyWatcher() : undefined;
    // What the writable dirs hold before the program starts (measured while the rest gets ready).
    const budget = spec.outputBudget;
    const baseline = budget ? measureRoots(budget.roots) : undefined;
    baseline?.catch(() => undefined);
    const id = await createContainer(engine, createOptions, hooks);
    containerId = id;
    note('container-created', id.slice(0, 12));

    const stream = await engine.attach(id);
    const outputDone = new Promise<void>((resolve) => {
      stream.once('end', resolve);
      stream.once('close', resolve);
      stream.once('error', () => resolve());
    });
    if (spec.tty) stream.pipe(io.stdout);
    else demuxStream(stream, io.stdout, io.stderr);

    const kill = (why: ExitReason): void => {
      if (reason !== 'exited') return;
      reason = why;
      note(why === 'timeout' ? 'timeout' : 'kill-requested', why);
      engine.kill(id).catch(() => undefined);
    };
    onAbort = () => kill('killed');
    hooks.signal?.addEventListener('abort', onAbort, { once: true });

    if (hooks.beforeStart) await untilAborted(hooks.beforeStart(), hooks.signal);
    // The monitor exists before the program starts, so that a decoy read at its first instant counts.
    if (!hooks.signal?.aborted && monitorModule) monitor = createMonitor(await monitorModule, engine, spec, id, networkCutter(engine, spec, id, hooks), () => Math.round(performance.now() - t0), note, hooks.onSample);
    if (!hooks.signal?.aborted && monitor && decoyModule) decoyWatch = await watchRunDecoys(decoyModule, spec, monitor, note);
    // The last moment to stop before the program runs: an abort at any time until here means it never starts.
    if (hooks.signal?.aborted) {
      reason = 'killed';
      note('interrupted-before-start');
      return { exitCode: null, reason, durationMs: Math.round(performance.now() - t0), containerId: id, events };
    }
    const waited = engine.wait(id);
    waited.catch(() => undefined);
    await startOrCleanUp(engine, id, spec);
    note('started');
    // An abort while the engine was starting it found nothing to kill yet.
    if (hooks.signal?.aborted) engine.kill(id).catch(() => undefined);
    const baselineBytes = (await baseline) ?? 0;
    if (budget) {
      budgetWatch = watchOutputBudget(budget.roots, baselineBytes, budget.bytes, (grownBy) => {
        if (reason === 'exited') note('output-limit', outputLimitDetail(grownBy, budget.bytes));
        kill('output-limit');
      });
    }
    // A plain host timer: no sample of the monitor can delay it (its reads never block the event loop).
    timer = setTimeout(() => kill('timeout'), spec.limits.timeoutMs);
    restoreTty = forwardStdin(io, stream, spec.tty, (rows, columns) => engine.resize(id, rows, columns));
    monitor?.start();
    if (monitor) {
      const started = monitor;
      hooks.onMonitorStarted?.({ cutNetwork: (why) => started.cutOnRequest(why) });
    }

    const { StatusCode } = await waited;
    clearTimeout(timer);
    decoyWatch?.stop();
    budgetWatch?.stop();
    // A program that wrote past the budget and exited before the next check is caught here.
    if (budget && reason === 'exited') {
      const grownBy = (await measureRoots(budget.roots)) - baselineBytes;
      if (grownBy > budget.bytes) {
        reason = 'output-limit';
        note('output-limit', outputLimitDetail(grownBy, budget.bytes));
      }
    }
    monitorSummary = await monitor?.stop();
    monitor = undefined;
    await drained(outputDone, OUTPUT_DRAIN_MS);
    // A stopping engine (dockerd restarted) first stops its containers: the program "exits" by
    // SIGTERM or SIGKILL, then the engine goes. Tell that apart from the program's own death.
    if (reason === 'exited' && (StatusCode === 143 || StatusCode === 137) && (await engineStopping(engine))) {
      throw Object.assign(new Error('the engine stopped while the program ran'), { code: 'ECONNREFUSED' });
    }
    const inspected = await engine.inspect(id);
    const state = inspected.State;
    const runtime = await usedRuntime(engine, id, (inspected.HostConfig as { Runtime?: string } | undefined)?.Runtime);
    if (reason === 'exited' && state.OOMKilled) {
      reason = 'oom';
      note('oom', 'the memory limit was reached and the kernel killed the program');
    }
    note('exited', String(StatusCode));
    return { exitCode: StatusCode, reason, durationMs: Math.round(performance.now() - t0), containerId: id, ...(runtime ? { runtime } : {}), events, ...(monitorSummary ? { monitor: monitorSummary } : {}) };
  } catch (error) {
    if (error instanceof SaferunError) throw error;
    if (isEngineGone(error)) {
      engineGone = true;
      throw new SaferunError(
        `the Docker engine went away during the run (${(error as { code?: string }).code ?? 'connection lost'}): it was stopped or restarted, and the program was stopped with it`,
        { cause: error, partial: { events } },
      );
    }
    throw new SaferunError(`the sandbox failed: ${dockerMessage(error)}`, { cause: error, partial: { events } });
  } finally {
    clearTimeout(timer);
    decoyWatch?.stop();
    budgetWatch?.stop();
    await monitor?.stop();
    restoreTty?.();
    if (onAbort) hooks.signal?.removeEventListener('abort', onAbort);
    // After the engine went away, wait for it to come back to remove what this run created.
    const removed = await removeWhenEngineAnswers(engine, containerId, undefined, engineGone ? ENGINE_BACK_WAIT_MS : 0);
    if (containerId) note(removed ? 'removed' : 'not-removed', removed ? undefined : 'the engine did not answer; the next saferun run removes it');
  }
}

/**
 * A failed start under runsc leaves the containerd task, its shim and runsc's sandbox and gofer
 * behind even after the engine removed the container (dockerd 20.10). Remove the container, then
 * those leftovers; what could not be removed is named in the error.
 */
async function startOrCleanUp(engine: EngineApi, id: string, spec: SandboxSpec): Promise<void> {
  try {
    await engine.start(id);
  } catch (error) {
    await engine.remove(id).catch(() => undefined);
    const { removeRuntimeLeftovers } = await import('./runtime-leftovers.js');
    const left = await removeRuntimeLeftovers(id);
    const runtime = spec.runtime ? ` under runtime ${spec.runtime.name}` : '';
    const leftover = left.length > 0 ? `; processes left behind that saferun could not stop: ${left.join(', ')}` : '';
    throw new SaferunError(`the sandbox did not start${runtime}: ${dockerMessage(error)}${leftover}`, { cause: error });
  }
}

/** Podman's compat inspect says 'oci' for any runtime: its own inspect says which. */
async function usedRuntime(engine: EngineApi, id: string, inspected: string | undefined): Promise<string | undefined> {
  if (inspected && inspected !== 'oci') return inspected;
  if (engine.kind === 'podman') return engine.podmanRuntime(id).catch(() => undefined);
  return undefined;
}

type MonitorModule = typeof import('./monitor/monitor.js');

function loadMonitor(): Promise<MonitorModule> {
  const loading = import('./monitor/monitor.js');
  loading.catch(() => undefined);
  return loading;
}

type DecoyWatcherModule = typeof import('./decoys/watch-decoys.js');

/** The watcher module and its FFI binding (the slow part), loaded while the container is created. */
function loadDecoyWatcher(): Promise<DecoyWatcherModule> {
  const loading = import('./decoys/watch-decoys.js').then(async (module) => {
    await module.loadInotify();
    return module;
  });
  loading.catch(() => undefined);
  return loading;
}

/** Every decoy read goes to the monitor (a critical alert that cuts); without inotify the run goes on, with a warning event. */
async function watchRunDecoys(loading: Promise<DecoyWatcherModule>, spec: SandboxSpec, monitor: ContainerMonitor, note: (type: string, detail?: string) => void): Promise<DecoyWatch | undefined> {
  try {
    const { watchDecoys } = await loading;
    return await watchDecoys(spec.decoys ?? [], ({ decoy }) => {
      note('decoy-read', `${decoy.name} ${decoy.containerPath}`);
      monitor.decoyRead(decoy);
    }, { readsOnly: spec.runtime?.gvisor === true });
  } catch (error) {
    note('decoys-unwatched', error instanceof Error ? error.message : String(error));
    return undefined;
  }
}

/** Loaded only for monitored runs; alerts and the cut become events as they happen. Sampling begins with start(). */
function createMonitor(
  { ContainerMonitor }: MonitorModule,
  engine: EngineApi,
  spec: SandboxSpec,
  containerId: string,
  cut: ((reason: string) => Promise<void>) | undefined,
  clock: () => number,
  note: (type: string, detail?: string) => void,
  onSample: ((point: TimelinePoint) => void) | undefined,
): ContainerMonitor {
  const monitor = new ContainerMonitor({
    engine,
    containerId,
    cut,
    cutNetwork: spec.monitor!.cutNetwork,
    limits: { cpus: spec.limits.nanoCpus / 1e9, memoryBytes: spec.limits.memoryBytes, pids: spec.limits.pids },
    ownKernel: spec.runtime?.gvisor === true,
    clock,
    onAlert: (alert) => note('alert', `${alert.severity} ${alert.kind}: ${alert.detail}`),
    onNetworkCut: (reason) => note('network-cut', reason),
    ...(spec.decoys ? { decoys: spec.decoys } : {}),
    ...(onSample ? { onSample } : {}),
  });
  return monitor;
}

function outputLimitDetail(grownBy: number, budget: number): string {
  const mib = (n: number): string => `${Math.round(n / 1024 ** 2)} MiB`;
  return `the writable dirs grew by ${mib(grownBy)}, over the output budget of ${mib(budget)}`;
}

/** Waits for `work`, or for `signal` to abort, whichever comes first (the work is then abandoned). */
async function untilAborted(work: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  work.catch(() => undefined);
  if (!signal) return work;
  if (signal.aborted) return;
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<void>((resolve) => {
    onAbort = resolve;
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([work, aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort!);
  }
}

/** Waits for the output to finish, at most `ms`; the timer never outlives the wait. */
async function drained(done: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([done, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

async function createContainer(engine: EngineApi, options: ContainerCreateOptions, hooks: SandboxHooks): Promise<string> {
  try {
    return await engine.createContainer(options);
  } catch (error) {
    if (!isNoSuchImage(error) || !hooks.onImageMissing) throw error;
    await hooks.onImageMissing();
    return engine.createContainer(options);
  }
}

/** Pipes our stdin into the container; EOF on ours closes theirs. In TTY mode the terminal goes raw. */
function forwardStdin(io: SandboxIo, stream: Duplex, tty: boolean, resizeTo: (rows: number, columns: number) => Promise<void>): () => void {
  const { stdin } = io;
  let restore = (): void => undefined;
  if (tty && stdin.isTTY && stdin.setRawMode) {
    stdin.setRawMode(true);
    const resize = (): void => {
      const { columns, rows } = io.stdout;
      if (columns && rows) resizeTo(rows, columns).catch(() => undefined);
    };
    resize();
    process.stdout.on('resize', resize);
    restore = () => {
      stdin.setRawMode?.(false);
      process.stdout.off('resize', resize);
    };
  }
  const onData = (chunk: Buffer): void => {
    if (io.stdinTap?.take?.(chunk)) return;
    stream.write(chunk);
  };
  const onEnd = (): void => {
    stream.end();
  };
  stdin.on('data', onData);
  stdin.once('end', onEnd);
  stdin.resume();
  const previous = restore;
  return () => {
    previous();
    stdin.off('data', onData);
    stdin.off('end', onEnd);
    stdin.pause();
    if (typeof (stdin as { unref?: () => void }).unref === 'function') (stdin as unknown as { unref: () => void }).unref();
  };
}

export function dockerMessage(error: unknown): string {
  const e = error as { json?: { message?: string }; reason?: string; message?: string };
  return e.json?.message ?? e.message ?? String(error);
}
