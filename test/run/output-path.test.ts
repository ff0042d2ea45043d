import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkOutputPath, outputLocationProblem, pathDirectories } from '../../src/run/output-path.js';

const context = {
  workdir: '/home/ann/project',
  home: '/home/ann',
  pathDirs: ['/usr/bin', '/home/ann/tools/bin'],
  saferunDirs: ['/home/ann/.local/state/saferun/snapshots', '/opt/saferun'],
};

test('system, shared and home locations are refused by prefix, with the reason', () => {
  const refused: [string, RegExp][] = [
    ['/', /shared/],
    ['/etc', /system directory \/etc/],
    ['/etc/cron.d', /system directory \/etc/],
    ['/usr/local/lib/python3/site-packages', /system directory \/usr/],
    ['/var/lib/docker', /system directory \/var/],
    ['/var/spool/cron/crontabs', /system directory \/var/],
    ['/root/.ssh', /system directory \/root/],
    ['/boot/grub', /system directory \/boot/],
    ['/proc/self', /system directory \/proc/],
    ['/home', /shared/],
    ['/tmp', /shared/],
    ['/var/tmp', /shared/],
    ['/home/ann', /your home directory/],
    ['/home/ann/.ssh', /\.ssh, where programs keep configuration/],
    ['/home/ann/.config/autostart', /\.config/],
    ['/home/ann/.bashrc.d', /\.bashrc\.d/],
    ['/home/ann/bin', /inside \/home\/ann\/bin/],
    ['/home/ann/tools', /on \$PATH/],
    ['/home/ann/.local/state/saferun/snapshots/x', /\.local/],
    ['/home/ann/project', /working directory/],
    ['/home/ann/project/..', /working directory|home/],
  ];
  for (const [dir, why] of refused) {
    const problem = outputLocationProblem(path.resolve(dir), context);
    assert.ok(problem, `${dir} must be refused`);
    assert.match(problem, why, dir);
  }
  assert.match(outputLocationProblem('/srv/saferun-state', { ...context, saferunDirs: ['/srv/saferun-state/snapshots'] })!, /belongs to saferun/);
});

test('ordinary places for results are accepted', () => {
  for (const dir of ['/home/ann/project/out', '/home/ann/results', '/tmp/run-1', '/var/tmp/run-1', '/srv/data/out', '/mnt/disk/out']) {
    assert.equal(outputLocationProblem(dir, context), undefined, dir);
  }
});

test('a symlink as the output, or anywhere on its way, is refused and the real path suggested', () => {
  const base = mkdtempSync(path.join(os.tmpdir(), 'saferun-outpath-'));
  try {
    const cwd = path.join(base, 'work');
    const victim = path.join(base, 'victim');
    mkdirSync(cwd);
    mkdirSync(victim);
    symlinkSync('../victim', path.join(cwd, 'out'));
    const ctx = { cwd, workdir: cwd, home: '/nonexistent-home', pathDirs: [], saferunDirs: [] };
    assert.throws(() => checkOutputPath('out', ctx), (error: Error) => /out is a symbolic link \(to \.\.\/victim\)/.test(error.message) && error.message.includes(`if ${victim} is really meant, name it directly`));
    assert.throws(() => checkOutputPath('out/sub', ctx), /symbolic link/);
    assert.throws(() => checkOutputPath(path.join(cwd, 'out', 'sub'), ctx), /symbolic link/);
    assert.equal(checkOutputPath('results/today', ctx), path.join(cwd, 'results', 'today'));
    assert.equal(checkOutputPath(victim, ctx), victim, 'the real directory, named directly, is fine');
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('PATH directories are taken when absolute', () => {
  assert.deepEqual(pathDirectories(['/usr/bin', 'relative', '', '/home/x/bin/'].join(path.delimiter)), ['/usr/bin', '/home/x/bin']);
});
