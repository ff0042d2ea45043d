/** The run report carries the dependency check of what ran (real engine). */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { assertEngineReachable } from '../support/engine.js';
import { saferun, tempWorkdir } from '../support/saferun.js';
import { serveSimpleIndex, wheel, type SimpleIndex } from '../support/wheels.js';

let dir: string;
// The requirements are installed for the run: stand-in wheels on a loopback index (PyPI is never reached).
let index: SimpleIndex;
before(async () => {
  await assertEngineReachable();
  index = await serveSimpleIndex([wheel('requests', '2.32.3', { 'requests/__init__.py': '' }), wheel('django', '2.2.0', { 'django/__init__.py': '' })]);
  dir = tempWorkdir('saferun-depsrun-');
  writeFileSync(path.join(dir, 'requirements.txt'), 'requests>=2.31\ndjango==2.2.0\n');
  writeFileSync(path.join(dir, 'main.py'), 'print("ran")\n');
});
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await index.close();
});

test('--json reports the dependencies checked and their findings next to the scan', async () => {
  const result = await saferun(['--json', '--profile', 'offline', '--yes', '--index-url', index.url, 'main.py'], { cwd: dir });
  assert.equal(result.exitCode, 0, result.stderr);
  assert.ok(result.stdout.startsWith('ran\n'));
  const report = JSON.parse(result.stdout.slice('ran\n'.length)) as { riskLevel: string; findings: { ruleId: string; file: string }[]; dependencies: { checked: number; names: string[]; manifests: string[]; data: { pypiIndex: string } } };
  assert.deepEqual(report.dependencies.names, ['requests', 'django']);
  assert.equal(report.dependencies.checked, 2);
  assert.equal(path.basename(report.dependencies.manifests[0]!), 'requirements.txt');
  assert.ok(report.findings.some((f) => f.ruleId === 'dep-known-vulnerability' && f.file.endsWith('requirements.txt')));
  assert.equal(report.riskLevel, 'medium');
});
