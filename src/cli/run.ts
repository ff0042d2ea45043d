/**
 * `saferun [options] script.py [args...]` (also `-m module`, `-c code`, and `saferun run ...`).
 * Option parsing stops at the script: everything after it belongs to the program.
 */
import yargs from 'yargs';
import { UsageError } from '../errors.js';
import { NETWORK_MODES, type NetworkMode } from '../config/profile.js';
import { formatDuration, parseDuration, parseSize, TIMEOUT_RANGE_MS } from '../config/units.js';
import { parseAllowRule, type AllowRule } from '../network/allow-rules.js';
import type { RunRequest, RunTarget } from '../run/request.js';

const RUN_USAGE = `saferun [options] script.py [args...]
saferun [options] -m module [args...]
saferun [options] -c "code" [args...]

Scans the program, decides by the profile's policy, then runs it with python3 in a locked-down
container: non-root, no capabilities, read-only root and working directory, resource limits.`;

export function parseRunArgs(argv: string[], env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): RunRequest | 'help' {
  const parsed = yargs(argv)
    .scriptName('saferun')
    .usage(RUN_USAGE)
    .parserConfiguration({ 'halt-at-non-option': true, 'populate--': false, 'short-option-groups': false, 'camel-case-expansion': false })
    .option('profile', { alias: 'p', type: 'string', description: 'strict, offline, normal, or a profile .yaml file', default: env['SAFERUN_PROFILE'] || 'normal' })
    .option('m', { type: 'string', description: 'run a library module as a script (like python -m)' })
    .option('c', { type: 'string', description: 'run a program passed as a string (like python -c)' })
    .option('memory', { type: 'string', description: 'memory limit, swap included (e.g. 512m, 2g)' })
    .option('cpus', { type: 'string', description: 'CPU cores (e.g. 0.5, 2)' })
    .option('pids', { type: 'string', description: 'maximum number of processes and threads' })
    .option('timeout', { type: 'string', description: 'wall-clock limit (e.g. 30s, 5m)' })
    .option('network', { type: 'string', description: 'none, restricted, allowlist or open (at most what the profile allows)' })
    .option('allow-host', { type: 'string', description: 'HOST[:PORT] the program may reach in allowlist mode, for this run (repeatable)' })
    .option('runtime', { type: 'string', description: "OCI runtime: runc, runsc (gVisor), auto, or any the engine lists" })
    .option('output', { alias: 'o', type: 'string', description: 'a host directory the program may write (created if missing)' })
    .option('output-size', { type: 'string', description: 'how much the output dir may grow in this run (e.g. 100m, 2g)' })
    .option('e', { alias: 'env', type: 'string', description: 'set KEY=VAL in the sandbox (repeatable); no host variables pass otherwise' })
    .option('image', { type: 'string', description: 'run in this image instead of saferun\'s own' })
    .option('report', { type: 'string', description: 'write the report to this file: HTML when it ends in .html, else JSON' })
    .option('json', { type: 'boolean', default: false, description: 'print the JSON report on stdout after the run' })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, description: 'no progress or summary on stderr' })
    .option('live', { type: 'boolean', default: true, description: 'a live status line at the bottom of the terminal while the program runs (--no-live: none)' })
    .option('yes', { alias: 'y', type: 'boolean', default: false, description: 'answer yes when the policy asks' })
    .option('dry-run', { type: 'boolean', default: false, description: 'print the decision and the container configuration; run nothing' })
    .option('requirements', { alias: 'r', type: 'string', description: 'install these requirements first (instead of those found beside the script)' })
    .option('with', { type: 'string', description: 'install this requirement too (repeatable, e.g. --with rich==13.7.1)' })
    .option('index-url', { type: 'string', description: 'download packages from this index (PEP 503 simple API)' })
    .option('only-binary', { type: 'boolean', description: 'wheels only: never build a source distribution' })
    .option('snapshot', { type: 'boolean', description: 'snapshot the working and output dirs first (--no-snapshot to skip)' })
    .help(false)
    .version(false)
    .option('help', { alias: 'h', type: 'boolean', description: 'show this help' })
    .strictOptions()
    .exitProcess(false)
    .fail((message) => {
      throw new UsageError(message);
    })
    .wrap(Math.min(100, process.stdout.columns || 100));
  const args = parsed.parseSync();
  if (args['help'] === true) {
    parsed.showHelp((text: string) => process.stdout.write(`${text}\n`));
    return 'help';
  }
  const rest = args._.map(String);
  const target = pickTarget(args['m'], args['c'], rest);
  const programArgs = target.kind === 'script' ? rest.slice(1) : rest;
  return {
    target,
    args: programArgs,
    profile: args['profile'],
    limits: {
      ...(args['memory'] === undefined ? {} : { memoryBytes: sizeFlag('--memory', args['memory']) }),
      ...(args['cpus'] === undefined ? {} : { nanoCpus: cpusFlag(args['cpus']) }),
      ...(args['pids'] === undefined ? {} : { pids: pidsFlag(args['pids']) }),
      ...(args['timeout'] === undefined ? {} : { timeoutMs: durationFlag('--timeout', args['timeout']) }),
      ...(args['output-size'] === undefined ? {} : { outputBytes: outputSizeFlag(args['output-size']) }),
    },
    ...(args['network'] === undefined ? {} : { network: networkFlag(args['network']) }),
    allowHosts: allowHostFlags(args['allow-host']),
    ...(args['runtime'] === undefined ? {} : { runtime: runtimeFlag(args['runtime']) }),
    ...(args['output'] === undefined ? {} : { outputDir: nonEmpty('--output', args['output']) }),
    env: envFlags(args['e']),
    ...(args['image'] === undefined ? {} : { image: nonEmpty('--image', args['image']) }),
    ...(args['report'] === undefined ? {} : { reportFile: nonEmpty('--report', args['report']) }),
    json: args['json'],
    quiet: args['quiet'],
    live: args['live'],
    yes: args['yes'],
    dryRun: args['dry-run'],
    snapshot: args['snapshot'] !== false,
    ...(args['requirements'] === undefined ? {} : { requirementsFile: nonEmpty('--requirements', args['requirements']) }),
    withSpecs: repeated(args['with']),
    ...(args['index-url'] === undefined ? {} : { indexUrl: indexUrlFlag(args['index-url']) }),
    ...(args['only-binary'] === true ? { onlyBinary: true } : {}),
    cwd,
  };
}

function pickTarget(module: unknown, code: unknown, rest: string[]): RunTarget {
  if (module !== undefined && code !== undefined) throw new UsageError('-m and -c cannot be used together');
  if (Array.isArray(module) || Array.isArray(code)) throw new UsageError('-m and -c take one value each');
  if (typeof module === 'string') {
    if (!/^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*$/u.test(module)) throw new UsageError(`-m: '${module}' is not a module name; use e.g. -m http.server`);
    return { kind: 'module', name: module };
  }
  if (typeof code === 'string') return { kind: 'code', code };
  const script = rest[0];
  if (script === undefined) throw new UsageError('no program given; use `saferun script.py [args...]`, `-m module` or `-c "code"` (see saferun --help)');
  return { kind: 'script', path: script };
}

function repeated(value: unknown): string[] {
  const values = value === undefined ? [] : Array.isArray(value) ? value.map(String) : [String(value)];
  for (const v of values) {
    if (!/^[A-Za-z0-9]/.test(v.trim())) throw new UsageError(`--with: '${v}' is not a requirement; use e.g. --with requests==2.32.3`);
  }
  return values.map((v) => v.trim());
}

function indexUrlFlag(value: unknown): string {
  const text = single('--index-url', value);
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) throw new UsageError(`--index-url: '${text}' is not an http(s) URL; use e.g. https://pypi.example.com/simple/`);
  return text;
}

function single(flag: string, value: unknown): string {
  if (Array.isArray(value)) throw new UsageError(`${flag} was given ${value.length} times; give it once`);
  return String(value);
}

function nonEmpty(flag: string, value: unknown): string {
  const text = single(flag, value);
  if (text.trim() === '') throw new UsageError(`${flag} needs a value`);
  return text;
}

function sizeFlag(flag: string, value: unknown): number {
  const result = parseSize(single(flag, value));
  if (!result.ok) throw new UsageError(`${flag}: ${result.problem}`);
  if (result.value < 6 * 1024 ** 2) throw new UsageError(`${flag}: '${String(value)}' is too small; the engine needs at least 6m`);
  return result.value;
}

function outputSizeFlag(value: unknown): number {
  const result = parseSize(single('--output-size', value));
  if (!result.ok) throw new UsageError(`--output-size: ${result.problem}`);
  if (result.value < 1024 ** 2 || result.value > 64 * 1024 ** 4) throw new UsageError(`--output-size: '${String(value)}' is out of range; use from 1m to 65536g (e.g. 100m, 2g)`);
  return result.value;
}

function durationFlag(flag: string, value: unknown): number {
  const result = parseDuration(single(flag, value));
  if (!result.ok) throw new UsageError(`${flag}: ${result.problem}`);
  const { min, max } = TIMEOUT_RANGE_MS;
  if (result.value < min || result.value > max) {
    throw new UsageError(`${flag}: '${String(value)}' is out of range; use from ${formatDuration(min)} to ${formatDuration(max)} (e.g. 30m, 24h)`);
  }
  return result.value;
}

function cpusFlag(value: unknown): number {
  const text = single('--cpus', value);
  const cpus = Number(text);
  if (!Number.isFinite(cpus) || cpus < 0.01 || cpus > 1024) throw new UsageError(`--cpus: '${text}' is not a CPU count; use e.g. 0.5, 1, 2`);
  return Math.round(cpus * 1e9);
}

function pidsFlag(value: unknown): number {
  const text = single('--pids', value);
  const pids = Number(text);
  if (!Number.isInteger(pids) || pids < 8 || pids > 1_000_000) throw new UsageError(`--pids: '${text}' is not a process limit; use a whole number from 8 to 1000000`);
  return pids;
}

function networkFlag(value: unknown): NetworkMode {
  const text = single('--network', value);
  if (!(NETWORK_MODES as readonly string[]).includes(text)) throw new UsageError(`--network: '${text}' is not a network mode; use ${NETWORK_MODES.join(', ')}`);
  return text as NetworkMode;
}

function allowHostFlags(value: unknown): AllowRule[] {
  const entries = value === undefined ? [] : Array.isArray(value) ? value.map(String) : [String(value)];
  return entries.map((entry) => {
    const parsed = parseAllowRule(entry);
    if (!parsed.ok) throw new UsageError(`--allow-host: ${parsed.problem}`);
    return parsed.rule;
  });
}

function runtimeFlag(value: unknown): string {
  const text = single('--runtime', value);
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(text)) throw new UsageError(`--runtime: '${text}' is not a runtime name; use runc, runsc, auto, or a name \`saferun doctor\` lists`);
  return text;
}

function envFlags(value: unknown): Record<string, string> {
  const entries = value === undefined ? [] : Array.isArray(value) ? value.map(String) : [String(value)];
  const env: Record<string, string> = {};
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    const key = eq === -1 ? entry : entry.slice(0, eq);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new UsageError(`-e: '${entry}' is not KEY=VAL (KEY: letters, digits and _)`);
    if (eq === -1) {
      const hostValue = process.env[key];
      if (hostValue === undefined) throw new UsageError(`-e: '${key}' has no value here and is not set in your environment; use ${key}=VALUE`);
      env[key] = hostValue;
    } else env[key] = entry.slice(eq + 1);
  }
  return env;
}

export async function main(argv: string[]): Promise<number> {
  const request = parseRunArgs(argv);
  if (request === 'help') return 0;
  const { runPipeline } = await import('../run/pipeline.js');
  return runPipeline(request);
}
