import { lstatSync, readdirSync, type Stats } from 'node:fs';
import path from 'node:path';

/** Every entry under dir (dir included) on dir's file system, without following symlinks; files with other hard links are left out (changing them would reach outside dir). */
export function walkEntries(dir: string, visit: (absolute: string, stat: Stats) => void): void {
  const device = lstatSync(dir).dev;
  const stack = [dir];
  while (stack.length > 0) {
    const current = stack.pop()!;
    const stat = lstatSync(current, { throwIfNoEntry: false });
    if (!stat || stat.dev !== device) continue;
    if (!stat.isDirectory() && stat.nlink > 1) continue;
    visit(current, stat);
    if (stat.isDirectory()) {
      let names: string[] = [];
      try {
        names = readdirSync(current);
      } catch {
        // unreadable: left as it is
      }
      for (const name of names) stack.push(path.join(current, name));
    }
  }
}
