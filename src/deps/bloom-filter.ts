/**
 * A Bloom filter over package names: "is this name on PyPI?" in about 1.6 MB instead of 15 MB of
 * names, answered without loading a set. False positives (about 1 in 1,000) make an unknown name
 * look known; a known name is never reported unknown.
 *
 * File layout: "SRBF", version byte 1, k (u8), m bits (u32 LE), date length (u16 LE), date (ASCII),
 * then ceil(m / 8) bytes of bits.
 */

const MAGIC = 'SRBF';

function hash32(text: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export class BloomFilter {
  private constructor(
    private readonly bits: Uint8Array,
    private readonly m: number,
    private readonly k: number,
    /** The day the names were listed. */
    readonly date: string,
  ) {}

  static build(names: Iterable<string>, count: number, date: string, bitsPerName = 14.4, k = 10): BloomFilter {
    const m = Math.max(64, Math.ceil(count * bitsPerName));
    const filter = new BloomFilter(new Uint8Array(Math.ceil(m / 8)), m, k, date);
    for (const name of names) filter.add(name);
    return filter;
  }

  static load(buffer: Uint8Array): BloomFilter {
    const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    if (buffer.byteLength < 12 || String.fromCharCode(...buffer.subarray(0, 4)) !== MAGIC || buffer[4] !== 1) throw new Error('not a saferun name filter');
    const k = buffer[5]!;
    const m = view.getUint32(6, true);
    const dateLength = view.getUint16(10, true);
    const date = String.fromCharCode(...buffer.subarray(12, 12 + dateLength));
    const bits = buffer.subarray(12 + dateLength);
    if (bits.byteLength !== Math.ceil(m / 8) || k < 1 || k > 32) throw new Error('name filter is truncated or corrupt');
    return new BloomFilter(bits, m, k, date);
  }

  serialize(): Uint8Array {
    const header = new Uint8Array(12 + this.date.length);
    header.set([...MAGIC].map((c) => c.charCodeAt(0)), 0);
    header[4] = 1;
    header[5] = this.k;
    const view = new DataView(header.buffer);
    view.setUint32(6, this.m, true);
    view.setUint16(10, this.date.length, true);
    header.set([...this.date].map((c) => c.charCodeAt(0)), 12);
    const out = new Uint8Array(header.length + this.bits.length);
    out.set(header, 0);
    out.set(this.bits, header.length);
    return out;
  }

  add(name: string): void {
    const h1 = hash32(name, 0);
    const h2 = hash32(name, 0x9747b28c) | 1;
    for (let i = 0; i < this.k; i++) {
      const bit = ((h1 + Math.imul(i, h2)) >>> 0) % this.m;
      this.bits[bit >>> 3]! |= 1 << (bit & 7);
    }
  }

  has(name: string): boolean {
    const h1 = hash32(name, 0);
    const h2 = hash32(name, 0x9747b28c) | 1;
    for (let i = 0; i < this.k; i++) {
      const bit = ((h1 + Math.imul(i, h2)) >>> 0) % this.m;
      if ((this.bits[bit >>> 3]! & (1 << (bit & 7))) === 0) return false;
    }
    return true;
  }
}
