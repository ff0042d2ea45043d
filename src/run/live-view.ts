/**
 * The run's live side: the status line pinned to the terminal's bottom row, and the socket that
 * `saferun top` reads and sends cut/stop requests to. Both show the figures of one RunStatusBoard,
 * fed by the monitor's samples and the run's events.
 */
import type { ResourceLimits } from '../config/profile.js';
import { defaultLiveDir, publishRun, type Publication } from '../live/channel.js';
import { PinnedStatusLine } from '../live/pinned-line.js';
import { RunStatusBoard, type RunIdentity } from '../live/run-status.js';
import { formatStatusLine } from '../live/status-line.js';
import type { SandboxEvent, TimelinePoint } from '../run-record/types.js';
import type { SandboxIo, SandboxHooks } from '../sandbox/run-container.js';

export interface LiveViewOptions {
  identity: RunIdentity;
  limits: ResourceLimits;
  /** Draw the status line on stderr (a terminal, not --quiet, not --no-live). */
  statusLine: boolean;
  /** Stop the run, as SIGTERM would. */
  stop: () => void;
  /** Says why `saferun top` cannot see the run, when it cannot. */
  warn: (text: string) => void;
}

type CutNetwork = (reason: string) => Promise<'cut' | 'already-cut' | 'no-network'>;

export class LiveView {
  readonly board: RunStatusBoard;
  private line: PinnedStatusLine | undefined;
  private publication: Publication | undefined;
  private cutNetwork: CutNetwork | undefined;

  constructor(private readonly options: LiveViewOptions) {
    const { limits } = options;
    this.board = new RunStatusBoard(options.identity, { timeoutMs: limits.timeoutMs, cpus: limits.nanoCpus / 1e9, memoryBytes: limits.memoryBytes, pids: limits.pids });
    if (options.statusLine && PinnedStatusLine.fits(process.stderr)) {
      const color = !process.env['NO_COLOR'];
      this.line = new PinnedStatusLine(process.stderr as typeof process.stderr & { fd: number }, (columns) => formatStatusLine(this.board.snapshot(), columns, { color }));
      this.board.onChange(() => this.line?.refresh());
    }
  }

  async publish(): Promise<void> {
    const published = await publishRun(defaultLiveDir(), this.options.identity.runId, {
      status: () => this.board.snapshot(),
      cut: async () => {
        if (!this.cutNetwork) return 'the monitor is not watching this run (not started yet, or off in its profile): nothing to cut with';
        const outcome = await this.cutNetwork('cut from saferun top');
        return outcome === 'cut' ? 'network cut' : outcome === 'already-cut' ? 'the network was already cut' : 'the run has no network to cut';
      },
      stop: () => {
        this.options.stop();
        return 'stopping';
      },
    });
    if ('problem' in published) this.options.warn(`saferun: warning: saferun top will not see this run: ${published.problem}`);
    else this.publication = published;
  }

  /** The program's streams: through the status line when it is drawn, so it never cuts into them. */
  io(io: SandboxIo): SandboxIo {
    const line = this.line;
    if (!line) return io;
    const stdout = process.stdout.isTTY ? line.wrap(io.stdout) : io.stdout;
    return { ...io, stdout, stderr: line.wrap(io.stderr) };
  }

  hooks(onEvent: (event: SandboxEvent) => void): Pick<SandboxHooks, 'onEvent' | 'onSample' | 'onMonitorStarted'> {
    return {
      onEvent: (event) => {
        this.board.event(event);
        if (event.type === 'started') this.line?.start();
        if (event.type === 'exited' || event.type === 'removed') this.line?.stop();
        onEvent(event);
      },
      onSample: (point: TimelinePoint) => this.board.record(point),
      onMonitorStarted: (control) => {
        this.cutNetwork = control.cutNetwork;
      },
    };
  }

  async close(): Promise<void> {
    this.line?.stop();
    await this.publication?.close();
  }
}
