/**
 * The sandbox image's name is a pure function of its recipe, so a run never has to inspect the
 * image first: a changed recipe gives a new tag and so a rebuild.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../util/package-info.js';

export const DEFAULT_BASE = 'python:3.12-slim';
export const IMAGE_REPOSITORY = 'saferun-python';
export const BASE_REPOSITORY = 'saferun-base';

export function imagesDir(): string {
  return path.join(packageRoot(), 'images');
}

function hashOf(...parts: string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest('hex').slice(0, 12);
}

let cached: { image: string; base: string } | undefined;

function recipe(): { image: string; base: string } {
  if (cached) return cached;
  const dockerfile = readFileSync(path.join(imagesDir(), 'python', 'Dockerfile'), 'utf8');
  const bootstrap = readFileSync(path.join(imagesDir(), 'bootstrap.sh'), 'utf8');
  cached = imageNamesForRecipe({ dockerfile, bootstrap, base: DEFAULT_BASE });
  return cached;
}

/** The image and offline-base names for a recipe's text: any change to it gives new names. */
export function imageNamesForRecipe(recipe: { dockerfile: string; bootstrap: string; base: string }): { image: string; base: string } {
  return {
    image: `${IMAGE_REPOSITORY}:${hashOf(recipe.dockerfile, recipe.bootstrap, recipe.base)}`,
    base: `${BASE_REPOSITORY}:bookworm-${hashOf(recipe.bootstrap)}`,
  };
}

/** saferun-python:<12 hex of the recipe>. */
export function sandboxImageName(): string {
  return recipe().image;
}

/** The offline base built by images/bootstrap.sh (debootstrap), named by that script's hash. */
export function bootstrapBaseName(): string {
  return recipe().base;
}

/**
 * The Debian mirror this host already uses for bookworm main, from one-line sources.list entries
 * or deb822 .sources files; undefined lets debootstrap use its default.
 */
export function mirrorFromAptSources(files: { name: string; text: string }[]): string | undefined {
  for (const { name, text } of files) {
    if (name.endsWith('.sources')) {
      for (const stanza of text.split(/\n\s*\n/)) {
        const field = (key: string): string[] => (new RegExp(`^${key}:\\s*(.+)$`, 'im').exec(stanza)?.[1] ?? '').trim().split(/\s+/).filter(Boolean);
        if (field('Enabled')[0]?.toLowerCase() === 'no') continue;
        if (field('Types').includes('deb') && field('Suites').includes('bookworm') && field('Components').includes('main')) return field('URIs')[0];
      }
    } else {
      for (const line of text.split('\n')) {
        const match = /^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+bookworm\s+(.*)$/.exec(line);
        if (match && match[2]!.split(/\s+/).includes('main')) return match[1];
      }
    }
  }
  return undefined;
}
