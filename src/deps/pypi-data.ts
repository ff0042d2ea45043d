/**
 * The bundled knowledge about PyPI (src/deps/data/, rebuilt by build-data.ts): which names exist,
 * which are popular, and the published advisories. Loaded once, on first use.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../util/package-info.js';
import type { AdvisoryData } from './advisories.js';
import { BloomFilter } from './bloom-filter.js';

export interface PypiData {
  /** False when the name is certainly not a PyPI project (as of `names.date`). */
  exists(normalized: string): boolean;
  /** Download-popularity rank (1 = most downloaded) of the top ~15,000 projects. */
  rank(normalized: string): number | undefined;
  /** Popular names with their rank, most popular first. */
  popular: readonly (readonly [string, number])[];
  advisories: AdvisoryData;
  dates: { pypiIndex: string; advisories: string };
}

let cached: PypiData | undefined;

export function loadPypiData(): PypiData {
  if (cached) return cached;
  const dir = path.join(packageRoot(), 'src', 'deps', 'data');
  const names = BloomFilter.load(readFileSync(path.join(dir, 'pypi-names.bloom')));
  const popular: [string, number][] = [];
  for (const line of readFileSync(path.join(dir, 'pypi-popular.tsv'), 'utf8').split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const tab = line.indexOf('\t');
    popular.push([line.slice(0, tab), Number(line.slice(tab + 1))]);
  }
  const ranks = new Map(popular);
  const advisories = JSON.parse(readFileSync(path.join(dir, 'pypi-advisories.json'), 'utf8')) as AdvisoryData;
  cached = {
    exists: (name) => ranks.has(name) || names.has(name),
    rank: (name) => ranks.get(name),
    popular,
    advisories,
    dates: { pypiIndex: names.date, advisories: advisories.date },
  };
  return cached;
}
