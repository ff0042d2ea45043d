/**
 * A private dockerd for tests that must stop or restart an engine: its own socket, data root,
 * exec root and pid file, no iptables, so the shared engine is never touched. NOT --bridge=none:
 * dockerd 20.10 then DELETES the host's docker0 interface (removeDefaultBridgeInterface), cutting
 * the shared engine's containers off; it gets its own bridge device, created and removed here.
 * The sandbox image is copied in from the shared engine (docker save | docker load).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import Docker from 'dockerode';

export class PrivateDockerd {
  readonly root = mkdtempSync(path.join(os.tmpdir(), 'sr-dockerd-'));
  readonly socket = path.join(this.root, 'd.sock');
  readonly host = `unix://${this.socket}`;
  /** A bridge device of this engine's own (interface names are at most 15 characters). */
  readonly bridge = `srtb${process.pid % 100_000}`;
  private child: ChildProcess | undefined;

  private args(): string[] {
    return [
      '-H', this.host,
      '--data-root', path.join(this.root, 'data'),
      '--exec-root', path.join(this.root, 'exec'),
      '--pidfile', path.join(this.root, 'dockerd.pid'),
      `--bridge=${this.bridge}`, '--iptables=false', '--ip-masq=false', '--ip-forward=false',
      '--log-level=error',
    ];
  }

  async start(): Promise<void> {
    const exists = await execa('ip', ['link', 'show', this.bridge], { reject: false });
    if (exists.exitCode !== 0) {
      // A /30 of its own; nothing is ever sent on it (the test's run has --network none).
      await execa('ip', ['link', 'add', this.bridge, 'type', 'bridge']);
      await execa('ip', ['addr', 'add', '10.213.213.1/30', 'dev', this.bridge]);
    }
    this.child = spawn('dockerd', this.args(), { stdio: 'ignore', detached: true });
    const docker = new Docker({ socketPath: this.socket });
    const until = Date.now() + 60_000;
    for (;;) {
      try {
        await docker.ping();
        return;
      } catch (error) {
        if (Date.now() > until || this.child.exitCode !== null) throw new Error(`the private dockerd did not come up: ${String(error)}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  }

  /** SIGTERM, as a service manager's restart does; resolves once it has exited. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Copies an image from the shared engine into this one. */
  async loadImage(image: string): Promise<void> {
    const shared = { ...process.env };
    delete shared['DOCKER_HOST'];
    await execa('bash', ['-o', 'pipefail', '-c', 'docker save "$1" | docker -H "$2" load -q', 'load', image, this.host], { env: shared, extendEnv: false });
  }

  async dispose(): Promise<void> {
    const docker = new Docker({ socketPath: this.socket });
    try {
      const containers = await docker.listContainers({ all: true });
      await Promise.all(containers.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
    } catch {
      // not running
    }
    await this.stop();
    await execa('umount', ['-R', path.join(this.root, 'data')], { reject: false });
    await execa('umount', ['-R', path.join(this.root, 'exec')], { reject: false });
    rmSync(this.root, { recursive: true, force: true });
    await execa('ip', ['link', 'delete', this.bridge], { reject: false });
  }
}
