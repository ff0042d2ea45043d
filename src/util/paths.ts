import { lstatSync } from 'node:fs';
import path from 'node:path';

/** Whether `child` is `parent` or lies below it (by path text; resolve symlinks first where it matters). */
export function isInside(child: string, parent: string): boolean {
  const relative = path.relative(parent, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/** A directory itself, not a symbolic link to one. */
export function isRealDirectory(p: string): boolean {
  try {
    return lstatSync(p).isDirectory();
  } catch {
    return false;
  }
}
