/**
 * saferun snapshots list | show ID | diff ID | restore ID [--dry-run] [--yes] [--to DIR]
 *                   | prune --keep N | export ID [--output FILE] | import FILE
 */
import { createWriteStream } from 'node:fs';
import { commandParser } from './command-parser.js';
import { UsageError } from '../errors.js';
import { formatBytes } from '../config/units.js';
import { displayName } from '../snapshot/file-names.js';
import { SnapshotStore } from '../snapshot/store.js';
import { previewLines } from './snapshots-restore.js';

function store(): SnapshotStore {
  return new SnapshotStore();
}

export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  await commandParser(argv, 'saferun snapshots', 'saferun snapshots <command>\n\nSnapshots are taken before every run (profiles can turn them off) and kept in\n$XDG_STATE_HOME/saferun/snapshots (override with SAFERUN_STATE_DIR).')
    .command('list', 'list snapshots, newest first', (y) => y.option('json', { type: 'boolean', default: false }), async (args) => {
      const s = store();
      const rows = [];
      const damaged = [];
      for (const id of await s.listIds()) {
        try {
          const m = await s.readManifestExactly(id);
          rows.push({ id, createdAt: m.createdAt, files: m.files, bytes: m.bytes, roots: m.roots.map((r) => r.path), ...(m.importedAt ? { importedAt: m.importedAt } : {}) });
        } catch (error) {
          damaged.push({ id, error: (error as Error).message }); // one bad manifest never hides the others
        }
      }
      if (args.json) process.stdout.write(`${JSON.stringify([...rows, ...damaged], null, 2)}\n`);
      else if (rows.length + damaged.length === 0) process.stdout.write('no snapshots yet\n');
      else
        for (const r of rows) {
          const imported = r.importedAt ? '  (imported)' : '';
          process.stdout.write(`${r.id}  ${r.createdAt}  ${String(r.files).padStart(6)} files  ${formatBytes(r.bytes).padStart(7)}  ${r.roots.map(displayName).join(', ')}${imported}\n`);
        }
      for (const d of damaged) process.stderr.write(`saferun: ${d.id} is damaged and left alone: ${d.error}\n`);
    })
    .command('show <id>', 'show what a snapshot holds', (y) => y.positional('id', { type: 'string', demandOption: true }).option('json', { type: 'boolean', default: false }), async (args) => {
      const m = await store().readManifest(String(args.id));
      if (args.json) {
        process.stdout.write(`${JSON.stringify(m, null, 2)}\n`);
        return;
      }
      process.stdout.write(`snapshot ${m.id} taken ${m.createdAt}${m.importedAt ? `, imported ${m.importedAt}` : ''}: ${m.files} files, ${formatBytes(m.bytes)}\n`);
      for (const root of m.roots) {
        process.stdout.write(`${displayName(root.path)}${root.writable ? ' (writable by the program)' : ''}\n`);
        for (const e of root.entries) process.stdout.write(`  ${e.type.padEnd(7)} ${(e.mode & 0o7777).toString(8).padStart(4, '0')} ${e.type === 'file' ? String(e.size).padStart(10) : ''.padStart(10)} ${displayName(e.path)}${e.type === 'symlink' ? ` -> ${displayName(e.target!)}` : ''}\n`);
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
          const lines = [...previewLines('+', r.added.map(displayName), 1000), ...previewLines('~', r.changed.map(displayName), 1000), ...previewLines('-', r.deleted.map(displayName), 1000)];
          process.stdout.write(`${displayName(r.root)}: ${r.added.length} added, ${r.changed.length} changed, ${r.deleted.length} deleted\n${lines.length ? `${lines.join('\n')}\n` : ''}`);
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
        const { restoreCommand } = await import('./snapshots-restore.js');
        exitCode = await restoreCommand(store(), { id: String(args.id), dryRun: args['dry-run'], yes: args.yes, ...(args.to ? { to: args.to } : {}) });
      },
    )
    .command('prune', 'keep the newest N snapshots and drop content nothing else uses', (y) => y.option('keep', { type: 'number', demandOption: true, description: 'how many snapshots to keep' }), async (args) => {
      if (!Number.isInteger(args.keep) || args.keep < 0) throw new UsageError(`--keep: '${args.keep}' is not a count; use a whole number like 10`);
      const { pruneSnapshots } = await import('../snapshot/transfer.js');
      const result = await pruneSnapshots(store(), args.keep);
      process.stdout.write(`removed ${result.removed.length} snapshot(s), ${result.objectsRemoved} object(s), ${formatBytes(result.bytesFreed)} freed${result.objectsKeptForActive ? ' (content kept: a snapshot is being taken right now)' : ''}\n`);
      for (const d of result.damaged) process.stderr.write(`saferun: ${d.id} is damaged and was kept with all content it names: ${d.reason}\n`);
    })
    .command('export <id>', 'write a snapshot as a tar (to stdout, or --output FILE)', (y) => y.positional('id', { type: 'string', demandOption: true }).option('output', { alias: 'o', type: 'string' }), async (args) => {
      const { exportSnapshot } = await import('../snapshot/transfer.js');
      if (!args.output && process.stdout.isTTY) throw new UsageError('export writes a tar: redirect it (> file.tar) or use --output FILE');
      await exportSnapshot(store(), String(args.id), args.output ? createWriteStream(args.output) : process.stdout);
    })
    .command('import <file>', 'add an exported snapshot to the store (checked before anything is written)', (y) => y.positional('file', { type: 'string', demandOption: true }), async (args) => {
      const { importSnapshot } = await import('../snapshot/transfer.js');
      const m = await importSnapshot(store(), String(args.file));
      process.stdout.write(`imported snapshot ${m.id} (${m.files} files); restore it with: saferun snapshots restore ${m.id} --to DIR\n`);
    })
    .demandCommand(1, 'name a subcommand: list, show, diff, restore, prune, export or import')
    .parseAsync();
  return exitCode;
}
