/** Which roots a run snapshots, and which of them the program can write (what may exclude anything follows from it). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planRoots, rootsOfRun } from '../../src/snapshot/snapshot-roots.js';

test('the output dir is always writable; the working dir only under read-write; unmounted, it is no root', () => {
  assert.deepEqual(rootsOfRun('/w', 'read-only', '/o'), [{ path: '/w', writable: false }, { path: '/o', writable: true }]);
  assert.deepEqual(rootsOfRun('/w', 'read-write', undefined), [{ path: '/w', writable: true }]);
  assert.deepEqual(rootsOfRun('/w', 'none', '/o'), [{ path: '/o', writable: true }]);
});

test('a root inside another is walked once: a writable dir of a read-only root, or nothing more under a writable one', () => {
  assert.deepEqual(planRoots([{ path: '/w', writable: false }, { path: '/w/out/x', writable: true }]), [{ path: '/w', writable: false, writableDirs: ['out/x'] }]);
  assert.deepEqual(planRoots([{ path: '/w', writable: true }, { path: '/w/out', writable: true }]), [{ path: '/w', writable: true, writableDirs: [] }]);
  assert.deepEqual(planRoots([{ path: '/o', writable: true }, { path: '/o/w', writable: false }]), [{ path: '/o', writable: true, writableDirs: [] }], 'an outer writable root covers a read-only one inside');
  assert.deepEqual(planRoots([{ path: '/w', writable: false }, { path: '/w', writable: true }]), [{ path: '/w', writable: true, writableDirs: [] }], 'the same dir given twice: writable wins');
  assert.deepEqual(planRoots(['/a', { path: '/ab', writable: true }]), [{ path: '/a', writable: false, writableDirs: [] }, { path: '/ab', writable: true, writableDirs: [] }], '/ab is not inside /a');
});
