/** `saferun envs list [--json]` and `saferun envs prune [--keep N]`: the cached package environments. */
import { commandParser } from './command-parser.js';
import { formatBytes } from '../config/units.js';
import { envsDir, listEnvs, pruneEnvs } from '../packages/env-cache.js';
import { UsageError } from '../errors.js';

export async function main(argv: string[]): Promise<number> {
  await commandParser(argv, 'saferun envs', 'saferun envs <list|prune>')
    .command(
      'list',
      'the cached package environments, most recently used first',
      (y) => y.option('json', { type: 'boolean', default: false }),
      (args) => {
        const envs = listEnvs();
        if (args.json) {
          process.stdout.write(`${JSON.stringify({ dir: envsDir(), envs }, null, 2)}\n`);
          return;
        }
        if (envs.length === 0) {
          process.stdout.write(`no package environments in ${envsDir()}\n`);
          return;
        }
        for (const env of envs) {
          const names = env.packages.map((p) => `${p.name}==${p.version}`).join(' ');
          process.stdout.write(`${env.key.slice(0, 12)}  ${formatBytes(env.bytes).padStart(7)}  used ${env.lastUsedAt.slice(0, 16).replace('T', ' ')}  ${names}\n`);
        }
      },
    )
    .command(
      'prune',
      'remove environments (all but the --keep most recently used) and builds left by a saferun that died',
      (y) => y.option('keep', { type: 'number', default: 0, description: 'how many of the most recently used to keep' }),
      (args) => {
        const keep = Number(args.keep);
        if (!Number.isInteger(keep) || keep < 0) throw new UsageError(`--keep: '${String(args.keep)}' is not a count; use 0 or more`);
        const removed = pruneEnvs(keep);
        process.stdout.write(`removed ${removed.length} environment${removed.length === 1 ? '' : 's'}\n`);
      },
    )
    .demandCommand(1, 'name a subcommand: list or prune')
    .parseAsync();
  return 0;
}
