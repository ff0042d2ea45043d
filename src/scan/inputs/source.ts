import { DEFAULT_READ_LIMITS, type ReadLimits } from '../../python-package/archive-reader.js';
import type { FileOrigin } from '../scan-cache.js';

/** A unit the analyser reads: a file on disk, an archive member, or a notebook's code. */
export interface ScanSource {
  /** What reports show: a relative path, `pkg.tar.gz!/pkg/setup.py`, or `nb.ipynb#cells`. */
  displayPath: string;
  bytes: Uint8Array;
  /** For notebooks: maps a line of the joined code back to "cell N, line M". */
  lineMap?: (line: number) => string;
  /** The disk file it came from (for the result cache). */
  origin?: FileOrigin;
}

/** Caps on what is read (the archive reader's own). */
export type InputLimits = ReadLimits;
export const DEFAULT_LIMITS: InputLimits = DEFAULT_READ_LIMITS;

export interface SourceSink {
  source(source: ScanSource): void;
  skip(file: string, reason: string, origin?: FileOrigin): void;
  /** Offered before a disk file is read; true when its results are already known. */
  cached?(origin: FileOrigin): boolean;
  /** Called after a disk file was read and handled (so files yielding nothing are cached too). */
  visited?(origin: FileOrigin): void;
  /** Called for every archive met (wheel, sdist, zip), cached or not, with its display path. */
  archive?(displayPath: string): void;
}

export function looksBinary(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, 8192);
  return head.includes(0);
}

export function isPythonName(name: string): boolean {
  return /\.(py|pyw|pyi)$/i.test(name);
}

/** site.py reads *.pth files at every interpreter start and executes their lines that begin with `import`. */
export function isPthName(name: string): boolean {
  return /\.pth$/i.test(name);
}

/** A .pth file as the Python it runs: its `import` lines, every other line blanked (line numbers stay). */
export function pthAsPython(bytes: Uint8Array): Uint8Array {
  const lines = Buffer.from(bytes).toString('utf8').split('\n');
  return Buffer.from(lines.map((line) => (/^import[ \t]/.test(line) ? line : '')).join('\n'), 'utf8');
}

/** Bytecode without source and native extension modules: importable, not analysable. */
export function isCompiledModuleName(name: string): boolean {
  return /\.(pyc|pyo|so|pyd)$/i.test(name);
}

export const COMPILED_MODULE_SKIP = 'compiled module (bytecode or native code): cannot be analysed';

export function isNotebookName(name: string): boolean {
  return /\.ipynb$/i.test(name);
}

export function hasPythonShebang(bytes: Uint8Array): boolean {
  if (bytes[0] !== 0x23 || bytes[1] !== 0x21) return false;
  const firstLine = Buffer.from(bytes.subarray(0, 200)).toString('latin1').split('\n')[0] ?? '';
  return /python/.test(firstLine);
}
