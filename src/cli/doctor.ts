/** `saferun doctor [--json]`: is this machine ready to run programs safely? Exit 1 on any fail. */
import { commandParser, helpShown } from './command-parser.js';

export async function main(argv: string[]): Promise<number> {
  const args = await commandParser(argv, 'saferun doctor', 'saferun doctor [--json]')
    .option('json', { type: 'boolean', default: false })
    .parseAsync();
  if (helpShown(args)) return 0;
  const { runDoctorChecks } = await import('../sandbox/doctor-checks.js');
  const checks = await runDoctorChecks();
  if (args.json) process.stdout.write(`${JSON.stringify({ version: 1, checks }, null, 2)}\n`);
  else {
    const mark = { ok: '✔', warn: '!', fail: '✖' } as const;
    for (const check of checks) process.stdout.write(`${mark[check.status]} ${check.name.padEnd(12)} ${check.detail}${check.fix ? `\n  ${''.padEnd(12)} fix: ${check.fix}` : ''}\n`);
  }
  return checks.some((check) => check.status === 'fail') ? 1 : 0;
}
