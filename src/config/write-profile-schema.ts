/** Regenerates profiles/profile.schema.json from the zod schema: `npm run schema:profiles`. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../util/package-info.js';
import { profileJsonSchema } from './profile-schema.js';

export function renderProfileSchema(): string {
  return `${JSON.stringify(profileJsonSchema(), null, 2)}\n`;
}

if (process.argv[1] && path.resolve(process.argv[1]).endsWith(path.join('config', 'write-profile-schema.js'))) {
  const target = path.join(packageRoot(), 'profiles', 'profile.schema.json');
  writeFileSync(target, renderProfileSchema());
  process.stdout.write(`wrote ${path.relative(process.cwd(), target)}\n`);
}
