/** Rewrites the presets table in README.md from profiles/*.yaml: `npm run docs:profiles`. */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../util/package-info.js';
import { DEFAULT_PROFILE, loadProfile, PRESETS } from './load-profile.js';
import { renderProfileTable, replaceProfileTable } from './profile-table.js';

export async function renderPresetTable(): Promise<string> {
  const profiles = await Promise.all(PRESETS.map(async (name) => (await loadProfile(name)).profile));
  return renderProfileTable(profiles, DEFAULT_PROFILE);
}

if (process.argv[1] && path.resolve(process.argv[1]).endsWith(path.join('config', 'write-profile-table.js'))) {
  const readme = path.join(packageRoot(), 'README.md');
  writeFileSync(readme, replaceProfileTable(readFileSync(readme, 'utf8'), await renderPresetTable()));
  process.stdout.write(`wrote the profiles table in ${path.relative(process.cwd(), readme)}\n`);
}
