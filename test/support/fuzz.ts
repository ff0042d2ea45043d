/**
 * Reproducible fuzzing: every random choice comes from one seed, printed when the test starts and in
 * every failure. `SAFERUN_FUZZ_SEED=N` replays a run exactly.
 */

export function fuzzSeed(): number {
  const given = process.env['SAFERUN_FUZZ_SEED'];
  if (given !== undefined && given !== '') {
    const seed = Number(given);
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new Error(`SAFERUN_FUZZ_SEED=${given}: use an integer from 0 to 4294967295`);
    return seed;
  }
  return Math.floor(Math.random() * 0x100000000);
}

/** mulberry32: small, fast, and the same sequence for the same seed on every platform. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x100000000;
  };
}

export function randomBytesFrom(random: () => number, length: number): Buffer {
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i++) bytes[i] = Math.floor(random() * 256);
  return bytes;
}

/** How to replay: printed at the start (it survives a hang that kills the file) and added to failures. */
export function replayHint(seed: number): string {
  return `fuzz seed ${seed}: replay with SAFERUN_FUZZ_SEED=${seed}`;
}

export async function withSeed<T>(seed: number, body: () => T | Promise<T>): Promise<T> {
  console.log(replayHint(seed));
  try {
    return await body();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${message}\n${replayHint(seed)}`, { cause: error });
  }
}
