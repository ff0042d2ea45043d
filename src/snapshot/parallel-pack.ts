/**
 * Large amounts of new content are read, hashed and packed on two threads at once, each into its
 * own pack: a worker thread and this one. The worker is started before the tree is listed, so its
 * start-up overlaps the listing; files are shared out by size parity, so identical contents meet
 * on one thread and are stored once.
 */
import { rmSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { packFiles, type PackWorkerInput, type PackWorkerOutput } from './pack-files.js';
import type { PackIndex, SnapshotStore } from './store.js';
import type { TreeEntry } from './walk-tree.js';

export interface PackedFile {
  file: TreeEntry;
  hash: string;
}

export class PackWorkers {
  private readonly workers: Worker[];
  private readonly outputs: Promise<PackWorkerOutput>[];

  /** `count` worker threads besides this one. */
  constructor(count = 1) {
    this.workers = Array.from({ length: count }, () => new Worker(new URL('./pack-worker.js', import.meta.url)));
    this.outputs = this.workers.map(
      (worker) =>
        new Promise<PackWorkerOutput>((resolve, reject) => {
          worker.once('message', resolve);
          worker.once('error', reject);
          worker.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`snapshot worker exited with ${code}`))));
        }),
    );
    // an unused or failed worker must not be an unhandled rejection
    for (const output of this.outputs) output.catch(() => undefined);
  }

  /** Stops threads that were started but not needed (e.g. nothing new to store). */
  async cancel(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }

  /**
   * Stores the files' content in new packs named `<id>-<n>`. Returns each file's hash and the bytes
   * added; a file that cannot be read fails the whole snapshot (with that file's path).
   */
  async store(store: SnapshotStore, id: string, files: TreeEntry[], index: PackIndex): Promise<{ packed: PackedFile[]; bytes: number } | { unreadable: { path: string; code: string } }> {
    const threads = this.workers.length + 1;
    const shares = Array.from({ length: threads }, (_, i) => files.filter((f) => f.size % threads === i));
    const temps = shares.map(() => store.tempPath());
    const known = [...index.keys()];
    const input = (i: number): PackWorkerInput => ({ files: shares[i]!.map((f) => ({ absolute: f.absolute, size: f.size })), known, packTemp: temps[i]! });
    try {
      this.workers.forEach((worker, i) => worker.postMessage(input(i + 1)));
      const own = packFiles(input(0));
      const outputs = [own, ...(await Promise.all(this.outputs))];
      const failed = outputs.find((output) => output.error);
      if (failed?.error) return { unreadable: failed.error };
      const packed: PackedFile[] = [];
      let bytes = 0;
      for (let i = 0; i < shares.length; i++) {
        const output = outputs[i]!;
        shares[i]!.forEach((file, k) => packed.push({ file, hash: output.hashes[k]! }));
        if (output.entries.length > 0) await store.commitPack(temps[i]!, `${id}-${i}`, output.entries);
        bytes += output.bytes;
      }
      return { packed, bytes };
    } finally {
      for (const temp of temps) rmSync(temp, { force: true });
      await this.cancel();
    }
  }
}
