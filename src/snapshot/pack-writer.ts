/**
 * Appends object contents to a new pack file (temp name until committed). Writes are positional
 * and go to the thread pool, so they overlap the reading and hashing on the main thread.
 */
import { close, closeSync, openSync, rmSync, write } from 'node:fs';
import type { SnapshotStore } from './store.js';

export class PackWriter {
  private fd: number | undefined;
  private readonly temp: string;
  private offset = 0;
  private readonly pending: Promise<void>[] = [];
  readonly entries: [string, number, number][] = [];

  constructor(private readonly store: SnapshotStore) {
    this.temp = store.tempPath();
  }

  get bytesWritten(): number {
    return this.offset;
  }

  append(hash: string, data: Uint8Array): void {
    this.fd ??= openSync(this.temp, 'w', 0o600);
    const fd = this.fd;
    const at = this.offset;
    this.pending.push(writeAll(fd, data, at));
    this.entries.push([hash, at, data.length]);
    this.offset += data.length;
  }

  /** Publishes the pack under `packId`; nothing to publish when no new content was appended. */
  async commit(packId: string): Promise<void> {
    if (this.fd === undefined) return;
    await Promise.all(this.pending);
    const fd = this.fd;
    this.fd = undefined;
    await new Promise<void>((resolve, reject) => close(fd, (error) => (error ? reject(error) : resolve())));
    await this.store.commitPack(this.temp, packId, this.entries);
  }

  discard(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    rmSync(this.temp, { force: true });
  }
}

function writeAll(fd: number, data: Uint8Array, position: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const step = (done: number): void => {
      if (done >= data.length) return resolve();
      write(fd, data, done, data.length - done, position + done, (error, written) => (error ? reject(error) : step(done + written)));
    };
    step(0);
  });
}
