/**
 * Reads, hashes and packs one share of a snapshot's new files into one pack file, synchronously:
 * on a worker thread (pack-worker.ts) or on the main thread, side by side.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, writeSync } from 'node:fs';

export interface PackWorkerInput {
  files: { absolute: string; size: number }[];
  known: string[];
  packTemp: string;
}

export interface PackWorkerOutput {
  hashes: string[];
  entries: [string, number, number][];
  bytes: number;
  error?: { path: string; code: string };
}

let scratch = Buffer.allocUnsafe(1024 * 1024);

export function packFiles({ files, known, packTemp }: PackWorkerInput): PackWorkerOutput {
  const seen = new Set(known);
  const hashes: string[] = [];
  const entries: [string, number, number][] = [];
  let offset = 0;
  let out: number | undefined;
  let failure: PackWorkerOutput['error'];

  for (const file of files) {
    let data: Buffer;
    try {
      const fd = openSync(file.absolute, 'r');
      try {
        if (scratch.length < file.size) scratch = Buffer.allocUnsafe(Math.max(file.size, scratch.length * 2));
        const buffer = scratch; // reused: each file is hashed and written before the next is read
        let length = 0;
        while (length < file.size) {
          const n = readSync(fd, buffer, length, file.size - length, null);
          if (n === 0) break;
          length += n;
        }
        data = buffer.subarray(0, length);
      } finally {
        closeSync(fd);
      }
    } catch (error) {
      failure = { path: file.absolute, code: (error as NodeJS.ErrnoException).code ?? String(error) };
      break;
    }
    const hash = createHash('sha256').update(data).digest('hex');
    hashes.push(hash);
    if (seen.has(hash)) continue;
    seen.add(hash);
    out ??= openSync(packTemp, 'w', 0o600);
    let written = 0;
    while (written < data.length) written += writeSync(out, data, written, data.length - written, offset + written);
    entries.push([hash, offset, data.length]);
    offset += data.length;
  }
  if (out !== undefined) closeSync(out);
  return { hashes, entries, bytes: offset, ...(failure ? { error: failure } : {}) };
}
