/**
 * Turns the paths a user named into sources: directories are walked (skipping VCS dirs,
 * virtualenvs, node_modules, caches), symlinks are never followed out of the root and symlinked
 * directories are not entered (so loops cannot happen), archives are read in memory.
 * File-system calls are synchronous on purpose: thousands of metadata calls cost far less than
 * thread-pool round trips, and nothing else runs meanwhile.
 */
import type { Stats } from 'node:fs';
import { lstatSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import type { FileOrigin } from '../scan-cache.js';
import { describeFsError } from '../../util/fs-errors.js';
import { isInside } from '../../util/paths.js';
import path from 'node:path';
import { archiveKind, readArchiveSources } from './archive.js';
import { notebookSource } from './notebook.js';
import { COMPILED_MODULE_SKIP, hasPythonShebang, isCompiledModuleName, isNotebookName, isPthName, isPythonName, looksBinary, pthAsPython, type InputLimits, type SourceSink } from './source.js';

const SKIP_DIRS = new Set(['.git', '.hg', '.svn', 'node_modules', '__pycache__', '.venv', 'venv', '.tox', '.nox', '.mypy_cache', '.pytest_cache', '.ruff_cache', '.eggs']);

/**
 * Whether a file found in a directory can be a source by its name: Python, a .pth start-up file, an
 * archive or a notebook, or no extension at all (a script that may have a Python shebang).
 */
function mayBeSource(name: string): boolean {
  return path.extname(name) === '' || isPythonName(name) || isPthName(name) || archiveKind(name) !== undefined || isNotebookName(name);
}

export async function collectSources(paths: string[], cwd: string, limits: InputLimits, sink: SourceSink): Promise<number> {
  let files = 0;
  const base = path.resolve(cwd);
  const prefix = base.endsWith(path.sep) ? base : base + path.sep;
  const display = (absolute: string): string => {
    // walked paths are normalised and absolute: below cwd, a slice is the relative path
    if (absolute.startsWith(prefix)) return absolute.slice(prefix.length);
    const relative = path.relative(base, absolute);
    return relative && !relative.startsWith('..') ? relative : absolute;
  };

  const handleFile = async (absolute: string, info: Stats, explicit: boolean): Promise<void> => {
    const size = info.size;
    const name = display(absolute);
    const kind = archiveKind(absolute);
    const notebook = isNotebookName(absolute);
    const candidate = isPythonName(absolute) || isPthName(absolute) || kind !== undefined || notebook;
    if (!explicit && !mayBeSource(absolute)) return;
    const cap = kind ? limits.maxArchiveBytes : limits.maxFileBytes;
    if (size > cap) return sink.skip(name, `larger than ${cap} bytes (raise with --max-file-size)`);
    const origin: FileOrigin = { key: `${name}\0${absolute}`, size, mtimeMs: info.mtimeMs, ctimeMs: info.ctimeMs, ino: info.ino };
    if (kind) sink.archive?.(name);
    if (sink.cached?.(origin)) {
      files++;
      return;
    }
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(absolute);
    } catch (error) {
      return sink.skip(name, `unreadable: ${describeFsError(error)}`);
    }
    if (!candidate && !explicit && !hasPythonShebang(bytes)) return;
    files++;
    const tagged: SourceSink = {
      source: (source) => sink.source({ ...source, origin }),
      skip: (file, reason) => sink.skip(file, reason, origin),
    };
    if (kind) await readArchiveSources(name, bytes, limits, tagged);
    else if (looksBinary(bytes)) tagged.skip(name, 'binary content');
    else if (notebook) {
      const nb = notebookSource(name, bytes);
      if ('problem' in nb) tagged.skip(name, nb.problem);
      else tagged.source(nb);
    } else tagged.source({ displayPath: name, bytes: isPthName(absolute) ? pthAsPython(bytes) : bytes });
    sink.visited?.(origin);
  };

  const walk = async (root: string): Promise<void> => {
    const realRoot = realpathSync(root);
    const stack = [root];
    while (stack.length > 0) {
      const dir = stack.pop()!;
      let entries;
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch (error) {
        sink.skip(display(dir), `unreadable directory: ${describeFsError(error)}`);
        continue;
      }
      if (dir !== root && entries.some((e) => e.name === 'pyvenv.cfg')) continue; // a virtualenv
      entries.sort((a, b) => (a.name < b.name ? 1 : -1));
      for (const entry of entries) {
        const absolute = dir.endsWith(path.sep) ? dir + entry.name : dir + path.sep + entry.name; // dir is normalised: no join needed
        if (entry.isDirectory()) {
          if (!SKIP_DIRS.has(entry.name)) stack.push(absolute);
        } else if (entry.isSymbolicLink()) {
          let target: string;
          try {
            target = realpathSync(absolute);
          } catch (error) {
            sink.skip(display(absolute), `broken symlink: ${describeFsError(error)}`);
            continue;
          }
          if (!isInside(target, realRoot)) {
            sink.skip(display(absolute), 'symlink pointing outside the scanned directory (not followed)');
            continue;
          }
          const targetStat = statSync(target, { throwIfNoEntry: false });
          if (targetStat?.isFile()) await handleFile(absolute, targetStat, false);
          // symlinked directories are not entered: their content is scanned where it really is
        } else if (entry.isFile()) {
          if (!mayBeSource(entry.name)) {
            // python imports these as modules, and no source of them can be analysed
            if (isCompiledModuleName(entry.name)) sink.skip(display(absolute), COMPILED_MODULE_SKIP);
            continue; // not even stat'ed
          }
          let info: Stats | undefined;
          try {
            info = lstatSync(absolute, { throwIfNoEntry: false });
          } catch {
            info = undefined;
          }
          if (info) await handleFile(absolute, info, false);
        }
      }
    }
  };

  for (const input of paths) {
    const absolute = path.resolve(cwd, input);
    let info;
    try {
      info = statSync(absolute);
    } catch (error) {
      sink.skip(input, `cannot open: ${describeFsError(error)}`);
      continue;
    }
    if (info.isDirectory()) await walk(absolute);
    else if (info.isFile()) await handleFile(absolute, info, true);
    else sink.skip(input, 'not a regular file or directory');
  }
  return files;
}
