/**
 * A status line pinned to the terminal's bottom row while the program's output scrolls above it,
 * the way apt draws its progress bar: the scroll region is set to every row but the last, and the
 * line is drawn there between a cursor save and restore. The program's output passes through
 * `wrap()` so the line is only drawn between whole characters and escape sequences, and a program
 * running in a TTY is told the terminal is one row shorter (`rowsForProgram`).
 *
 * The terminal is restored (scroll region reset, bottom row cleared, cursor shown) by `stop()`,
 * and by an exit hook when the process ends any other way (an uncaught error, process.exit).
 */
import { writeSync } from 'node:fs';
import { Writable } from 'node:stream';
import { OutputTracker } from './output-tracker.js';

export interface StatusTerminal {
  fd: number;
  rows: number;
  columns: number;
  on(event: 'resize', listener: () => void): unknown;
  off(event: 'resize', listener: () => void): unknown;
}

const ESC = '\u001b';
/** How long a cursor saved by the program holds our drawing back before we draw anyway. */
const SAVED_CURSOR_PATIENCE_MS = 1000;
const MIN_ROWS = 4;

export class PinnedStatusLine {
  private readonly tracker: OutputTracker;
  private timer: NodeJS.Timeout | undefined;
  private active = false;
  private drawPending = false;
  /** Our scroll region must be set again at the next drawing (the program reset it, or the size changed). */
  private regionPending = false;
  private heldSince: number | undefined;
  private rows: number;
  /** What the row shows now: an unchanged line is not drawn again. */
  private shown = '';
  private readonly onResize = (): void => this.resized();
  private readonly onExit = (): void => this.restore();

  constructor(
    private readonly terminal: StatusTerminal,
    private readonly render: (columns: number) => string,
    private readonly intervalMs = 1000,
  ) {
    this.rows = terminal.rows;
    this.tracker = new OutputTracker(() => this.rows - 1);
  }

  /** Whether the terminal is tall enough to give up a row. */
  static fits(terminal: { rows?: number; columns?: number }): boolean {
    return (terminal.rows ?? 0) >= MIN_ROWS && (terminal.columns ?? 0) >= 20;
  }

  /** Rows the program should believe it has. */
  get rowsForProgram(): number {
    // read live: the engine is resized from a 'resize' listener that may run before ours
    return this.active ? this.terminal.rows - 1 : this.terminal.rows;
  }

  start(): void {
    if (this.active) return;
    this.active = true;
    // a new line first, so a cursor on the last row moves up out of the way instead of being covered
    this.emit(`\n${ESC}[1A${this.setRegion()}`);
    this.draw();
    this.timer = setInterval(() => this.draw(), this.intervalMs);
    this.timer.unref();
    this.terminal.on('resize', this.onResize);
    process.on('exit', this.onExit);
  }

  stop(): void {
    if (!this.active) return;
    clearInterval(this.timer);
    this.terminal.off('resize', this.onResize);
    process.off('exit', this.onExit);
    this.restore();
  }

  /** Asks for a drawing now (an alert came in); it happens at the next safe point. */
  refresh(): void {
    this.draw();
  }

  /**
   * A stream to give the program's output to instead of `target` (same terminal): it passes every
   * byte on unchanged and draws a pending status line once the output is at a safe point.
   */
  wrap<T extends NodeJS.WritableStream>(target: T): Writable & { rows: number; columns: number } {
    const line = this;
    const stream = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        line.tracker.feed(chunk);
        target.write(chunk);
        const regionReset = line.tracker.takeRegionReset();
        if (line.drawPending || regionReset) line.draw(regionReset);
        callback();
      },
      final(callback) {
        callback(); // the terminal stays open: only the wrapper ends
      },
    });
    Object.defineProperty(stream, 'rows', { get: () => line.rowsForProgram });
    Object.defineProperty(stream, 'columns', { get: () => line.terminal.columns });
    return stream as Writable & { rows: number; columns: number };
  }

  private setRegion(): string {
    return `${ESC}7${ESC}[1;${this.rows - 1}r${ESC}8`;
  }

  private draw(regionToo = false): void {
    if (!this.active) return;
    const tracker = this.tracker;
    if (regionToo || tracker.takeRegionReset()) this.regionPending = true;
    if (!tracker.atBoundary || (tracker.cursorSaved && this.holdForSavedCursor())) {
      this.drawPending = true;
      return;
    }
    this.heldSince = undefined;
    this.drawPending = false;
    const region = this.regionPending ? this.setRegion() : '';
    this.regionPending = false;
    const text = this.render(this.terminal.columns);
    if (region === '' && text === this.shown) return;
    this.shown = text;
    this.emit(`${region}${ESC}7${ESC}[${this.rows};1H${ESC}[2K${text}${ESC}8`);
  }

  private holdForSavedCursor(): boolean {
    this.heldSince ??= Date.now();
    return Date.now() - this.heldSince < SAVED_CURSOR_PATIENCE_MS;
  }

  private resized(): void {
    const rows = this.terminal.rows;
    if (!(rows >= MIN_ROWS)) return;
    this.emit(`${ESC}7${ESC}[${this.rows};1H${ESC}[2K${ESC}8`);
    this.rows = rows;
    this.shown = '';
    this.draw(true);
  }

  private restore(): void {
    if (!this.active) return;
    this.active = false;
    clearInterval(this.timer);
    // clear our row, give the whole screen back to scrolling, show the cursor
    this.emit(`${ESC}7${ESC}[${this.rows};1H${ESC}[2K${ESC}8${ESC}7${ESC}[r${ESC}8${ESC}[?25h`);
  }

  /** Synchronous, so the exit hook's restoration reaches the terminal before the process ends. */
  private emit(text: string): void {
    try {
      writeSync(this.terminal.fd, text);
    } catch {
      // the terminal went away; nothing left to restore
    }
  }
}
