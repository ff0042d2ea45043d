/** Image building and status for the `image` and `doctor` commands (dockerode is fine here). */
import { connectEngine, requireEngine } from './engine.js';
import { IMAGE_REPOSITORY } from './image-recipe.js';
import { ensureImage, findImage, sandboxImageName, type EnsureImageOptions, type SandboxImage } from './image.js';

export interface ImageStatus {
  name: string;
  present: boolean;
  id?: string;
  createdAt?: string;
  ageDays?: number;
  base?: string;
  /** Older saferun-python tags left from previous recipes. */
  stale: string[];
}

export async function buildSandboxImage(options: EnsureImageOptions): Promise<SandboxImage> {
  const engine = connectEngine();
  await requireEngine(engine);
  return ensureImage(engine, options);
}

export async function sandboxImageStatus(): Promise<ImageStatus> {
  const engine = connectEngine();
  await requireEngine(engine);
  const name = sandboxImageName();
  const image = await findImage(engine, name);
  const all = await engine.listImages({ filters: JSON.stringify({ reference: [`${IMAGE_REPOSITORY}`] }) });
  const stale = all.flatMap((i) => i.RepoTags ?? []).filter((tag) => tag.startsWith(`${IMAGE_REPOSITORY}:`) && tag !== name);
  if (!image) return { name, present: false, stale };
  const ageDays = Math.floor((Date.now() - Date.parse(image.createdAt)) / 86_400_000);
  return { name, present: true, id: image.id, createdAt: image.createdAt, ageDays, base: image.base, stale };
}
