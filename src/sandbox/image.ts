/**
 * Builds and finds the sandbox image. Tries the official Python base first; when it cannot be
 * pulled (no registry), builds an offline base with debootstrap and `docker import`, then applies
 * the same hardening layer (images/python/Dockerfile).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import tar from 'tar-fs';
import { SaferunError } from '../errors.js';
import type { Engine } from './engine.js';
import { bootstrapBaseName, DEFAULT_BASE, imagesDir, mirrorFromAptSources, sandboxImageName } from './image-recipe.js';

export { sandboxImageName, bootstrapBaseName } from './image-recipe.js';

export interface SandboxImage {
  name: string;
  id: string;
  createdAt: string;
  base: string;
}

export interface EnsureImageOptions {
  offline?: boolean;
  rebuild?: boolean;
  base?: string;
  onProgress?: (line: string) => void;
}

export async function findImage(engine: Engine, name = sandboxImageName()): Promise<SandboxImage | undefined> {
  try {
    const info = await engine.getImage(name).inspect();
    return { name, id: info.Id, createdAt: info.Created, base: info.Config?.Labels?.['saferun.base'] ?? 'unknown' };
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw new SaferunError(`cannot inspect image ${name}: ${(error as Error).message}`, { cause: error });
  }
}

export async function ensureImage(engine: Engine, options: EnsureImageOptions = {}): Promise<SandboxImage> {
  const name = sandboxImageName();
  const progress = options.onProgress ?? (() => undefined);
  if (!options.rebuild) {
    const existing = await findImage(engine, name);
    if (existing) return existing;
  }
  const base = await chooseBase(engine, options, progress);
  progress(`building ${name} on ${base}`);
  const context = tar.pack(path.join(imagesDir(), 'python')) as unknown as NodeJS.ReadableStream;
  const stream: NodeJS.ReadableStream = await engine.buildImage(context, {
    t: name,
    buildargs: { BASE: base },
    labels: { 'saferun.image': '1', 'saferun.recipe': name.slice(name.indexOf(':') + 1), 'saferun.base': base },
    rm: true,
    forcerm: true,
  });
  await new Promise<void>((resolve, reject) => {
    engine.modem.followProgress(
      stream,
      (error: Error | null, events: { error?: string; errorDetail?: { message?: string } }[]) => {
        const failed = error?.message ?? events.find((e) => e.error)?.error;
        if (failed) reject(new SaferunError(`building the sandbox image failed: ${failed.trim()}`));
        else resolve();
      },
      (event: { stream?: string }) => {
        const line = event.stream?.trim();
        if (line && /^Step \d+\/\d+/.test(line)) progress(line);
      },
    );
  });
  const built = await findImage(engine, name);
  if (!built) throw new SaferunError(`building the sandbox image produced no ${name}`);
  progress(`ready: ${name}`);
  return built;
}

async function chooseBase(engine: Engine, options: EnsureImageOptions, progress: (line: string) => void): Promise<string> {
  if (!options.offline) {
    const base = options.base ?? DEFAULT_BASE;
    try {
      if (!(await findImage(engine, base))) {
        progress(`pulling ${base}`);
        await pull(engine, base);
      }
      return base;
    } catch (error) {
      progress(`cannot pull ${base} (${firstLine(error)}); building an offline base with debootstrap instead`);
    }
  }
  const offlineBase = bootstrapBaseName();
  if (!options.rebuild && (await findImage(engine, offlineBase))) return offlineBase;
  progress(`bootstrapping ${offlineBase}: debootstrap bookworm minbase + python3 (about a minute)`);
  const mirror = hostMirror();
  const script = path.join(imagesDir(), 'bootstrap.sh');
  try {
    const child = execa('bash', [script, offlineBase, ...(mirror ? [mirror] : [])], { all: true });
    child.all?.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line.trim()) progress(line.trim());
    });
    await child;
  } catch (error) {
    const output = (error as { all?: string }).all ?? '';
    throw new SaferunError(`the offline image bootstrap failed: ${output.trim().split('\n').slice(-3).join(' / ') || firstLine(error)}`, { cause: error });
  }
  return offlineBase;
}

function pull(engine: Engine, image: string): Promise<void> {
  return new Promise((resolve, reject) => {
    engine.pull(image, {}, (error: Error | null, stream?: NodeJS.ReadableStream) => {
      if (error || !stream) return reject(error ?? new Error('no pull stream'));
      // Podman's compat API reports a failed pull as an error event in a 200 stream, not as an error.
      engine.modem.followProgress(stream, (done: Error | null, events: { error?: string }[] = []) => {
        const failed = done?.message ?? events.find((event) => event.error)?.error;
        if (failed) reject(new Error(failed));
        else resolve();
      });
    });
  });
}

function hostMirror(): string | undefined {
  const files: { name: string; text: string }[] = [];
  const read = (file: string): void => {
    try {
      files.push({ name: file, text: readFileSync(file, 'utf8') });
    } catch {
      // absent on this host
    }
  };
  read('/etc/apt/sources.list');
  try {
    for (const entry of readdirSync('/etc/apt/sources.list.d')) read(path.join('/etc/apt/sources.list.d', entry));
  } catch {
    // no directory
  }
  return mirrorFromAptSources(files);
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.trim();
}
