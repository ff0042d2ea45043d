/**
 * `saferun deps [PATH...] [--format text|json] [--output FILE] [--fail-on LEVEL] [--no-imports] [--profile P]`
 * Exit 0, or 1 when the risk level reaches --fail-on (default high); 2 for usage errors.
 */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { commandParser, failOnExitCode, helpShown, oneOf } from './command-parser.js';
import { UsageError } from '../errors.js';
import { RISK_LEVELS } from '../findings/finding.js';

const FORMATS = ['text', 'json'] as const;
const FAIL_ON = [...RISK_LEVELS, 'never'] as const;

export async function main(argv: string[]): Promise<number> {
  const args = await commandParser(
    argv,
    'saferun deps',
    'saferun deps [PATH...] [options]\n\nChecks the dependencies a project declares (requirements files, pyproject.toml, setup.py, setup.cfg, Pipfile, PEP 723 script metadata) and imports: look-alike and unregistered names, untrusted sources, known vulnerabilities, licences. PATH is a directory, a manifest, a lock file, a .py file, or a wheel or sdist (read in memory; default: the current directory).',
  )
    .option('format', { alias: 'f', type: 'string', default: 'text', description: 'text or json' })
    .option('output', { alias: 'o', type: 'string', description: 'write the report to FILE instead of stdout' })
    .option('fail-on', { type: 'string', default: 'high', description: 'exit 1 when the risk level is at least this: low, medium, high, critical, never' })
    .option('imports', { type: 'boolean', default: true, description: 'also check the names Python files import (--no-imports to skip)' })
    .option('profile', { alias: 'p', type: 'string', default: process.env['SAFERUN_PROFILE'] || 'normal', description: 'profile whose dependencies settings apply (trusted indexes, denied licences)' })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, description: 'no report on stdout; only the exit code (and --output)' })
    .demandCommand(0)
    .parseAsync();
  if (helpShown(args)) return 0;
  const format = oneOf('format', args.format, FORMATS, 'format');
  const failOn = oneOf('fail-on', args['fail-on'], FAIL_ON, 'level');
  const paths = args._.length > 0 ? args._.map(String) : ['.'];
  for (const p of paths) if (!existsSync(p)) throw new UsageError(`${p}: no such file or directory`);

  const [{ loadProfile }, { collectDeclared }, { checkDependencies }] = await Promise.all([
    import('../config/load-profile.js'),
    import('../deps/collect-declared.js'),
    import('../deps/check-dependencies.js'),
  ]);
  const { profile } = await loadProfile(args.profile);
  // wheels and sdists are read in memory; everything else as files and directories
  const { archiveKind } = await import('../python-package/archive-reader.js');
  const archives = paths.filter((p) => archiveKind(p) !== undefined && !statSync(p).isDirectory());
  const declared = collectDeclared(paths.filter((p) => !archives.includes(p)), { imports: args.imports });
  const texts = new Map<string, string>();
  if (archives.length > 0) {
    const { declaredInArchive } = await import('../deps/archive-manifests.js');
    for (const archive of archives) {
      const found = await declaredInArchive(archive);
      for (const key of ['dependencies', 'sources', 'licenses', 'problems', 'manifests'] as const) (declared[key] as unknown[]).push(...found.declared[key]);
      for (const [file, text] of found.texts) texts.set(file, text);
    }
  }
  const report = checkDependencies(declared, profile.dependencies, undefined, texts);
  const text = format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : (await import('../report/deps-text.js')).renderDepsText(report, !args.output && process.stdout.isTTY === true && !process.env['NO_COLOR']);
  if (args.output) writeFileSync(args.output, text);
  else if (!args.quiet) process.stdout.write(text);
  return failOnExitCode(report.riskLevel, failOn);
}
