/**
 * `saferun snapshots restore ID [--dry-run] [--yes] [--to DIR]`: a preview, a confirmation, then
 * the restore. A snapshot that was imported names its roots itself (the tar said where it came
 * from): it is restored only with `--to DIR`, or into a root the user confirms by typing its full
 * path on a terminal; `--yes` never stands in for that.
 */
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { SaferunError, UsageError } from '../errors.js';
import { displayName } from '../snapshot/file-names.js';
import type { RestorePlan } from '../snapshot/plan-restore.js';
import type { SnapshotStore } from '../snapshot/store.js';

export function previewLines(label: string, items: string[], limit = 20): string[] {
  if (items.length === 0) return [];
  const shown = items.slice(0, limit).map((p) => `  ${label} ${p}`);
  if (items.length > limit) shown.push(`  … and ${items.length - limit} more`);
  return shown;
}

function describePlan(target: string, plan: RestorePlan, empty: boolean): string {
  const names = (xs: { path: string }[]): string[] => xs.map((x) => displayName(x.path));
  const lines = [
    ...previewLines('remove ', plan.remove.map(displayName)),
    ...previewLines('create ', plan.mkdirs.map((d) => `${displayName(d.path)}/`)),
    ...previewLines('write  ', names(plan.writes)),
    ...previewLines('link   ', plan.links.map((l) => `${displayName(l.path)} -> ${displayName(l.target!)}`)),
    ...previewLines('mode   ', names(plan.attributes)),
  ];
  const summary = empty ? 'already as in the snapshot' : `${plan.remove.length} to remove, ${plan.writes.length} to write, ${plan.mkdirs.length} dirs, ${plan.links.length} links, ${plan.attributes.length} modes`;
  return `${displayName(target)}: ${summary}\n${lines.length ? `${lines.join('\n')}\n` : ''}`;
}

async function askLine(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await rl.question(question)).trim();
  } finally {
    rl.close();
    process.stdin.pause();
  }
}

export interface RestoreArgs {
  id: string;
  dryRun: boolean;
  yes: boolean;
  to?: string;
}

/** Returns the exit code: 0 restored (or nothing to do), 1 declined. */
export async function restoreCommand(store: SnapshotStore, args: RestoreArgs): Promise<number> {
  const { planRestoreOf, executeRestore } = await import('../snapshot/restore.js');
  const { isEmptyPlan } = await import('../snapshot/plan-restore.js');
  const { canAsk, askToRun } = await import('../run/confirm.js');
  const m = await store.readManifest(args.id);
  if (args.to && m.roots.length !== 1) throw new UsageError(`--to: snapshot ${m.id} has ${m.roots.length} roots; restore it in place`);
  const jobs = [];
  for (const root of m.roots) {
    const target = args.to ? path.resolve(args.to) : root.path;
    const plan = await planRestoreOf(root, target, store);
    jobs.push({ target, plan });
    process.stderr.write(describePlan(target, plan, isEmptyPlan(plan)));
  }
  if (args.dryRun || jobs.every((j) => isEmptyPlan(j.plan))) return 0;
  if (m.importedAt && !args.to) {
    if (!canAsk()) {
      throw new SaferunError(`snapshot ${m.id} was imported: the directories it names come from the tar, not from you. Restore it with --to DIR, or confirm each directory by its full path on a terminal`, { exitCode: 2 });
    }
    for (const job of jobs) {
      const answer = await askLine(`Snapshot ${m.id} was imported and would restore into ${displayName(job.target)}. Type that full path to confirm: `);
      if (answer !== job.target) {
        process.stderr.write('not confirmed; nothing changed\n');
        return 1;
      }
    }
  } else if (!args.yes) {
    if (!canAsk()) throw new SaferunError('restore changes files: confirm on a terminal, or pass --yes', { exitCode: 2 });
    if (!(await askToRun('Restore these changes?'))) {
      process.stderr.write('nothing changed\n');
      return 1;
    }
  }
  for (const job of jobs) await executeRestore(job.plan, store, job.target);
  process.stderr.write(`restored snapshot ${m.id}\n`);
  return 0;
}
