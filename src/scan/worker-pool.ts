/**
 * Analyses sources on worker threads, one analyser per core. A worker stuck on one file past the
 * budget is terminated and replaced, and that file is reported as skipped.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { SourceAnalysis } from './engine/analyzer.js';
import type { WorkerTask } from './worker.js';

export type PoolResult = { analysis: SourceAnalysis } | { timedOut: true };

interface Slot {
  worker: Worker;
  ready: Promise<void>;
  busy?: { id: number; resolve: (result: PoolResult) => void; timer: NodeJS.Timeout };
}

export class AnalyzerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: { task: WorkerTask; resolve: (result: PoolResult) => void }[] = [];
  private nextId = 0;

  constructor(
    size = Math.max(1, os.availableParallelism()),
    private readonly budgetMs = 20_000,
  ) {
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    const worker = new Worker(new URL('./worker.js', import.meta.url));
    let markReady: () => void = () => undefined;
    const slot: Slot = { worker, ready: new Promise((resolve) => (markReady = resolve)) };
    worker.on('message', (message: { ready?: boolean; id?: number } & SourceAnalysis) => {
      if (message.ready) {
        markReady();
        this.pump();
        return;
      }
      const busy = slot.busy;
      if (!busy || busy.id !== message.id) return;
      clearTimeout(busy.timer);
      slot.busy = undefined;
      busy.resolve({ analysis: { findings: message.findings, parseErrors: message.parseErrors } });
      this.pump();
    });
    worker.on('error', () => this.replace(slot, true));
    return slot;
  }

  private replace(slot: Slot, failed: boolean): void {
    const busy = slot.busy;
    slot.busy = undefined;
    if (busy) {
      clearTimeout(busy.timer);
      busy.resolve(failed ? { analysis: { findings: [], parseErrors: [{ line: 1, column: 1, message: 'the analyser crashed on this file' }] } } : { timedOut: true });
    }
    void slot.worker.terminate();
    const index = this.slots.indexOf(slot);
    if (index !== -1) this.slots[index] = this.spawn();
  }

  analyze(displayPath: string, bytes: Uint8Array): Promise<PoolResult> {
    return new Promise((resolve) => {
      this.queue.push({ task: { id: this.nextId++, displayPath, bytes }, resolve });
      this.pump();
    });
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.busy) continue;
      void slot.ready.then(() => {
        if (slot.busy || this.queue.length === 0) return;
        const { task, resolve } = this.queue.shift()!;
        slot.busy = { id: task.id, resolve, timer: setTimeout(() => this.replace(slot, false), this.budgetMs) };
        slot.worker.postMessage(task);
      });
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }
}
