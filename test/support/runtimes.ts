/**
 * The OCI runtimes containment tests run under, and leftover checks scoped to one saferun process
 * (other runs share the engine). A test file loops over CONTAINMENT_RUNTIMES to run under each.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import Docker from 'dockerode';

export const CONTAINMENT_RUNTIMES = ['runc', 'runsc'] as const;
export type ContainmentRuntime = (typeof CONTAINMENT_RUNTIMES)[number];

/** Fails (never skips) when the engine does not list the runtime, naming the fix. */
export async function assertRuntimeRegistered(runtime: string): Promise<void> {
  const info = (await new Docker().info()) as { Runtimes?: Record<string, unknown> };
  const listed = Object.keys(info.Runtimes ?? {});
  assert.ok(
    listed.includes(runtime),
    `the engine lists runtimes ${listed.join(', ')}, not ${runtime}: register runsc in /etc/docker/daemon.json and send dockerd SIGHUP (README: gVisor), or run .ci/run`,
  );
}

/** Containers and networks labelled with this saferun process's pid. */
export async function saferunResourcesOf(ownerPid: number): Promise<string[]> {
  const docker = new Docker();
  const filters = JSON.stringify({ label: [`saferun.owner-pid=${ownerPid}`] });
  const [containers, networks] = await Promise.all([docker.listContainers({ all: true, filters }), docker.listNetworks({ filters })]);
  return [...containers.map((c) => `container ${c.Names.join(',')}`), ...networks.map((n) => `network ${n.Name}`)];
}

/** Runtime processes (containerd shims, runsc sandboxes and gofers) whose command line names the container. */
export function runtimeProcessesOf(containerId: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmdline.includes(containerId) && /^(\S*\/)?(containerd-shim|runsc)/.test(cmdline)) found.push(`${pid} ${cmdline.split('\0')[0]}`);
    } catch {
      // gone
    }
  }
  return found;
}

/** Container ids named by runtime processes (shims, runsc) that the engine no longer lists: strays. */
export async function strayRuntimeContainerIds(): Promise<string[]> {
  const known = new Set((await new Docker().listContainers({ all: true })).map((c) => c.Id));
  const ids = new Set<string>();
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!/^(\S*\/)?(containerd-shim|runsc)/.test(cmdline)) continue;
      for (const id of cmdline.match(/[0-9a-f]{64}/g) ?? []) if (!known.has(id)) ids.add(id);
    } catch {
      // gone
    }
  }
  return [...ids];
}

/** A tiny image with no python3 in it, built offline (FROM scratch): starting python in it fails. */
export async function buildImageWithoutPython(tag: string): Promise<void> {
  const { pack } = await import('tar-stream');
  const tar = pack();
  tar.entry({ name: 'Dockerfile' }, 'FROM scratch\nCOPY marker /marker\n');
  tar.entry({ name: 'marker' }, 'saferun test image\n');
  tar.finalize();
  const docker = new Docker();
  const stream = await docker.buildImage(tar as unknown as NodeJS.ReadableStream, { t: tag, labels: { 'saferun.test': 'engines' } });
  await new Promise((resolve, reject) => docker.modem.followProgress(stream, (error) => (error ? reject(error) : resolve(undefined))));
}
