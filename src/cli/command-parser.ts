/** The settings every subcommand's yargs parser shares: strict, no process exit, usage errors as UsageError. */
import yargs, { type Argv } from 'yargs';
import { UsageError } from '../errors.js';
import { severityRank, type RiskLevel } from '../findings/finding.js';

export function commandParser(argv: string[], scriptName: string, usage: string): Argv {
  return yargs(argv)
    .scriptName(scriptName)
    .usage(usage)
    .strict()
    .help()
    .version(false)
    .exitProcess(false)
    .fail((message, error) => {
      if (error) throw error;
      throw new UsageError(message);
    });
}

/** yargs has printed the help (exitProcess is off): the command must do nothing more. */
export function helpShown(args: Record<string, unknown>): boolean {
  return args['help'] === true;
}

/** A flag whose value must be one of a few words: the value, or a usage error naming them. */
export function oneOf<T extends string>(flag: string, value: string, accepted: readonly T[], noun: string): T {
  if (!(accepted as readonly string[]).includes(value)) throw new UsageError(`--${flag}: '${value}' is not a ${noun}; use ${accepted.join(', ')}`);
  return value as T;
}

/** `--fail-on LEVEL`: exit 1 when the risk level reaches it ('never': always 0). */
export function failOnExitCode(riskLevel: RiskLevel, failOn: RiskLevel | 'never'): number {
  return failOn !== 'never' && severityRank(riskLevel) >= severityRank(failOn) ? 1 : 0;
}
