/**
 * Which trees a script can import from. `python3 dir/script.py` puts the script's directory on
 * sys.path, not the working directory: a program in a subdirectory reaches the rest of the working
 * dir only by changing its import path or loading code by path (sys.path, site.addsitedir,
 * importlib/runpy/exec/compile, chdir). When any source in the script's tree does such a thing,
 * the whole working dir counts; otherwise only the script's tree does, so a repository's own
 * test fixtures beside an example do not decide about the example.
 */
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const REACHES_BEYOND = /\bsys\.path\b|\bsite\.addsitedir\b|\bPYTHONPATH\b|spec_from_file_location|SourceFileLoader|\brunpy\b|\brun_path\b|\bimport_module\b|__import__|\bexec\s*\(|\bcompile\s*\(|\bimp\.load|\bzipimport\b|\bchdir\s*\(|\bexecfile\b|\bos\.exec|\bsubprocess\b|\bos\.system\b|\bos\.popen\b|\bspawn/;
const SKIP_DIRS = new Set(['.git', 'node_modules', '__pycache__', '.venv', 'venv', '.tox', '.mypy_cache', '.pytest_cache']);
const MAX_FILES = 2000;
const MAX_BYTES = 32 * 1024 * 1024;

/** Whether any Python source under `dir` may load code from outside it (when unsure: true). */
export function mayReachBeyond(dir: string): boolean {
  let files = 0;
  let bytes = 0;
  const stack = [dir];
  while (stack.length > 0) {
    const current = stack.pop()!;
    let names: string[];
    try {
      names = readdirSync(current);
    } catch {
      return true;
    }
    for (const name of names) {
      const full = path.join(current, name);
      const stat = lstatSync(full, { throwIfNoEntry: false });
      if (!stat) continue;
      if (stat.isDirectory()) {
        if (!SKIP_DIRS.has(name)) stack.push(full);
        continue;
      }
      if (!stat.isFile() || !/\.(py|pyw|pth)$/i.test(name)) continue;
      files++;
      bytes += stat.size;
      if (files > MAX_FILES || bytes > MAX_BYTES) return true;
      let text: string;
      try {
        text = readFileSync(full, 'latin1');
      } catch {
        return true;
      }
      if (REACHES_BEYOND.test(text)) return true;
    }
  }
  return false;
}
