/**
 * Analyses sources on worker threads, one analyser per core. Each worker has a few files in hand
 * so it never waits for the next message; a worker stuck on one file past the budget is terminated
 * and replaced, that file is reported as skipped and the others it held are handed out again.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { SourceAnalysis } from './engine/analyzer.js';
import type { WorkerTask } from './worker.js';

export type PoolResult = { analysis: SourceAnalysis } | { timedOut: true };

interface Pending {
  task: WorkerTask;
  resolve: (result: PoolResult) => void;
}

interface Slot {
  worker: Worker;
  /** The analyser has loaded: the budget timer runs only from then on. */
  ready: boolean;
  /** Sent and not answered yet, oldest first; the budget timer runs for the oldest. */
  inFlight: Pending[];
  timer?: NodeJS.Timeout;
}

/** Files handed to a worker ahead of its answers. */
const IN_FLIGHT = 8;

export class AnalyzerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 0;

  constructor(
    size = Math.max(1, os.availableParallelism()),
    private readonly budgetMs = 20_000,
  ) {
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    // a roomier young generation: parsing makes many short-lived objects
    const worker = new Worker(new URL('./worker.js', import.meta.url), { resourceLimits: { maxYoungGenerationSizeMb: 48 } });
    const slot: Slot = { worker, ready: false, inFlight: [] };
    worker.on('message', (message: { ready?: boolean; id?: number } & SourceAnalysis) => {
      if (message.ready) {
        slot.ready = true;
        return this.restartTimer(slot);
      }
      const head = slot.inFlight[0];
      if (!head || head.task.id !== message.id) return;
      slot.inFlight.shift();
      this.restartTimer(slot);
      head.resolve({ analysis: { findings: message.findings, parseErrors: message.parseErrors } });
      this.pump();
    });
    worker.on('error', () => this.replace(slot, true));
    return slot;
  }

  private restartTimer(slot: Slot): void {
    clearTimeout(slot.timer);
    slot.timer = slot.ready && slot.inFlight.length > 0 ? setTimeout(() => this.replace(slot, false), this.budgetMs) : undefined;
  }

  /** The oldest file failed (crash) or ran out of time; the rest go back to the queue. */
  private replace(slot: Slot, failed: boolean): void {
    clearTimeout(slot.timer);
    const [head, ...rest] = slot.inFlight;
    slot.inFlight = [];
    if (head) head.resolve(failed ? { analysis: { findings: [], parseErrors: [{ line: 1, column: 1, message: 'the analyser crashed on this file' }] } } : { timedOut: true });
    this.queue.unshift(...rest);
    void slot.worker.terminate();
    const index = this.slots.indexOf(slot);
    if (index !== -1) this.slots[index] = this.spawn();
    this.pump(); // what the old worker held goes to the new one
  }

  analyze(displayPath: string, bytes: Uint8Array): Promise<PoolResult> {
    return new Promise((resolve) => {
      // largest first: the threads finish together instead of one waiting on a big file at the end
      const pending = { task: { id: this.nextId++, displayPath, bytes }, resolve };
      let low = 0;
      let high = this.queue.length;
      while (low < high) {
        const middle = (low + high) >> 1;
        if (this.queue[middle]!.task.bytes.length >= bytes.length) low = middle + 1;
        else high = middle;
      }
      this.queue.splice(low, 0, pending);
      this.pump();
    });
  }

  private pump(): void {
    for (const slot of this.slots) {
      // a worker still loading keeps what it is sent until its analyser is ready
      while (slot.inFlight.length < IN_FLIGHT && this.queue.length > 0) {
        const pending = this.queue.shift()!;
        slot.inFlight.push(pending);
        slot.worker.postMessage(pending.task);
        if (slot.inFlight.length === 1) this.restartTimer(slot);
      }
    }
  }

  async close(): Promise<void> {
    for (const slot of this.slots) clearTimeout(slot.timer);
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }
}
