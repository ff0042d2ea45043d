/**
 * A small Docker Engine API client for the run's hot path: a handful of endpoints over the
 * engine's socket with node:http. dockerode costs 120–200 ms just to import (its gRPC session
 * and ssh2 load eagerly), which is most of saferun's per-run budget; builds, doctor and
 * monitoring keep using dockerode.
 */
import http from 'node:http';
import type { Duplex } from 'node:stream';
import type { ContainerCreateOptions, ContainerInspectInfo } from 'dockerode';

export class EngineApiError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'EngineApiError';
  }
}

export type EngineKind = 'docker' | 'podman';

type Target = { socketPath: string } | { host: string; port: number };

/** DOCKER_HOST unix:// or tcp:// (plain); anything else is refused with a clear message. */
export function engineTarget(dockerHost = process.env['DOCKER_HOST']): Target {
  if (!dockerHost) return { socketPath: '/var/run/docker.sock' };
  if (dockerHost.startsWith('unix://')) return { socketPath: dockerHost.slice('unix://'.length) };
  const tcp = /^tcp:\/\/([^:/]+):(\d+)\/?$/.exec(dockerHost);
  if (tcp && process.env['DOCKER_TLS_VERIFY'] !== '1') return { host: tcp[1]!, port: Number(tcp[2]) };
  throw new EngineApiError(0, `DOCKER_HOST=${dockerHost} is not supported for runs; use a unix:// socket or plain tcp://host:port`);
}

export interface ContainerSummary {
  Id: string;
  Labels: Record<string, string>;
}

export interface NetworkSummary {
  Id: string;
  Name: string;
  Labels?: Record<string, string>;
}

export interface EngineStats {
  cpu_stats?: { cpu_usage?: { total_usage?: number }; system_cpu_usage?: number; online_cpus?: number };
  precpu_stats?: { cpu_usage?: { total_usage?: number }; system_cpu_usage?: number };
  memory_stats?: { usage?: number };
  networks?: Record<string, { rx_bytes?: number; tx_bytes?: number }>;
}

export class EngineApi {
  private readonly target: Target;
  private readonly agent: http.Agent;

  constructor(target: Target = engineTarget()) {
    this.target = target;
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  }

  close(): void {
    this.agent.destroy();
  }

  /** 'podman' once a ping was answered by Podman's compat API (it sends Libpod-Api-Version). */
  kind: EngineKind = 'docker';

  private request(method: string, path: string, body?: unknown, expect: number[] = [200]): Promise<string> {
    return new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = http.request(
        {
          ...this.target,
          agent: this.agent,
          method,
          path,
          headers: payload === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) },
        },
        (res) => {
          if (res.headers['libpod-api-version']) this.kind = 'podman';
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            if (expect.includes(res.statusCode ?? 0)) resolve(text);
            else reject(new EngineApiError(res.statusCode ?? 0, engineMessage(text) || `${method} ${path}: HTTP ${res.statusCode}`));
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  private async json<T>(method: string, path: string, body?: unknown, expect?: number[]): Promise<T> {
    const text = await this.request(method, path, body, expect);
    return (text ? JSON.parse(text) : {}) as T;
  }

  ping(): Promise<string> {
    return this.request('GET', '/_ping');
  }

  /** The engine's runtimes (name → binary path) and its default one. */
  async runtimes(): Promise<{ runtimes: Record<string, string>; defaultRuntime: string; perContainer: boolean }> {
    const info = await this.json<{ Runtimes?: Record<string, { path?: string }>; DefaultRuntime?: string }>('GET', '/info');
    const runtimes = Object.fromEntries(Object.entries(info.Runtimes ?? {}).map(([name, entry]) => [name, entry?.path ?? '']));
    return { runtimes, defaultRuntime: info.DefaultRuntime ?? 'runc', perContainer: this.kind !== 'podman' };
  }

  /** Podman only: the runtime a container really has (its compat inspect says 'oci'). */
  async podmanRuntime(id: string): Promise<string | undefined> {
    const inspected = await this.json<{ OCIRuntime?: string }>('GET', `/v4.0.0/libpod/containers/${id}/json`);
    return inspected.OCIRuntime;
  }

  async createContainer(options: ContainerCreateOptions): Promise<string> {
    const { name, ...body } = options;
    const query = name ? `?name=${encodeURIComponent(name)}` : '';
    const created = await this.json<{ Id: string }>('POST', `/containers/create${query}`, body, [201]);
    return created.Id;
  }

  /** Hijacks the connection: what we write is the program's stdin, what we read its output. */
  attach(id: string): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      const req = http.request({
        ...this.target,
        method: 'POST',
        path: `/containers/${id}/attach?stream=1&stdin=1&stdout=1&stderr=1`,
        headers: { Connection: 'Upgrade', Upgrade: 'tcp' },
      });
      req.on('upgrade', (_res, socket, head) => {
        if (head.length > 0) socket.unshift(head);
        resolve(socket);
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const why = engineMessage(Buffer.concat(chunks).toString('utf8'));
          reject(new EngineApiError(res.statusCode ?? 0, `attach: ${why || `HTTP ${res.statusCode}`}`));
        });
      });
      req.on('error', reject);
      req.end();
    });
  }

  async start(id: string): Promise<void> {
    await this.request('POST', `/containers/${id}/start`, undefined, [204, 304]);
  }

  /** Resolves when the container next exits; call before start. */
  wait(id: string): Promise<{ StatusCode: number }> {
    return this.json('POST', `/containers/${id}/wait?condition=next-exit`);
  }

  inspect(id: string): Promise<ContainerInspectInfo> {
    return this.json('GET', `/containers/${id}/json`);
  }

  async kill(id: string, signal = 'SIGKILL'): Promise<void> {
    await this.request('POST', `/containers/${id}/kill?signal=${signal}`, undefined, [204, 409]);
  }

  async resize(id: string, rows: number, columns: number): Promise<void> {
    await this.request('POST', `/containers/${id}/resize?h=${rows}&w=${columns}`, undefined, [200, 204]);
  }

  async remove(id: string): Promise<void> {
    await this.request('DELETE', `/containers/${id}?force=1&v=1`, undefined, [204, 404, 409]);
  }

  listContainers(labelFilter: string): Promise<ContainerSummary[]> {
    return this.json('GET', `/containers/json?all=1&filters=${encodeURIComponent(JSON.stringify({ label: [labelFilter] }))}`);
  }

  listNetworks(labelFilter: string): Promise<NetworkSummary[]> {
    return this.json('GET', `/networks?filters=${encodeURIComponent(JSON.stringify({ label: [labelFilter] }))}`);
  }

  async createNetwork(body: Record<string, unknown>): Promise<string> {
    const created = await this.json<{ Id: string }>('POST', '/networks/create', body, [201]);
    return created.Id;
  }

  /** Cuts a running container off a network (the run's own, or the default bridge). */
  async disconnectNetwork(network: string, container: string): Promise<void> {
    await this.request('POST', `/networks/${encodeURIComponent(network)}/disconnect`, { Container: container, Force: true }, [200]);
  }

  /** One sample of the container's resource use (the engine waits for a second reading). */
  stats(id: string): Promise<EngineStats> {
    return this.json('GET', `/containers/${id}/stats?stream=false&one-shot=false`);
  }

  /** The container's processes, as the host's ps sees them. */
  top(id: string): Promise<{ Titles?: string[]; Processes?: string[][] }> {
    return this.json('GET', `/containers/${id}/top?ps_args=${encodeURIComponent('-eo pid,ppid,comm,args')}`);
  }

  async removeNetwork(id: string): Promise<void> {
    await this.request('DELETE', `/networks/${id}`, undefined, [204, 404]);
  }
}

function engineMessage(text: string): string {
  try {
    return (JSON.parse(text) as { message?: string }).message ?? text.trim();
  } catch {
    return text.trim();
  }
}
