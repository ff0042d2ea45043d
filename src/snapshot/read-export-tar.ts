/**
 * Reads an exported snapshot tar in one pass, trusting nothing: only `manifest.json` (a file),
 * `objects/` and `objects/ab/` (directories) and `objects/ab/cdef…` (files) may appear, once each.
 * Nothing is extracted by name: the manifest is read into memory (bounded), each object is
 * streamed to `staging/<hash>` while it is hashed, and an object whose content does not match its
 * name is refused on the spot. Links, devices, `..` and absolute names never reach the disk.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { extract as tarExtract } from 'tar-stream';
import { SaferunError } from '../errors.js';

const MAX_MANIFEST_BYTES = 256 * 1024 * 1024;

type Kind = { kind: 'manifest' } | { kind: 'directory' } | { kind: 'object'; hash: string };

function classify(name: string, type: string | null | undefined): Kind | undefined {
  if (name === 'manifest.json' && type === 'file') return { kind: 'manifest' };
  if (/^objects(\/[0-9a-f]{2})?\/?$/.test(name) && type === 'directory') return { kind: 'directory' };
  const object = /^objects\/([0-9a-f]{2})\/([0-9a-f]{62})$/.exec(name);
  if (object && type === 'file') return { kind: 'object', hash: object[1]! + object[2]! };
  return undefined;
}

export interface ExportContents {
  manifestText: string;
  /** hash → length of the object staged at staging/<hash> (its content verified). */
  objects: Map<string, number>;
}

export async function readExportTar(file: string, staging: string): Promise<ExportContents> {
  const extract = tarExtract();
  const reading = pipeline(createReadStream(file), extract);
  let refused: SaferunError | undefined;
  let manifestText: string | undefined;
  const objects = new Map<string, number>();
  try {
    for await (const entry of extract) {
      const name = entry.header.name.replace(/^\.\//, '');
      const found = classify(name, entry.header.type);
      if (!found) {
        refused = new SaferunError(`import refused: unexpected entry ${JSON.stringify(name)} (${entry.header.type}); a snapshot export holds only the file manifest.json and the directory objects/ with one file per content hash`);
        break;
      }
      if (found.kind === 'directory') entry.resume();
      else if (found.kind === 'manifest') {
        if (manifestText !== undefined) refused = new SaferunError('import refused: the tar holds manifest.json twice');
        else if ((entry.header.size ?? 0) > MAX_MANIFEST_BYTES) refused = new SaferunError(`import refused: manifest.json is larger than ${MAX_MANIFEST_BYTES / 1024 ** 2} MiB`);
        else manifestText = await readText(entry);
        if (refused) break;
      } else {
        if (objects.has(found.hash)) refused = new SaferunError(`import refused: the tar holds object ${found.hash} twice`);
        else {
          const { hash, length } = await stageObject(entry, path.join(staging, found.hash));
          if (hash !== found.hash) refused = new SaferunError(`import refused: object ${found.hash} does not match its hash`);
          objects.set(found.hash, length);
        }
        if (refused) break;
      }
    }
  } catch (error) {
    refused ??= new SaferunError(`import refused: ${file} is not a readable tar (${describe(error)})`);
  }
  if (refused) {
    extract.destroy();
    await reading.catch(() => undefined);
    throw refused;
  }
  await reading.catch((error: unknown) => {
    throw new SaferunError(`import refused: ${file} is not a readable tar (${describe(error)})`);
  });
  if (manifestText === undefined) throw new SaferunError('import refused: the tar has no manifest.json');
  return { manifestText, objects };
}

function describe(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code && code.startsWith('E') && !code.startsWith('ERR_') ? code : (error as Error).message ?? String(error);
}

async function readText(entry: AsyncIterable<unknown>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of entry) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function stageObject(entry: AsyncIterable<unknown>, destination: string): Promise<{ hash: string; length: number }> {
  const hasher = createHash('sha256');
  const out = await open(destination, 'wx', 0o600);
  let length = 0;
  try {
    for await (const data of entry) {
      const chunk = data as Buffer;
      hasher.update(chunk);
      await out.write(chunk);
      length += chunk.length;
    }
  } finally {
    await out.close();
  }
  return { hash: hasher.digest('hex'), length };
}
