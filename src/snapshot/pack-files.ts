/**
 * Reads, hashes and appends files to one pack file, synchronously, as they are handed over: both
 * the main thread and the snapshot's pack thread use one while the tree is still being listed.
 * Synchronous calls and one reused buffer: thousands of small files cost least this way.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, writeSync } from 'node:fs';

export interface PackedOutput {
  hashes: string[];
  entries: [string, number, number][];
  bytes: number;
  error?: { path: string; code: string };
}

/** Files above this are read in chunks of this size instead of whole. */
const CHUNK = 8 * 1024 * 1024;

export class SyncPack {
  private readonly seen: Set<string>;
  private readonly hashes: string[] = [];
  private readonly entries: [string, number, number][] = [];
  private offset = 0;
  private out: number | undefined;
  private failure: PackedOutput['error'];
  /** Reused between files: each is hashed and written before the next is read. */
  private scratch = Buffer.allocUnsafe(1024 * 1024);

  constructor(
    private readonly packTemp: string,
    known: Iterable<string>,
  ) {
    this.seen = new Set(known);
  }

  /** The first file that could not be read; after it, files handed over are ignored. */
  get error(): PackedOutput['error'] {
    return this.failure;
  }

  /** Every hash stored or known: a thread started later is given these. */
  get known(): Iterable<string> {
    return this.seen;
  }

  /** Adds files in order (their hashes come back in that order from finish()). */
  add(files: { absolute: string; size: number }[]): void {
    for (const file of files) {
      if (this.failure) return;
      try {
        if (file.size > CHUNK) this.addLarge(file);
        else this.store(this.read(file));
      } catch (error) {
        this.failure = { path: file.absolute, code: (error as NodeJS.ErrnoException).code ?? String(error) };
      }
    }
  }

  private store(data: Buffer): void {
    const hash = createHash('sha256').update(data).digest('hex');
    this.hashes.push(hash);
    if (this.seen.has(hash)) return;
    this.seen.add(hash);
    this.write(data, this.offset);
    this.entries.push([hash, this.offset, data.length]);
    this.offset += data.length;
  }

  /** Large files in chunks: hashed in a first pass, copied in a second only when new. */
  private addLarge(file: { absolute: string; size: number }): void {
    const fd = openSync(file.absolute, 'r');
    try {
      if (this.scratch.length < CHUNK) this.scratch = Buffer.allocUnsafe(CHUNK);
      const chunkAt = (position: number, limit: number): Buffer => this.scratch.subarray(0, readSync(fd, this.scratch, 0, Math.min(CHUNK, limit), position));
      const hasher = createHash('sha256');
      let length = 0;
      for (let chunk = chunkAt(0, CHUNK); chunk.length > 0; chunk = chunkAt(length, CHUNK)) {
        hasher.update(chunk);
        length += chunk.length;
      }
      const hash = hasher.digest('hex');
      this.hashes.push(hash);
      if (this.seen.has(hash)) return;
      // copy what was hashed, no more (the file may have grown meanwhile)
      let copied = 0;
      for (let chunk = chunkAt(0, length); chunk.length > 0 && copied < length; chunk = chunkAt(copied, length - copied)) {
        this.write(chunk, this.offset + copied);
        copied += chunk.length;
      }
      this.seen.add(hash);
      this.entries.push([hash, this.offset, copied]);
      this.offset += copied;
    } finally {
      closeSync(fd);
    }
  }

  private write(data: Buffer, position: number): void {
    this.out ??= openSync(this.packTemp, 'w', 0o600);
    let written = 0;
    while (written < data.length) written += writeSync(this.out, data, written, data.length - written, position + written);
  }

  finish(): PackedOutput {
    if (this.out !== undefined) closeSync(this.out);
    this.out = undefined;
    return { hashes: this.hashes, entries: this.entries, bytes: this.offset, ...(this.failure ? { error: this.failure } : {}) };
  }

  private read(file: { absolute: string; size: number }): Buffer {
    const fd = openSync(file.absolute, 'r');
    try {
      if (this.scratch.length < file.size) this.scratch = Buffer.allocUnsafe(Math.max(file.size, this.scratch.length * 2));
      let length = 0;
      while (length < file.size) {
        const n = readSync(fd, this.scratch, length, file.size - length, null);
        if (n === 0) break;
        length += n;
      }
      return this.scratch.subarray(0, length);
    } finally {
      closeSync(fd);
    }
  }
}
