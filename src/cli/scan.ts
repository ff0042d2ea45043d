/**
 * `saferun scan PATH... [--format text|json|sarif] [--output FILE] [--fail-on LEVEL] ...`
 * Exit 0, or 1 when the risk level reaches --fail-on (default high); 2 for usage errors.
 */
import { writeFileSync } from 'node:fs';
import { commandParser, failOnExitCode, helpShown, oneOf } from './command-parser.js';
import { UsageError } from '../errors.js';
import { parseSize } from '../config/units.js';
import { RISK_LEVELS } from '../findings/finding.js';

const FORMATS = ['text', 'json', 'sarif'] as const;
const FAIL_ON = [...RISK_LEVELS, 'never'] as const;

export async function main(argv: string[]): Promise<number> {
  const args = await commandParser(argv, 'saferun scan', 'saferun scan PATH... [options]\n\nStatic scan of .py files, directories, wheels, sdists (.tar.gz, .zip) and notebooks (.ipynb).')
    .option('format', { alias: 'f', type: 'string', default: 'text', description: 'text, json or sarif' })
    .option('output', { alias: 'o', type: 'string', description: 'write the report to FILE instead of stdout' })
    .option('fail-on', { type: 'string', default: 'high', description: 'exit 1 when the risk level is at least this: low, medium, high, critical, never' })
    .option('max-file-size', { type: 'string', default: '5m', description: 'skip files larger than this (recorded as skipped)' })
    .option('config', { type: 'string', description: 'your saferun config with suppressions (default $XDG_CONFIG_HOME/saferun/config.yaml)' })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, description: 'no report on stdout; only the exit code (and --output)' })
    .option('cache', { type: 'boolean', default: true, description: 'reuse results for unchanged files (--no-cache to re-read everything)' })
    .option('jobs', { alias: 'j', type: 'number', description: 'worker threads (default: one per core)' })
    .demandCommand(1, 'name at least one file or directory to scan')
    .parseAsync();
  if (helpShown(args)) return 0;
  const format = oneOf('format', args.format, FORMATS, 'format');
  const failOn = oneOf('fail-on', args['fail-on'], FAIL_ON, 'level');
  const size = parseSize(args['max-file-size']);
  if (!size.ok) throw new UsageError(`--max-file-size: ${size.problem}`);

  const [{ scanPaths }, { loadSuppressions }] = await Promise.all([import('../scan/scan-paths.js'), import('../scan/suppressions.js')]);
  if (args.jobs !== undefined && (!Number.isInteger(args.jobs) || args.jobs < 1 || args.jobs > 256)) throw new UsageError(`--jobs: '${args.jobs}' is not a thread count; use a whole number from 1 to 256`);
  const result = await scanPaths(args._.map(String), {
    limits: { maxFileBytes: size.value },
    suppressions: loadSuppressions(args.config),
    cache: args.cache,
    ...(args.jobs === undefined ? {} : { jobs: args.jobs }),
  });
  let report: string;
  if (format === 'json') report = (await import('../report/scan-json.js')).renderScanJson(result);
  else if (format === 'sarif') report = (await import('../report/scan-sarif.js')).renderScanSarif(result);
  else report = (await import('../report/scan-text.js')).renderScanText(result, !args.output && process.stdout.isTTY === true && !process.env['NO_COLOR']);
  if (args.output) writeFileSync(args.output, report);
  else if (!args.quiet) process.stdout.write(report);
  return failOnExitCode(result.riskLevel, failOn);
}
