/**
 * Follows the program's terminal output byte by byte, just enough to know when a status line may be
 * drawn without garbling it: not in the middle of an escape sequence or a UTF-8 character, not while
 * the program holds a saved cursor (our drawing saves and restores the cursor too, in the same single
 * slot), and whether the program reset the scroll region (then ours must be set again). Pure.
 */

type State = 'ground' | 'escape' | 'csi' | 'string' | 'string-escape' | 'charset';

export class OutputTracker {
  private state: State = 'ground';
  private csiText = '';
  private utf8Remaining = 0;
  /** The program saved the cursor (ESC 7 or CSI s) and has not restored it yet. */
  cursorSaved = false;
  /** The program is on the alternate screen (full-screen programs). */
  altScreen = false;
  /** The program changed the scroll region or reset the terminal since the last `takeRegionReset()`. */
  private regionTouched = false;

  constructor(private readonly ourBottomRow: () => number) {}

  /** Whether output may be interleaved here. */
  get atBoundary(): boolean {
    return this.state === 'ground' && this.utf8Remaining === 0;
  }

  takeRegionReset(): boolean {
    const touched = this.regionTouched;
    this.regionTouched = false;
    return touched;
  }

  feed(chunk: Uint8Array | string): void {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    for (const byte of bytes) this.step(byte);
  }

  private step(byte: number): void {
    switch (this.state) {
      case 'ground':
        if (byte === 0x1b) {
          this.state = 'escape';
          this.utf8Remaining = 0;
        } else if (this.utf8Remaining > 0) {
          this.utf8Remaining = (byte & 0xc0) === 0x80 ? this.utf8Remaining - 1 : 0;
        } else if (byte >= 0xc0 && byte < 0xf8) {
          this.utf8Remaining = byte >= 0xf0 ? 3 : byte >= 0xe0 ? 2 : 1;
        }
        return;
      case 'escape':
        if (byte === 0x5b) {
          this.state = 'csi';
          this.csiText = '';
        } else if (byte === 0x5d || byte === 0x50 || byte === 0x5f || byte === 0x5e || byte === 0x58) {
          this.state = 'string'; // OSC, DCS, APC, PM, SOS: until BEL or ST
        } else if (byte >= 0x20 && byte <= 0x2f) {
          this.state = 'charset'; // ESC ( B and the like: one more byte
        } else {
          if (byte === 0x37) this.cursorSaved = true; // ESC 7
          else if (byte === 0x38) this.cursorSaved = false; // ESC 8
          else if (byte === 0x63) {
            this.regionTouched = true; // ESC c: full reset
            this.cursorSaved = false;
            this.altScreen = false;
          }
          this.state = 'ground';
        }
        return;
      case 'charset':
        this.state = 'ground';
        return;
      case 'string':
        if (byte === 0x07) this.state = 'ground';
        else if (byte === 0x1b) this.state = 'string-escape';
        return;
      case 'string-escape':
        this.state = byte === 0x5c ? 'ground' : 'string';
        return;
      case 'csi':
        if (byte >= 0x40 && byte <= 0x7e) {
          this.finishCsi(this.csiText, String.fromCharCode(byte));
          this.state = 'ground';
        } else if (this.csiText.length < 64) this.csiText += String.fromCharCode(byte);
        return;
    }
  }

  private finishCsi(params: string, final: string): void {
    if (final === 's' && params === '') this.cursorSaved = true;
    else if (final === 'u' && params === '') this.cursorSaved = false;
    else if (final === 'r' && !params.startsWith('?')) {
      const bottom = Number(params.split(';')[1] ?? '0');
      if (!(bottom > 0 && bottom <= this.ourBottomRow())) this.regionTouched = true;
    } else if ((final === 'h' || final === 'l') && /^\?(1049|1047|47)$/.test(params)) {
      this.altScreen = final === 'h';
      if (final === 'l') this.regionTouched = true;
    }
  }
}
