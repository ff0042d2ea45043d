/**
 * The Docker engine connection. Only src/sandbox/ imports dockerode; everything else goes
 * through the functions this directory exports.
 */
import Docker from 'dockerode';
import { SaferunError } from '../errors.js';

export type Engine = Docker;

/** Connects using DOCKER_HOST when set, else the default local socket. Never throws. */
export function connectEngine(): Engine {
  return new Docker();
}

/** Pings the engine; a clear error (with the fix) when it is not reachable. */
export async function requireEngine(engine: Engine): Promise<void> {
  try {
    await engine.ping();
  } catch (cause) {
    throw new SaferunError(
      `no Docker engine is reachable (${describeSocket()}): start one (e.g. \`sudo systemctl start docker\` or \`sudo dockerd &\`) and check with \`saferun doctor\``,
      { cause },
    );
  }
}

function describeSocket(): string {
  return process.env['DOCKER_HOST'] ? `DOCKER_HOST=${process.env['DOCKER_HOST']}` : 'default socket /var/run/docker.sock';
}
