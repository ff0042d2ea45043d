/**
 * Wheels, sdists, zips and tarballs read in memory, never extracted: the scanner takes their Python
 * sources, the dependency check their metadata and manifests (each through an EntryPicker). Entry
 * names are used only as display names (`pkg.whl!/pkg/mod.py`). Sizes are capped while
 * decompressing, not trusted from headers, so a zip bomb stops at the cap.
 */
import { createGunzip } from 'node:zlib';
import { outputCap } from './decompress.js';
import { Unzip, UnzipInflate, type UnzipFile } from 'fflate';
import { extract as tarExtract } from 'tar-stream';
import { Readable } from 'node:stream';

/** Caps on what is read from disk and out of one archive. */
export interface ReadLimits {
  maxFileBytes: number;
  /** Total uncompressed bytes read out of one archive. */
  maxArchiveBytes: number;
  maxArchiveEntries: number;
}

export const DEFAULT_READ_LIMITS: ReadLimits = {
  maxFileBytes: 5 * 1024 * 1024,
  maxArchiveBytes: 200 * 1024 * 1024,
  maxArchiveEntries: 20_000,
};

/** Told about an archive, or one of its entries, that was not read, and why. */
export type SkipReporter = (file: string, reason: string) => void;

export function archiveKind(name: string): 'zip' | 'tar' | 'tgz' | 'tbz' | undefined {
  const lower = name.toLowerCase();
  if (/\.(whl|zip|egg)$/.test(lower)) return 'zip';
  if (/\.(tar\.gz|tgz)$/.test(lower)) return 'tgz';
  if (/\.tar\.bz2$/.test(lower)) return 'tbz';
  if (/\.tar$/.test(lower)) return 'tar';
  return undefined;
}

/** Which entries to read, and what to do with each. */
export interface EntryPicker {
  wanted(name: string): boolean;
  take(entry: string, bytes: Uint8Array): void;
}

/** The real format, from the first bytes: names lie (wheels renamed .tar.gz are common in malware). */
export function sniffArchive(data: Uint8Array): 'zip' | 'tar' | 'tgz' | 'tbz' | undefined {
  if (data[0] === 0x50 && data[1] === 0x4b && (data[2] === 0x03 || data[2] === 0x05)) return 'zip';
  if (data[0] === 0x1f && data[1] === 0x8b) return 'tgz';
  if (data[0] === 0x42 && data[1] === 0x5a && data[2] === 0x68) return 'tbz';
  if (Buffer.from(data.subarray(257, 262)).toString('latin1') === 'ustar') return 'tar';
  return undefined;
}

/** Offers each entry `picker` wants to it; what is not read is reported to `skip`. */
export async function readArchive(archiveName: string, data: Uint8Array, limits: ReadLimits, skip: SkipReporter, picker: EntryPicker): Promise<void> {
  if (data[0] === 0xfd && data[1] === 0x37 && data[2] === 0x7a && data[3] === 0x58 && data[4] === 0x5a && data[5] === 0x00) {
    return skip(archiveName, 'xz-compressed archives are not supported (whatever its name says); unpack it and scan the directory');
  }
  const kind = sniffArchive(data) ?? archiveKind(archiveName);
  if (kind === 'zip') return readZip(archiveName, data, limits, skip, picker);
  if (kind) return readTar(archiveName, data, kind, limits, skip, picker);
}

function readZip(archiveName: string, data: Uint8Array, limits: ReadLimits, skip: SkipReporter, picker: EntryPicker): Promise<void> {
  return new Promise((resolve) => {
    let total = 0;
    let entries = 0;
    let stopped = false;
    const pending = new Set<UnzipFile>();
    const stop = (reason: string): void => {
      if (stopped) return;
      stopped = true;
      for (const file of pending) file.terminate();
      skip(archiveName, reason);
    };
    const unzip = new Unzip((file) => {
      if (stopped) return;
      entries++;
      if (entries > limits.maxArchiveEntries) return stop(`more than ${limits.maxArchiveEntries} entries`);
      if (!picker.wanted(file.name)) return;
      const chunks: Uint8Array[] = [];
      let size = 0;
      pending.add(file);
      file.ondata = (error, chunk, final) => {
        if (stopped) return;
        if (error) {
          pending.delete(file);
          skip(`${archiveName}!/${file.name}`, `corrupt entry: ${error.message}`);
          return;
        }
        size += chunk.length;
        total += chunk.length;
        if (size > limits.maxFileBytes) {
          file.terminate();
          pending.delete(file);
          skip(`${archiveName}!/${file.name}`, `larger than ${limits.maxFileBytes} bytes uncompressed`);
          return;
        }
        if (total > limits.maxArchiveBytes) return stop(`uncompresses to more than ${limits.maxArchiveBytes} bytes (zip bomb?)`);
        chunks.push(chunk);
        if (final) {
          pending.delete(file);
          picker.take(file.name, Buffer.concat(chunks));
        }
      };
      file.start();
    });
    unzip.register(UnzipInflate);
    try {
      // Feed in slices so the caps act while inflating.
      for (let offset = 0; offset < data.length && !stopped; offset += 1 << 20) {
        const end = Math.min(offset + (1 << 20), data.length);
        unzip.push(data.subarray(offset, end), end === data.length);
      }
    } catch (error) {
      if (!stopped) skip(archiveName, `not a readable zip: ${(error as Error).message}`);
    }
    resolve();
  });
}

async function readTar(archiveName: string, data: Uint8Array, kind: 'tar' | 'tgz' | 'tbz', limits: ReadLimits, skip: SkipReporter, picker: EntryPicker): Promise<void> {
  if (kind === 'tbz') return skip(archiveName, 'bzip2 archives are not supported; convert to .tar.gz');
  const extract = tarExtract();
  const raw = Readable.from([Buffer.from(data)]);
  let failure: Error | undefined;
  const fail = (error: Error): void => {
    failure ??= error;
    extract.destroy(error);
  };
  if (kind === 'tgz') {
    const gunzip = createGunzip();
    const cap = outputCap(limits.maxArchiveBytes);
    gunzip.on('error', fail);
    cap.on('error', fail);
    raw.pipe(gunzip).pipe(cap).pipe(extract);
  } else raw.pipe(extract);
  let total = 0;
  let entries = 0;
  try {
    for await (const entry of extract) {
      const header = entry.header;
      if (++entries > limits.maxArchiveEntries) {
        skip(archiveName, `more than ${limits.maxArchiveEntries} entries`);
        extract.destroy();
        return;
      }
      if (header.type !== 'file' || !picker.wanted(header.name)) {
        entry.resume();
        continue;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of entry) {
        const buffer = chunk as Buffer;
        size += buffer.length;
        total += buffer.length;
        if (size <= limits.maxFileBytes) chunks.push(buffer);
      }
      if (total > limits.maxArchiveBytes) {
        skip(archiveName, `uncompresses to more than ${limits.maxArchiveBytes} bytes (bomb?)`);
        extract.destroy();
        return;
      }
      if (size > limits.maxFileBytes) skip(`${archiveName}!/${header.name}`, `larger than ${limits.maxFileBytes} bytes`);
      else picker.take(header.name, Buffer.concat(chunks));
    }
  } catch (error) {
    const reason = (failure ?? (error as Error)).message;
    skip(archiveName, `not a readable ${kind === 'tgz' ? 'tar.gz' : 'tar'}: ${reason}`);
  }
}
