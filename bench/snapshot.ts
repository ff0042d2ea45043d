/**
 * bench/snapshot: a generated 100 MB / 5,000-file tree. First snapshot vs `tar -cf` of the same tree
 * (goal ≤ 1.2×), second snapshot of the unchanged tree (goal ≤ 10% of the first, ~0 bytes added).
 * Each is run three times (fresh store for "first"); medians are printed.
 *
 *   npm run bench:snapshot
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SnapshotStore } from '../src/snapshot/store.js';
import { takeSnapshot } from '../src/snapshot/take-snapshot.js';

const FILES = 5000;
const TOTAL_BYTES = 100 * 1024 * 1024;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main(): Promise<void> {
  const base = mkdtempSync(path.join(os.tmpdir(), 'saferun-bench-snap-'));
  try {
    const tree = path.join(base, 'tree');
    // Sizes vary (1 KB .. ~40 KB) like a real project; content is random so nothing dedups.
    let written = 0;
    for (let i = 0; i < FILES; i++) {
      const dir = path.join(tree, `d${i % 50}`, `s${i % 7}`);
      mkdirSync(dir, { recursive: true });
      const size = i === FILES - 1 ? Math.max(1, TOTAL_BYTES - written) : Math.floor(((i % 40) + 1) * (TOTAL_BYTES / FILES / 20.5));
      writeFileSync(path.join(dir, `f${i}.dat`), randomBytes(size));
      written += size;
    }
    execFileSync('sync');
    const tarTimes: number[] = [];
    const firstTimes: number[] = [];
    const secondTimes: number[] = [];
    let secondAdded = 0;
    let firstAdded = 0;
    for (let round = 0; round < 3; round++) {
      const archive = path.join(base, 'tree.tar');
      let t0 = performance.now();
      execFileSync('tar', ['-cf', archive, '-C', tree, '.']);
      tarTimes.push(performance.now() - t0);
      rmSync(archive);
      const store = new SnapshotStore(path.join(base, `store-${round}`));
      t0 = performance.now();
      const first = await takeSnapshot([tree], { store });
      firstTimes.push(performance.now() - t0);
      firstAdded = first.bytesAdded;
      t0 = performance.now();
      const second = await takeSnapshot([tree], { store });
      secondTimes.push(performance.now() - t0);
      secondAdded = second.bytesAdded;
      rmSync(path.join(base, `store-${round}`), { recursive: true, force: true });
    }
    const tar = median(tarTimes);
    const first = median(firstTimes);
    const second = median(secondTimes);
    process.stdout.write(`snapshot bench: ${FILES} files, ${(written / 1024 ** 2).toFixed(0)} MB, medians of 3\n`);
    process.stdout.write(`  tar -cf             ${tar.toFixed(0).padStart(6)} ms\n`);
    process.stdout.write(`  first snapshot      ${first.toFixed(0).padStart(6)} ms  ${(first / tar).toFixed(2)}× tar (goal ≤ 1.20)  ${(firstAdded / 1024 ** 2).toFixed(1)} MB added\n`);
    process.stdout.write(`  unchanged snapshot  ${second.toFixed(0).padStart(6)} ms  ${((second / first) * 100).toFixed(1)}% of first (goal ≤ 10%)  ${secondAdded} bytes added\n`);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench/snapshot: ${String(error)}\n`);
  process.exitCode = 1;
});
