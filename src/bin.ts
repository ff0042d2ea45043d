#!/usr/bin/env node
/**
 * Entry point: pick one command, run it, turn its outcome into an exit code.
 * Commands are imported lazily so `saferun --help` never loads Docker or the parser.
 */
import { ExitCode, SaferunError } from './errors.js';

type CommandModule = { main(argv: string[]): Promise<number> };

const COMMANDS: Record<string, { summary: string; load: () => Promise<CommandModule> }> = {
  // one line per command: name, summary, lazy import of src/cli/<name>.ts
  run: { summary: 'scan, decide and run a Python program in the sandbox (the default)', load: () => import('./cli/run.js') },
  scan: { summary: 'statically scan files, directories, wheels, sdists or notebooks', load: () => import('./cli/scan.js') },
  deps: { summary: 'check declared and imported dependencies: squats, sources, vulnerabilities, licences', load: () => import('./cli/deps.js') },
  top: { summary: 'watch every running run live: CPU, memory, pids, network, alerts; cut or stop one', load: () => import('./cli/top.js') },
  runs: { summary: 'list past runs or show one\'s report (text, JSON or HTML)', load: () => import('./cli/runs.js') },
  snapshots: { summary: 'list, diff, restore, prune, export and import recovery snapshots', load: () => import('./cli/snapshots.js') },
  envs: { summary: 'list or prune the cached package environments', load: () => import('./cli/envs.js') },
  profiles: { summary: 'list the profiles or show one, resolved', load: () => import('./cli/profiles.js') },
  image: { summary: 'build the sandbox image or show its status', load: () => import('./cli/image.js') },
  doctor: { summary: 'check the Docker engine, limits, image and runtimes', load: () => import('./cli/doctor.js') },
};

const USAGE = `saferun — run Python programs you do not fully trust

Usage:
  saferun [options] script.py [args...]    like \`python script.py args...\`, but scanned and sandboxed
  saferun [options] -m module [args...]    like \`python -m module\`
  saferun [options] -c "code" [args...]    like \`python -c code\`
  saferun <command> [...]

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`)
  .join('\n')}

Run \`saferun run --help\` for every run option, \`saferun <command> --help\` for the others.
Exit codes: the program's own; 2 usage, 120 blocked by policy, 121 saferun error,
123 out of memory, 124 timeout, 130 interrupted.`;

function pickCommand(argv: string[]): { name: string; rest: string[] } {
  const first = argv[0];
  if (first !== undefined && Object.hasOwn(COMMANDS, first)) return { name: first, rest: argv.slice(1) };
  return { name: 'run', rest: argv };
}

async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || (argv.length === 1 && (argv[0] === '--help' || argv[0] === '-h'))) {
    process.stdout.write(`${USAGE}\n`);
    return argv.length === 0 ? ExitCode.usage : ExitCode.ok;
  }
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    const { readPackageVersion } = await import('./util/package-info.js');
    process.stdout.write(`${readPackageVersion()}\n`);
    return ExitCode.ok;
  }
  const { name, rest } = pickCommand(argv);
  const command = await COMMANDS[name]!.load();
  return command.main(rest);
}

/**
 * Output piped into a reader that stopped (`saferun scan . | head`): stop quietly, as a pipeline
 * expects. A run in progress gets the same as SIGTERM, so its container is stopped and removed.
 */
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    if (process.listenerCount('SIGTERM') > 0) process.emit('SIGTERM', 'SIGTERM');
    else process.exit(process.exitCode ?? ExitCode.ok);
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // A failed command must end even if a resource it opened (a worker, a socket) was not closed.
    setTimeout(() => process.exit(), 3000).unref();
    if (error instanceof SaferunError) {
      process.stderr.write(`saferun: ${error.message}\n`);
      process.exitCode = error.exitCode;
      // A signal ended the run before the program started: work still under way (a snapshot, scan
      // workers) is abandoned rather than waited for.
      if (error.exitCode > 128) process.exit(error.exitCode);
      return;
    }
    process.stderr.write(`saferun: internal error (a bug, please report it):\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = ExitCode.saferunError;
  },
);
