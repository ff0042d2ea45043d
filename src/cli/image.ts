/** `saferun image build [--offline] [--rebuild] [--base IMAGE]` and `saferun image status [--json]`. */
import { commandParser } from './command-parser.js';

export async function main(argv: string[]): Promise<number> {
  const sandbox = await import('../sandbox/image-admin.js');
  let exitCode = 0;
  await commandParser(argv, 'saferun image', 'saferun image <build|status>')
    .command(
      'build',
      'build the sandbox image (pulls BASE; falls back to an offline debootstrap base)',
      (y) =>
        y
          .option('offline', { type: 'boolean', default: false, description: 'skip the pull: build the base with debootstrap' })
          .option('rebuild', { type: 'boolean', default: false, description: 'build even when the image exists' })
          .option('base', { type: 'string', description: 'the base image to pull instead of the official slim Python' }),
      async (args) => {
        const image = await sandbox.buildSandboxImage({
          offline: args.offline,
          rebuild: args.rebuild,
          ...(args.base ? { base: args.base } : {}),
          onProgress: (line) => process.stderr.write(`  ${line}\n`),
        });
        process.stdout.write(`${image.name} (${image.id.slice(7, 19)}, base ${image.base})\n`);
      },
    )
    .command(
      'status',
      'show whether the image is present and how old it is',
      (y) => y.option('json', { type: 'boolean', default: false }),
      async (args) => {
        const status = await sandbox.sandboxImageStatus();
        if (args.json) process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
        else if (!status.present) process.stdout.write(`${status.name}: not built yet (saferun image build, or just run a script)\n`);
        else process.stdout.write(`${status.name}: present, built ${status.ageDays} day(s) ago on ${status.base}${status.stale.length ? `; older images: ${status.stale.join(', ')}` : ''}\n`);
        if (!status.present) exitCode = 1;
      },
    )
    .demandCommand(1, 'name a subcommand: build or status')
    .parseAsync();
  return exitCode;
}
