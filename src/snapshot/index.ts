/** What the rest of saferun uses of snapshots. */
export { takeSnapshot as snapshotBeforeRun, type SnapshotSummary, type SnapshotOptions, DEFAULT_MAX_SNAPSHOT_BYTES } from './take-snapshot.js';
export { SnapshotStore, defaultStoreDir } from './store.js';
export { rootsOfRun, type SnapshotRoot } from './snapshot-roots.js';
export { restoreHint } from '../run/restore-hint.js';
