/** Looks for decoy values in a byte stream, across chunk boundaries. */
export class CanaryWatch {
  private readonly needles: Buffer[];
  private readonly keep: number;
  private tail = Buffer.alloc(0);

  constructor(canaries: readonly string[]) {
    this.needles = canaries.filter((c) => c.length > 0).map((c) => Buffer.from(c, 'utf8'));
    this.keep = Math.max(0, ...this.needles.map((n) => n.length - 1));
  }

  get active(): boolean {
    return this.needles.length > 0;
  }

  /** True when a canary appears in what was seen so far (this chunk and the end of the previous one). */
  sees(chunk: Buffer | string): boolean {
    if (this.needles.length === 0) return false;
    const data = Buffer.concat([this.tail, typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk]);
    const found = this.needles.some((needle) => data.includes(needle));
    this.tail = data.subarray(Math.max(0, data.length - this.keep));
    return found;
  }
}

/** Whether any canary appears in a piece of text (case-insensitive: host names are). */
export function textHasCanary(canaries: readonly string[], text: string): boolean {
  const lower = text.toLowerCase();
  return canaries.some((c) => c.length > 0 && lower.includes(c.toLowerCase()));
}
