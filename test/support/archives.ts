/** Archives built in memory for tests (never from real packages). */
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';

export async function tarGz(entries: Record<string, string>): Promise<Buffer> {
  const tar = pack();
  for (const [name, text] of Object.entries(entries)) tar.entry({ name }, text);
  tar.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of tar) chunks.push(chunk as Buffer);
  return gzipSync(Buffer.concat(chunks));
}
