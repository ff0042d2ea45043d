/**
 * SIGINT, SIGTERM and SIGHUP during a run. Listening starts before anything else happens, so a
 * signal at any moment before the container starts means the program never runs: the stages
 * still under way are abandoned, whatever was created is removed, and saferun exits 128 + the
 * signal's number (130, 143, 129).
 */
import { SaferunError } from '../errors.js';

const SIGNAL_NUMBERS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;
export type RunSignal = keyof typeof SIGNAL_NUMBERS;
export const RUN_SIGNALS = Object.keys(SIGNAL_NUMBERS) as RunSignal[];

export function signalExitCode(signal: RunSignal): number {
  return 128 + SIGNAL_NUMBERS[signal];
}

/** Thrown when a signal arrives before the program started: nothing was run. */
export class InterruptedBeforeStart extends SaferunError {
  constructor(readonly signal: RunSignal) {
    super(`interrupted (${signal}) before the program started; nothing was run`, { exitCode: signalExitCode(signal) });
    this.name = 'InterruptedBeforeStart';
  }
}

export class RunInterrupts {
  private readonly controller = new AbortController();
  private received: RunSignal | undefined;
  private readonly listener = (signal: NodeJS.Signals): void => {
    this.received ??= signal as RunSignal;
    this.controller.abort();
  };
  /** Settles (never resolves) when the first signal arrives. */
  private readonly interrupted: Promise<never>;

  constructor() {
    for (const signal of RUN_SIGNALS) process.on(signal, this.listener);
    this.interrupted = new Promise<never>((_resolve, reject) => {
      this.controller.signal.addEventListener('abort', () => reject(new InterruptedBeforeStart(this.received ?? 'SIGINT')), { once: true });
    });
    this.interrupted.catch(() => undefined);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The first signal received, if any. */
  get by(): RunSignal | undefined {
    return this.received;
  }

  /** Throws InterruptedBeforeStart if a signal has arrived. */
  check(): void {
    if (this.received) throw new InterruptedBeforeStart(this.received);
  }

  /** `work`, unless a signal arrives first: then InterruptedBeforeStart (the work is abandoned). */
  async race<T>(work: Promise<T>): Promise<T> {
    this.check();
    work.catch(() => undefined);
    return Promise.race([work, this.interrupted]);
  }

  /** Acts as if `signal` had arrived (a stop asked by `saferun top`). */
  raise(signal: RunSignal): void {
    this.listener(signal);
  }

  /** Stops listening (the run is over). */
  dispose(): void {
    for (const signal of RUN_SIGNALS) process.off(signal, this.listener);
  }
}
