import path from 'node:path';

/** Whether `child` is `parent` or lies below it (by path text; resolve symlinks first where it matters). */
export function isInside(child: string, parent: string): boolean {
  const relative = path.relative(parent, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}
