/** Builds trees and reads them back in full (type, mode, content, link text) for exact comparisons. */
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';

export function describeTree(root: string, skip: (relative: string) => boolean = () => false): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (relative: string): void => {
    for (const name of readdirSync(path.join(root, relative)).sort()) {
      const rel = relative ? `${relative}/${name}` : name;
      if (skip(rel)) continue;
      const abs = path.join(root, rel);
      const info = lstatSync(abs);
      const mode = (info.mode & 0o7777).toString(8);
      if (info.isSymbolicLink()) out[rel] = `link ${readlinkSync(abs)}`;
      else if (info.isDirectory()) {
        out[rel] = `dir ${mode}`;
        walk(rel);
      } else out[rel] = `file ${mode} ${readFileSync(abs).toString('base64')}`;
    }
  };
  walk('');
  return out;
}
