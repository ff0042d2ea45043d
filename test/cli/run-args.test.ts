import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRunArgs } from '../../src/cli/run.js';
import type { RunRequest } from '../../src/run/request.js';

const parse = (argv: string[]) => parseRunArgs(argv, {}, '/somewhere') as RunRequest;

test('options stop at the script: the rest belongs to the program', () => {
  const request = parse(['--profile', 'strict', '--memory', '256m', 'tool.py', '--memory', 'x', '-v', 'a b']);
  assert.deepEqual(request.target, { kind: 'script', path: 'tool.py' });
  assert.deepEqual(request.args, ['--memory', 'x', '-v', 'a b']);
  assert.equal(request.profile, 'strict');
  assert.equal(request.limits.memoryBytes, 256 * 1024 ** 2);
});

test('-m and -c work like python', () => {
  assert.deepEqual(parse(['-m', 'http.server', '8000']).target, { kind: 'module', name: 'http.server' });
  assert.deepEqual(parse(['-m', 'http.server', '8000']).args, ['8000']);
  const code = parse(['-c', 'print(1)', 'x']);
  assert.deepEqual(code.target, { kind: 'code', code: 'print(1)' });
  assert.deepEqual(code.args, ['x']);
});

test('flags are parsed and defaults applied', () => {
  const r = parse(['--cpus', '0.5', '--pids', '50', '--timeout', '10s', '--network', 'none', '-e', 'A=1', '-e', 'B=x=y', '--output', 'out', '--json', '--yes', '--dry-run', '--no-snapshot', 's.py']);
  assert.equal(r.limits.nanoCpus, 5e8);
  assert.equal(r.limits.pids, 50);
  assert.equal(r.limits.timeoutMs, 10_000);
  assert.equal(r.network, 'none');
  assert.deepEqual(r.env, { A: '1', B: 'x=y' });
  assert.equal(r.outputDir, 'out');
  assert.equal(r.json && r.yes && r.dryRun, true);
  assert.equal(r.snapshot, false);
  assert.equal(parse(['s.py']).profile, 'normal');
  assert.equal(parseRunArgs(['s.py'], { SAFERUN_PROFILE: 'offline' }, '/x') !== 'help' && (parseRunArgs(['s.py'], { SAFERUN_PROFILE: 'offline' }, '/x') as RunRequest).profile, 'offline');
});

test('--timeout takes up to 168h; --output-size sets the output budget', () => {
  assert.equal(parse(['--timeout', '168h', 's.py']).limits.timeoutMs, 168 * 3_600_000);
  assert.equal(parse(['--output-size', '100m', 's.py']).limits.outputBytes, 100 * 1024 ** 2);
});

test('bad values name the value and what is accepted', () => {
  const table: [string[], RegExp][] = [
    [['--memory', '12 parsecs', 's.py'], /--memory: '12 parsecs' is not a size; use e\.g\. 512m, 2g/],
    [['--memory', '1k', 's.py'], /--memory: '1k' is too small/],
    [['--cpus', 'lots', 's.py'], /--cpus: 'lots' is not a CPU count/],
    [['--pids', '3.5', 's.py'], /--pids: '3\.5' is not a process limit/],
    [['--timeout', 'soon', 's.py'], /--timeout: 'soon' is not a duration/],
    [['--network', 'internet', 's.py'], /--network: 'internet' is not a network mode; use none, restricted, allowlist, open/],
    [['-e', '1BAD=x', 's.py'], /-e: '1BAD=x' is not KEY=VAL/],
    [['-m', 'a', '-c', 'b'], /cannot be used together/],
    [['-m', '../evil'], /is not a module name/],
    [['--bogus', 's.py'], /Unknown argument: bogus/],
    [['--quiet'], /no program given/],
    // past what a Node timer holds, 600h used to fire at once and kill the program immediately
    [['--timeout', '600h', 's.py'], /--timeout: '600h' is out of range; use from 100ms to 168h/],
    [['--timeout', '169h', 's.py'], /out of range/],
    [['--timeout', '99999999999999999999h', 's.py'], /--timeout: .* too long/],
    [['--timeout', '50ms', 's.py'], /out of range/],
    [['--output-size', 'lots', 's.py'], /--output-size: 'lots' is not a size/],
    [['--output-size', '10k', 's.py'], /--output-size: '10k' is out of range/],
  ];
  for (const [argv, expected] of table) {
    assert.throws(() => parse(argv), (error: Error) => {
      assert.match(error.message, expected, argv.join(' '));
      return error.name === 'UsageError';
    });
  }
});

test('--allow-host is repeatable HOST[:PORT]; a bad one names the value and the accepted forms', () => {
  assert.deepEqual(parse(['--allow-host', 'Example.org', '--allow-host', '10.0.0.5:8080', 's.py']).allowHosts, [{ host: 'example.org' }, { host: '10.0.0.5', port: 8080 }]);
  assert.deepEqual(parse(['s.py']).allowHosts, []);
  assert.throws(() => parse(['--allow-host', 'https://x.org', 's.py']), /--allow-host: 'https:\/\/x\.org' is not HOST\[:PORT\]/);
});
