/**
 * How a running run and `saferun top` talk: each run listens on a Unix socket in the state
 * directory (`live/<runId>-<pid>.sock`, the directory private to the user), and answers one JSON
 * request per connection: {"op":"status"} → its RunStatus, {"op":"cut"} → cuts its network through
 * the monitor's own cut, {"op":"stop"} → stops it as SIGTERM would. Nothing is written while no one
 * asks, so a run that nobody watches pays nothing, and a reader never sees a half-written figure.
 */
import { mkdirSync, chmodSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { RunStatus } from './run-status.js';
import { stateDir } from '../util/state-dir.js';

export type ControlOp = 'status' | 'cut' | 'stop';

export interface ControlReply {
  ok: boolean;
  message?: string;
  status?: RunStatus;
}

export interface RunControlHandlers {
  status(): RunStatus;
  cut(): Promise<string>;
  stop(): string;
}

const MAX_REQUEST_BYTES = 1024;
const CLIENT_TIMEOUT_MS = 1500;
/** Unix socket paths are limited to 108 bytes on Linux (104 elsewhere). */
const MAX_SOCKET_PATH = 100;

/** Where running runs listen: `live/` in the state directory. */
export function defaultLiveDir(): string {
  return defaultLiveDirIn(stateDir());
}

export function defaultLiveDirIn(state: string): string {
  return path.join(state, 'live');
}

export interface Publication {
  socketPath: string;
  close(): Promise<void>;
}

/** Starts answering requests for this run; undefined (and a reason) when it cannot. */
export async function publishRun(dir: string, runId: string, handlers: RunControlHandlers): Promise<Publication | { problem: string }> {
  const socketPath = path.join(dir, `${runId}-${process.pid}.sock`);
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH) return { problem: `the state directory's path is too long for a socket (${socketPath})` };
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
  } catch (error) {
    return { problem: `cannot create ${dir}: ${(error as NodeJS.ErrnoException).code ?? String(error)}` };
  }
  const server = net.createServer((socket) => answer(socket, handlers));
  server.on('error', () => undefined);
  const listening = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(socketPath, () => resolve(true));
  });
  if (!listening) return { problem: `cannot listen on ${socketPath}` };
  try {
    chmodSync(socketPath, 0o600);
  } catch {
    // the directory is private already
  }
  server.unref();
  return {
    socketPath,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        rmSync(socketPath, { force: true });
      }),
  };
}

function answer(socket: net.Socket, handlers: RunControlHandlers): void {
  let received = '';
  socket.setTimeout(CLIENT_TIMEOUT_MS, () => socket.destroy());
  socket.on('error', () => undefined);
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString('utf8');
    if (received.length > MAX_REQUEST_BYTES) return socket.destroy();
    const end = received.indexOf('\n');
    if (end === -1) return;
    socket.removeAllListeners('data');
    void reply(received.slice(0, end), handlers).then((response) => socket.end(`${JSON.stringify(response)}\n`));
  });
}

async function reply(line: string, handlers: RunControlHandlers): Promise<ControlReply> {
  let op: unknown;
  try {
    op = (JSON.parse(line) as { op?: unknown }).op;
  } catch {
    return { ok: false, message: 'not a JSON request' };
  }
  try {
    if (op === 'status') return { ok: true, status: handlers.status() };
    if (op === 'cut') return { ok: true, message: await handlers.cut() };
    if (op === 'stop') return { ok: true, message: handlers.stop() };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
  return { ok: false, message: `unknown request ${JSON.stringify(op)}; use status, cut or stop` };
}

/** Sends one request to the run behind `socketPath`. */
export function request(socketPath: string, op: ControlOp): Promise<ControlReply> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath);
    let received = '';
    socket.setTimeout(CLIENT_TIMEOUT_MS, () => socket.destroy(Object.assign(new Error('no answer'), { code: 'ETIMEDOUT' })));
    socket.once('connect', () => socket.write(`${JSON.stringify({ op })}\n`));
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('utf8');
      if (received.length > 4 * 1024 * 1024) socket.destroy(new Error('answer too long'));
    });
    socket.once('error', reject);
    socket.once('end', () => {
      try {
        resolve(JSON.parse(received) as ControlReply);
      } catch {
        reject(new Error('not a JSON answer'));
      }
    });
  });
}

export interface LiveRun {
  socketPath: string;
  status: RunStatus;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Every run that answers, oldest first; sockets left by runs that died are removed. */
export async function listLiveRuns(dir: string): Promise<LiveRun[]> {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.sock'));
  } catch {
    return [];
  }
  const runs = await Promise.all(
    names.map(async (name): Promise<LiveRun | undefined> => {
      const socketPath = path.join(dir, name);
      try {
        const reply = await request(socketPath, 'status');
        return reply.ok && reply.status ? { socketPath, status: reply.status } : undefined;
      } catch (error) {
        const pid = Number(/-(\d+)\.sock$/.exec(name)?.[1] ?? 0);
        const code = (error as NodeJS.ErrnoException).code;
        if ((code === 'ECONNREFUSED' || code === 'ENOENT') && pid > 0 && !alive(pid)) rmSync(socketPath, { force: true });
        return undefined;
      }
    }),
  );
  return runs.filter((r): r is LiveRun => r !== undefined).sort((a, b) => a.status.startedAt.localeCompare(b.status.startedAt));
}
