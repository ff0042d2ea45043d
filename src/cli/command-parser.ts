/** The settings every subcommand's yargs parser shares: strict, no process exit, usage errors as UsageError. */
import yargs, { type Argv } from 'yargs';
import { UsageError } from '../errors.js';

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
