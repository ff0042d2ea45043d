/**
 * bench/monitor: what the whole monitoring path costs saferun's own process — sampling four times a
 * second, the live status line in a terminal, and answering `saferun top` once a second — over a run
 * of a program that sleeps 30 s, against the same run with the monitor off (a profile with
 * monitor.enabled: false, --no-live). CPU is saferun's user+system time (its children included; the
 * program itself runs in the container, outside it), read by the shell's `times` inside a pseudo-
 * terminal made by script(1). Goal: at most 2% of one core.
 *
 *   npm run bench:monitor -- [--seconds 30] [--rounds 1]
 */
import { execa } from 'execa';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultLiveDirIn, listLiveRuns } from '../src/live/channel.js';
import { packageRoot } from '../src/util/package-info.js';

const root = packageRoot();
const bin = path.join(root, 'dist', 'src', 'bin.js');
const flag = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(name);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
};
const seconds = flag('--seconds', 30);
const rounds = flag('--rounds', 1);

const work = mkdtempSync(path.join(os.tmpdir(), 'saferun-bench-monitor-'));
process.once('exit', () => rmSync(work, { recursive: true, force: true }));
const stateDir = path.join(work, 'state');
const workdir = path.join(work, 'project');
mkdirSync(workdir, { recursive: true });
writeFileSync(path.join(workdir, 'sleeper.py'), `import time\ntime.sleep(${seconds})\nprint("slept")\n`);
writeFileSync(path.join(workdir, 'monitor-off.yaml'), 'extends: normal\nmonitor:\n  enabled: false\n');

const quote = (word: string): string => `'${word.replace(/'/g, `'\\''`)}'`;

/** saferun's CPU seconds (user + system) for one run, inside a 30x120 pseudo-terminal. */
async function cpuOfRun(args: string[], watchWithTop: boolean): Promise<number> {
  const command = `stty rows 30 cols 120; ${quote(process.execPath)} ${quote(bin)} ${args.map(quote).join(' ')} sleeper.py >/dev/null; times`;
  const child = execa('script', ['-qec', command, '/dev/null'], { cwd: workdir, env: { SAFERUN_STATE_DIR: stateDir, TERM: 'xterm-256color' }, stdin: 'ignore' });
  let polling: NodeJS.Timeout | undefined;
  if (watchWithTop) polling = setInterval(() => void listLiveRuns(defaultLiveDirIn(stateDir)).catch(() => undefined), 1000);
  const { stdout } = await child.finally(() => clearInterval(polling));
  // `times`: the shell's own line, then its children's: "0m0.950s 0m0.213s"
  const lines = String(stdout).split(/\r?\n/).filter((l) => /^\d+m[\d.]+s \d+m[\d.]+s$/.test(l.trim()));
  const children = lines.at(-1);
  if (!children) throw new Error(`no times output:\n${String(stdout).slice(-500)}`);
  return children
    .trim()
    .split(' ')
    .map((t) => {
      const [, m, s] = /^(\d+)m([\d.]+)s$/.exec(t)!;
      return Number(m) * 60 + Number(s);
    })
    .reduce((a, b) => a + b, 0);
}

// Interleaved: off, sampling only, everything; the middle one splits the cost between the sampling
// and the live view (status line + answering top).
const off: number[] = [];
const sampling: number[] = [];
const on: number[] = [];
for (let round = 0; round < rounds; round++) {
  off.push(await cpuOfRun(['--yes', '--profile', 'monitor-off.yaml', '--no-live'], false));
  sampling.push(await cpuOfRun(['--yes', '--profile', 'normal', '--no-live'], false));
  on.push(await cpuOfRun(['--yes', '--profile', 'normal'], true));
  process.stderr.write(`round ${round + 1}: monitor off ${off.at(-1)!.toFixed(3)} s, sampling only ${sampling.at(-1)!.toFixed(3)} s, everything ${on.at(-1)!.toFixed(3)} s CPU\n`);
}
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const percent = (extra: number): string => `${((extra / seconds) * 100).toFixed(2)}%`;
const total = median(on) - median(off);
console.log(`monitor off: ${median(off).toFixed(3)} s CPU; sampling only: ${median(sampling).toFixed(3)} s; sampling + live line + top watching: ${median(on).toFixed(3)} s`);
console.log(`  sampling:            ${(median(sampling) - median(off)).toFixed(3)} s = ${percent(median(sampling) - median(off))} of one core`);
console.log(`  live line + top:     ${(median(on) - median(sampling)).toFixed(3)} s = ${percent(median(on) - median(sampling))} of one core`);
console.log(`monitoring costs ${total.toFixed(3)} s CPU over a ${seconds} s run = ${percent(total)} of one core (goal ≤ 2%): ${(total / seconds) * 100 <= 2 ? 'OK' : 'OVER'}`);
