/**
 * Stores a snapshot's new content while the tree is being listed: files are read, hashed and
 * appended to this snapshot's pack on this thread as they are found. When much new content is
 * expected — a root never snapshotted before, or past PARALLEL_THRESHOLD_BYTES — a pack thread is
 * started. Until it is up this thread stores everything (a small tree is done before then, and the
 * unused thread is not waited for); then the pack thread takes the files of odd size, told first
 * what is stored already (identical contents have identical sizes, so from then on they always meet
 * on one thread and are stored once). The store's index, which new content is deduplicated
 * against, is loaded only once there is new content: an unchanged tree never pays for it.
 */
import { rmSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { SaferunError } from '../errors.js';
import { displayName } from './file-names.js';
import { SyncPack, type PackedOutput } from './pack-files.js';
import type { PackThreadMessage } from './pack-worker.js';
import type { PackIndex, SnapshotStore } from './store.js';
import type { TreeEntry } from './walk-tree.js';

/** Below this much new content a pack thread costs more than it saves. */
const PARALLEL_THRESHOLD_BYTES = 32 * 1024 * 1024;
const BATCH = 64;

export interface PackedFile {
  file: TreeEntry;
  hash: string;
  /** The pack holding the content (this snapshot's, or an older one for content already stored). */
  pack: string;
}

function readError(file: { absolute: string }, error: unknown): SaferunError {
  return new SaferunError(`snapshot: cannot read ${displayName(file.absolute)} (${(error as NodeJS.ErrnoException).code ?? String(error)}); fix its permissions or exclude it (your ~/.config/saferun/snapshotignore, or .saferunignore in a working dir mounted read-only)`, { cause: error });
}

class PackThread {
  readonly temp: string;
  readonly files: TreeEntry[] = [];
  private batch: { absolute: string; size: number }[] = [];
  /** Set to 1 by the thread once it listens: files handed over before then would only wait. */
  private readonly up = new Int32Array(new SharedArrayBuffer(4));
  private readonly worker: Worker;
  private readonly output: Promise<PackedOutput>;

  /** `storedHere`: what the other thread has stored by the time this one is handed its first file. */
  constructor(
    store: SnapshotStore,
    private readonly storedHere: () => Iterable<string>,
  ) {
    this.temp = store.tempPath();
    this.worker = new Worker(new URL('./pack-worker.js', import.meta.url));
    this.output = new Promise((resolve, reject) => {
      this.worker.once('message', resolve);
      this.worker.once('error', reject);
      this.worker.once('exit', (code) => reject(new Error(`snapshot pack thread exited with ${code}`)));
    });
    this.output.catch(() => undefined); // a discarded thread must not be an unhandled rejection
    this.post({ init: { packTemp: this.temp, up: this.up } });
  }

  get ready(): boolean {
    return Atomics.load(this.up, 0) === 1;
  }

  add(file: TreeEntry): void {
    if (this.files.length === 0) this.post({ known: [...this.storedHere()] });
    this.files.push(file);
    this.batch.push({ absolute: file.absolute, size: file.size });
    if (this.batch.length >= BATCH) this.flush();
  }

  async finish(): Promise<PackedOutput> {
    this.flush();
    this.post({ done: true });
    const output = await this.output;
    await this.worker.terminate();
    return output;
  }

  async discard(): Promise<void> {
    await this.worker.terminate();
    rmSync(this.temp, { force: true });
  }

  private flush(): void {
    if (this.batch.length === 0) return;
    this.post({ files: this.batch });
    this.batch = [];
  }

  private post(message: PackThreadMessage): void {
    this.worker.postMessage(message);
  }
}

export class ContentPacker {
  private syncPack: SyncPack | undefined;
  private index: PackIndex | undefined;
  private readonly packTemp: string;
  /** Files stored by this thread, in the order handed to its pack. */
  private readonly own: TreeEntry[] = [];
  private thread: PackThread | undefined;
  private newBytes = 0;

  constructor(
    private readonly store: SnapshotStore,
    private readonly options: { parallel: boolean; expectMuch: boolean },
  ) {
    this.packTemp = store.tempPath();
    if (options.parallel && options.expectMuch) this.startThread();
  }

  /** This thread's pack, made (and the store's index loaded) when first needed. */
  private get pack(): SyncPack {
    this.index ??= this.store.loadIndex();
    return (this.syncPack ??= new SyncPack(this.packTemp, this.index.keys()));
  }

  /** Stores one file's content (or hands it to the pack thread); throws if it cannot be read. */
  add(file: TreeEntry): void {
    this.newBytes += file.size;
    if (!this.thread && this.options.parallel && this.newBytes >= PARALLEL_THRESHOLD_BYTES) this.startThread();
    // once up, the pack thread takes the files of odd size (equal contents have equal sizes, so they meet)
    if (this.thread?.ready && file.size % 2 === 1) return this.thread.add(file);
    this.own.push(file);
    this.pack.add([file]);
    const error = this.pack.error;
    if (error) throw readError({ absolute: error.path }, { code: error.code });
  }

  /** Publishes the packs (`<id>` and `<id>-1`); returns every file's hash and the bytes added. */
  async finish(id: string): Promise<{ packed: PackedFile[]; bytes: number }> {
    if (this.thread?.files.length === 0) await this.dropThread();
    if (!this.syncPack && !this.thread) return { packed: [], bytes: 0 }; // nothing new
    const mine = this.pack.finish();
    const stored = new Map<string, string>(mine.entries.map(([hash]) => [hash, id]));
    /** Each thread's files with their hashes, in the order each was handed over. */
    const handed = [{ files: this.own, hashes: mine.hashes }];
    let bytes = mine.bytes;
    if (this.thread) {
      const thread = this.thread;
      const output = await thread.finish();
      if (output.error) throw readError({ absolute: output.error.path }, { code: output.error.code });
      for (const [hash] of output.entries) stored.set(hash, `${id}-1`);
      handed.push({ files: thread.files, hashes: output.hashes });
      if (output.entries.length > 0) await this.store.commitPack(thread.temp, `${id}-1`, output.entries);
      bytes += output.bytes;
      rmSync(thread.temp, { force: true });
      this.thread = undefined;
    }
    if (mine.entries.length > 0) await this.store.commitPack(this.packTemp, id, mine.entries);
    // content not stored now was already in the store (the index was loaded to know it)
    const packOf = (hash: string): string => stored.get(hash) ?? this.index?.get(hash)?.pack ?? '';
    const packed: PackedFile[] = handed.flatMap(({ files, hashes }) => files.map((file, i) => ({ file, hash: hashes[i]!, pack: packOf(hashes[i]!) })));
    return { packed, bytes };
  }

  async discard(): Promise<void> {
    this.syncPack?.finish();
    rmSync(this.packTemp, { force: true });
    await this.dropThread();
  }

  private async dropThread(): Promise<void> {
    await this.thread?.discard();
    this.thread = undefined;
  }

  private startThread(): void {
    // what this thread has stored by then is known to the new one, so it is not stored twice
    this.thread = new PackThread(this.store, () => this.pack.known);
  }
}
