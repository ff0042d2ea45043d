/**
 * Reads, hashes and appends files to one pack file, synchronously, as they are handed over: both
 * the main thread and the snapshot's pack thread use one while the tree is still being listed.
 * Synchronous calls and reused buffers: thousands of small files cost least this way.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { fsPath } from './file-names.js';

export interface PackedOutput {
  hashes: string[];
  entries: [string, number, number][];
  bytes: number;
  error?: { path: string; code: string };
}

/** Files up to this size are read straight into the staging buffer, which is written out whole. */
const STAGING = 1024 * 1024;
/** Files above this are read in chunks of this size instead of whole. */
const CHUNK = 8 * 1024 * 1024;

export class SyncPack {
  private readonly seen: Set<string>;
  private readonly hashes: string[] = [];
  private readonly entries: [string, number, number][] = [];
  /** Bytes of the pack written to its file; staged bytes follow them. */
  private written = 0;
  private out: number | undefined;
  private failure: PackedOutput['error'];
  /**
   * Small files are read one after another into this buffer and hashed there; new content stays
   * and is written with its neighbours in one call once the buffer is full (content already stored
   * is simply overwritten by the next file). One write per megabyte instead of one per file, and
   * the bytes are still in the CPU cache when they are written.
   */
  private readonly staging = Buffer.allocUnsafe(STAGING);
  private staged = 0;
  /** For files between STAGING and CHUNK: read whole, hashed, written. */
  private scratch: Buffer | undefined;

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

  /** Content stored elsewhere already: not stored again. */
  learn(hashes: Iterable<string>): void {
    for (const hash of hashes) this.seen.add(hash);
  }

  /** Adds files in order (their hashes come back in that order from finish()). */
  add(files: { absolute: string; size: number }[]): void {
    for (const file of files) {
      if (this.failure) return;
      try {
        if (file.size <= STAGING) this.addStaged(file);
        else if (file.size <= CHUNK) this.addWhole(file);
        else this.addLarge(file);
      } catch (error) {
        this.failure = { path: file.absolute, code: (error as NodeJS.ErrnoException).code ?? String(error) };
      }
    }
  }

  /** Whether content with this hash is new (it is then counted as stored). */
  private isNew(hash: string, length: number): boolean {
    this.hashes.push(hash);
    if (this.seen.has(hash)) return false;
    this.seen.add(hash);
    this.entries.push([hash, this.written + this.staged, length]);
    return true;
  }

  private addStaged(file: { absolute: string; size: number }): void {
    if (this.staged + file.size > STAGING) this.flush();
    const data = this.readInto(file, this.staging, this.staged);
    if (this.isNew(sha256(data), data.length)) this.staged += data.length;
  }

  private addWhole(file: { absolute: string; size: number }): void {
    this.flush();
    if (!this.scratch || this.scratch.length < file.size) this.scratch = Buffer.allocUnsafe(Math.max(file.size, 2 * STAGING));
    const data = this.readInto(file, this.scratch, 0);
    if (this.isNew(sha256(data), data.length)) this.append(data);
  }

  /** Large files in chunks: hashed in a first pass, copied in a second only when new. */
  private addLarge(file: { absolute: string; size: number }): void {
    this.flush();
    const fd = openSync(fsPath(file.absolute), 'r');
    try {
      if (!this.scratch || this.scratch.length < CHUNK) this.scratch = Buffer.allocUnsafe(CHUNK);
      const scratch = this.scratch;
      const chunkAt = (position: number, limit: number): Buffer => scratch.subarray(0, readSync(fd, scratch, 0, Math.min(CHUNK, limit), position));
      const hasher = createHash('sha256');
      let length = 0;
      for (let chunk = chunkAt(0, CHUNK); chunk.length > 0; chunk = chunkAt(length, CHUNK)) {
        hasher.update(chunk);
        length += chunk.length;
      }
      if (!this.isNew(hasher.digest('hex'), length)) return;
      // copy what was hashed, no more (the file may have grown meanwhile)
      let copied = 0;
      for (let chunk = chunkAt(0, length); chunk.length > 0 && copied < length; chunk = chunkAt(copied, length - copied)) {
        this.append(chunk);
        copied += chunk.length;
      }
      if (copied < length) this.entries.at(-1)![2] = copied; // it shrank meanwhile
    } finally {
      closeSync(fd);
    }
  }

  /** Writes the staged bytes. */
  private flush(): void {
    if (this.staged === 0) return;
    const staged = this.staged;
    this.staged = 0;
    this.append(this.staging.subarray(0, staged));
  }

  private append(data: Buffer): void {
    this.out ??= openSync(this.packTemp, 'w', 0o600);
    let done = 0;
    while (done < data.length) done += writeSync(this.out, data, done, data.length - done, this.written + done);
    this.written += data.length;
  }

  finish(): PackedOutput {
    this.flush();
    if (this.out !== undefined) closeSync(this.out);
    this.out = undefined;
    return { hashes: this.hashes, entries: this.entries, bytes: this.written, ...(this.failure ? { error: this.failure } : {}) };
  }

  /** Reads up to the file's listed size into `buffer` at `at` (less if it shrank meanwhile). */
  private readInto(file: { absolute: string; size: number }, buffer: Buffer, at: number): Buffer {
    const fd = openSync(fsPath(file.absolute), 'r');
    try {
      let length = 0;
      while (length < file.size) {
        const n = readSync(fd, buffer, at + length, file.size - length, null);
        if (n === 0) break;
        length += n;
      }
      return buffer.subarray(at, at + length);
    } finally {
      closeSync(fd);
    }
  }
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
