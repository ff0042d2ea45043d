/**
 * saferun snapshots list | show ID | diff ID | restore ID [--dry-run] [--yes] [--to DIR]
 *                   | prune --keep N | export ID [--output FILE] | import FILE
 */
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { commandParser } from './command-parser.js';
import { SaferunError, UsageError } from '../errors.js';
import { formatBytes } from '../config/units.js';
import { SnapshotStore } from '../snapshot/store.js';

function store(): SnapshotStore {
  return new SnapshotStore();
}

function previewLines(label: string, items: string[], limit = 20): string[] {
  if (items.length === 0) return [];
  const shown = items.slice(0, limit).map((p) => `  ${label} ${p}`);
  if (items.length > limit) shown.push(`  … and ${items.length - limit} more`);
  return shown;
}

export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  await commandParser(argv, 'saferun snapshots', 'saferun snapshots <command>\n\nSnapshots are taken before every run (profiles can turn them off) and kept in\n$XDG_STATE_HOME/saferun/snapshots (override with SAFERUN_STATE_DIR).')
    .command('list', 'list snapshots, newest first', (y) => y.option('json', { type: 'boolean', default: false }), async (args) => {
      const s = store();
      const rows = [];
      for (const id of await s.listIds()) {
        const m = await s.readManifest(id);
        rows.push({ id, createdAt: m.createdAt, files: m.files, bytes: m.bytes, roots: m.roots.map((r) => r.path) });
      }
      if (args.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      else if (rows.length === 0) process.stdout.write('no snapshots yet\n');
      else for (const r of rows) process.stdout.write(`${r.id}  ${r.createdAt}  ${String(r.files).padStart(6)} files  ${formatBytes(r.bytes).padStart(7)}  ${r.roots.join(', ')}\n`);
    })
    .command('show <id>', 'show what a snapshot holds', (y) => y.positional('id', { type: 'string', demandOption: true }).option('json', { type: 'boolean', default: false }), async (args) => {
      const m = await store().readManifest(String(args.id));
      if (args.json) {
        process.stdout.write(`${JSON.stringify(m, null, 2)}\n`);
        return;
      }
      process.stdout.write(`snapshot ${m.id} taken ${m.createdAt}: ${m.files} files, ${formatBytes(m.bytes)}\n`);
      for (const root of m.roots) {
        process.stdout.write(`${root.path}\n`);
        for (const e of root.entries) process.stdout.write(`  ${e.type.padEnd(7)} ${(e.mode & 0o7777).toString(8).padStart(4, '0')} ${e.type === 'file' ? String(e.size).padStart(10) : ''.padStart(10)} ${e.path}${e.type === 'symlink' ? ` -> ${e.target}` : ''}\n`);
      }
    })
    .command('diff <id>', 'what changed since the snapshot: added, changed, deleted', (y) => y.positional('id', { type: 'string', demandOption: true }).option('json', { type: 'boolean', default: false }), async (args) => {
      const { diffAgainst } = await import('../snapshot/restore.js');
      const s = store();
      const m = await s.readManifest(String(args.id));
      const result = [];
      for (const root of m.roots) result.push({ root: root.path, ...(await diffAgainst(root, root.path, s)) });
      if (args.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      else
        for (const r of result) {
          const lines = [...previewLines('+', r.added, 1000), ...previewLines('~', r.changed, 1000), ...previewLines('-', r.deleted, 1000)];
          process.stdout.write(`${r.root}: ${r.added.length} added, ${r.changed.length} changed, ${r.deleted.length} deleted\n${lines.length ? `${lines.join('\n')}\n` : ''}`);
        }
      if (result.some((r) => r.added.length + r.changed.length + r.deleted.length > 0)) exitCode = 1;
    })
    .command(
      'restore <id>',
      'make the tree exactly as it was: changed and deleted files back, files created since removed',
      (y) =>
        y
          .positional('id', { type: 'string', demandOption: true })
          .option('dry-run', { type: 'boolean', default: false, description: 'show what would change, change nothing' })
          .option('yes', { alias: 'y', type: 'boolean', default: false, description: 'do not ask for confirmation' })
          .option('to', { type: 'string', description: 'restore into another directory (only for single-root snapshots)' }),
      async (args) => {
        const { planRestoreOf, executeRestore } = await import('../snapshot/restore.js');
        const { isEmptyPlan } = await import('../snapshot/plan-restore.js');
        const s = store();
        const m = await s.readManifest(String(args.id));
        if (args.to && m.roots.length !== 1) throw new UsageError(`--to: snapshot ${m.id} has ${m.roots.length} roots; restore it in place`);
        const jobs = [];
        for (const root of m.roots) {
          const target = args.to ? path.resolve(args.to) : root.path;
          const plan = await planRestoreOf(root, target, s);
          jobs.push({ target, plan });
          const lines = [...previewLines('remove ', plan.remove), ...previewLines('create ', plan.mkdirs.map((d) => `${d.path}/`)), ...previewLines('write  ', plan.writes.map((f) => f.path)), ...previewLines('link   ', plan.links.map((l) => `${l.path} -> ${l.target}`)), ...previewLines('mode   ', plan.attributes.map((a) => a.path))];
          process.stderr.write(`${target}: ${isEmptyPlan(plan) ? 'already as in the snapshot' : `${plan.remove.length} to remove, ${plan.writes.length} to write, ${plan.mkdirs.length} dirs, ${plan.links.length} links, ${plan.attributes.length} modes`}\n${lines.length ? `${lines.join('\n')}\n` : ''}`);
        }
        if (args['dry-run'] || jobs.every((j) => isEmptyPlan(j.plan))) return;
        if (!args.yes) {
          const { canAsk, askToRun } = await import('../run/confirm.js');
          if (!canAsk()) throw new SaferunError('restore changes files: confirm on a terminal, or pass --yes', { exitCode: 2 });
          if (!(await askToRun('Restore these changes?'))) {
            process.stderr.write('nothing changed\n');
            exitCode = 1;
            return;
          }
        }
        for (const job of jobs) await executeRestore(job.plan, s, job.target);
        process.stderr.write(`restored snapshot ${m.id}\n`);
      },
    )
    .command('prune', 'keep the newest N snapshots and drop content nothing else uses', (y) => y.option('keep', { type: 'number', demandOption: true, description: 'how many snapshots to keep' }), async (args) => {
      if (!Number.isInteger(args.keep) || args.keep < 0) throw new UsageError(`--keep: '${args.keep}' is not a count; use a whole number like 10`);
      const { pruneSnapshots } = await import('../snapshot/transfer.js');
      const result = await pruneSnapshots(store(), args.keep);
      process.stdout.write(`removed ${result.removed.length} snapshot(s), ${result.objectsRemoved} object(s), ${formatBytes(result.bytesFreed)} freed${result.objectsKeptForActive ? ' (content kept: a snapshot is being taken right now)' : ''}\n`);
    })
    .command('export <id>', 'write a snapshot as a tar (to stdout, or --output FILE)', (y) => y.positional('id', { type: 'string', demandOption: true }).option('output', { alias: 'o', type: 'string' }), async (args) => {
      const { exportSnapshot } = await import('../snapshot/transfer.js');
      if (!args.output && process.stdout.isTTY) throw new UsageError('export writes a tar: redirect it (> file.tar) or use --output FILE');
      await exportSnapshot(store(), String(args.id), args.output ? createWriteStream(args.output) : process.stdout);
    })
    .command('import <file>', 'add an exported snapshot to the store (checked before anything is written)', (y) => y.positional('file', { type: 'string', demandOption: true }), async (args) => {
      const { importSnapshot } = await import('../snapshot/transfer.js');
      const m = await importSnapshot(store(), String(args.file));
      process.stdout.write(`imported snapshot ${m.id} (${m.files} files)\n`);
    })
    .demandCommand(1, 'name a subcommand: list, show, diff, restore, prune, export or import')
    .parseAsync();
  return exitCode;
}
