/**
 * What differs when the engine is Podman (its Docker-compatible API). Pure.
 *
 * Rootful Podman sets RLIMIT_NPROC to 1048576 in every container unless the request sets it, and
 * a host that forbids raising it that far (some VMs and nested containers; measured on Debian 12's
 * podman 4.3.1) fails every start with "error setting rlimit type 6". Docker leaves the limit as
 * the engine's own. saferun sets it to 32768, the default pid_max: no lower than the processes a
 * Linux host can have by default, so it never limits the program (the pids cgroup does that), and
 * low enough for such hosts. RLIMIT_NPROC counts all processes of the uid on the host, which is why
 * it is not the program's limit.
 */
import type { ContainerCreateOptions } from 'dockerode';

export const PODMAN_NPROC = 32768;

export function adaptForPodman(options: ContainerCreateOptions): ContainerCreateOptions {
  const host = options.HostConfig ?? {};
  const ulimits = (host.Ulimits ?? []).filter((u) => u.Name !== 'nproc');
  return { ...options, HostConfig: { ...host, Ulimits: [...ulimits, { Name: 'nproc', Soft: PODMAN_NPROC, Hard: PODMAN_NPROC }] } };
}
