/**
 * Pure-Python wheels and sdists built in memory for tests (PEP 427 layout with a RECORD), and a
 * PEP 503 simple index served from loopback. Never real packages.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { zipSync, strToU8 } from 'fflate';
import { tarGz } from './archives.js';

export interface FixtureDist {
  file: string;
  bytes: Buffer;
}

function recordHash(bytes: Uint8Array): string {
  return `sha256=${createHash('sha256').update(bytes).digest('base64url')}`;
}

/** A wheel of `name` `version` holding `modules` (path → source), with optional Requires-Dist lines. */
export function wheel(name: string, version: string, modules: Record<string, string>, requires: string[] = []): FixtureDist {
  const dist = `${name.replace(/-/g, '_')}-${version}`;
  const info = `${dist}.dist-info`;
  const files: Record<string, Uint8Array> = {};
  for (const [p, text] of Object.entries(modules)) files[p] = strToU8(text);
  files[`${info}/METADATA`] = strToU8(`Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n${requires.map((r) => `Requires-Dist: ${r}\n`).join('')}\n`);
  files[`${info}/WHEEL`] = strToU8('Wheel-Version: 1.0\nGenerator: saferun-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n');
  const record = Object.entries(files).map(([p, b]) => `${p},${recordHash(b)},${b.length}`);
  record.push(`${info}/RECORD,,`);
  files[`${info}/RECORD`] = strToU8(`${record.join('\n')}\n`);
  return { file: `${dist}-py3-none-any.whl`, bytes: Buffer.from(zipSync(files)) };
}

/** An sdist whose setup.py is `setupPy`. */
export async function sdist(name: string, version: string, setupPy: string, modules: Record<string, string> = {}): Promise<FixtureDist> {
  const root = `${name}-${version}`;
  const entries: Record<string, string> = {
    [`${root}/setup.py`]: setupPy,
    [`${root}/PKG-INFO`]: `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n`,
  };
  for (const [p, text] of Object.entries(modules)) entries[`${root}/${p}`] = text;
  return { file: `${root}.tar.gz`, bytes: await tarGz(entries) };
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export interface SimpleIndex {
  url: string;
  port: number;
  /** Files served, by request, for checks that something was (not) downloaded. */
  requests: string[];
  close(): Promise<void>;
}

const normalize = (name: string): string => name.toLowerCase().replace(/[-_.]+/g, '-');

/** A PEP 503 index on 127.0.0.1: /simple/<project>/ lists that project's files with sha256 fragments. */
export async function serveSimpleIndex(dists: FixtureDist[]): Promise<SimpleIndex> {
  const byProject = new Map<string, FixtureDist[]>();
  for (const d of dists) {
    const project = normalize(d.file.split('-')[0]!);
    byProject.set(project, [...(byProject.get(project) ?? []), d]);
  }
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    requests.push(url);
    const project = /^\/simple\/([^/]+)\/?$/.exec(url);
    if (project) {
      const files = byProject.get(normalize(decodeURIComponent(project[1]!)));
      if (!files) {
        res.writeHead(404).end('not found');
        return;
      }
      const links = files.map((f) => `<a href="/files/${f.file}#sha256=${sha256(f.bytes)}">${f.file}</a><br>`).join('\n');
      res.writeHead(200, { 'Content-Type': 'text/html' }).end(`<!DOCTYPE html><html><body>\n${links}\n</body></html>`);
      return;
    }
    const file = /^\/files\/([^/]+)$/.exec(url);
    const found = file ? dists.find((d) => d.file === decodeURIComponent(file[1]!)) : undefined;
    if (found) {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': found.bytes.length }).end(found.bytes);
      return;
    }
    res.writeHead(404).end('not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/simple/`,
    port,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
