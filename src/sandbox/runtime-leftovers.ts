/**
 * Host processes a container's runtime left behind after a failed start. Under runsc, dockerd
 * 20.10 removes the container but leaves the containerd task: its shim and runsc's sandbox and
 * gofer keep running. They carry the container id on their command line, so they are found in
 * /proc and stopped: first through containerd (`ctr tasks delete`, which also drops its record),
 * else by signalling the shim, which takes the sandbox down with it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { execa } from 'execa';

interface Leftover {
  pid: number;
  comm: string;
  args: string[];
}

const RUNTIME_PROCESS = /^(containerd-shim|runsc)/;

/** Processes of a runtime (shim, runsc-sandbox, runsc-gofer) whose command line names the container. */
export function findRuntimeLeftovers(containerId: string, procRoot = '/proc'): Leftover[] {
  if (!/^[0-9a-f]{64}$/.test(containerId)) return [];
  const found: Leftover[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync(procRoot).filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  for (const entry of entries) {
    try {
      const raw = readFileSync(`${procRoot}/${entry}/cmdline`, 'utf8');
      if (!raw.includes(containerId)) continue;
      const args = raw.split('\0').filter(Boolean);
      const comm = (args[0] ?? '').split('/').pop() ?? '';
      if (RUNTIME_PROCESS.test(comm)) found.push({ pid: Number(entry), comm, args });
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

function argAfter(args: string[], flag: string): string | undefined {
  const at = args.indexOf(flag);
  return at === -1 ? undefined : args[at + 1];
}

type Ctr = (...args: string[]) => Promise<unknown>;

/** containerd's command-line client, aimed at the shim's containerd and namespace. */
function ctrFor(shim: Leftover): Ctr | undefined {
  const address = argAfter(shim.args, '-address');
  const namespace = argAfter(shim.args, '-namespace');
  if (!address || !namespace) return undefined;
  return (...args: string[]) => execa('ctr', ['--address', address, '-n', namespace, ...args], { reject: false, timeout: 5000 }).catch(() => undefined);
}

function signal(pids: number[], sig: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, sig);
    } catch {
      // gone already, or not ours to signal (reported by the caller)
    }
  }
}

async function settle(containerId: string, ms: number): Promise<Leftover[]> {
  const until = Date.now() + ms;
  let left = findRuntimeLeftovers(containerId);
  while (left.length > 0 && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    left = findRuntimeLeftovers(containerId);
  }
  return left;
}

/** Stops what is left of the container's runtime; returns what could not be stopped ("pid 12 (runsc-sandbox)"). */
export async function removeRuntimeLeftovers(containerId: string): Promise<string[]> {
  let left = await settle(containerId, 300);
  if (left.length === 0) return [];
  const shim = left.find((p) => p.comm.startsWith('containerd-shim'));
  const ctr = shim ? ctrFor(shim) : undefined;
  await ctr?.('tasks', 'delete', '--force', containerId);
  left = await settle(containerId, 1000);
  if (left.length > 0) {
    signal(left.filter((p) => p.comm.startsWith('containerd-shim')).map((p) => p.pid), 'SIGTERM');
    left = await settle(containerId, 2000);
  }
  if (left.length > 0) {
    signal(left.map((p) => p.pid), 'SIGKILL');
    left = await settle(containerId, 1000);
  }
  // containerd keeps a record of the container until its task is gone; drop it too.
  await ctr?.('containers', 'delete', containerId);
  return left.map((p) => `pid ${p.pid} (${p.comm})`);
}
