/**
 * Name resolution and string folding, seen through a probe rule that reports, for every call,
 * the qualified name saferun resolved and the folded value of its first argument.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createAnalyzer, type Analyzer } from '../../../src/scan/engine/analyzer.js';
import { decodeUtf7 } from '../../../src/scan/engine/decode.js';
import type { Rule } from '../../../src/scan/rules/rule.js';

const probe: Rule = {
  meta: { id: 'probe', title: 'probe', severity: 'low', confidence: 'low', category: 'test', cwe: 'CWE-0', explanation: '-', advice: '-' },
  check({ model, report }) {
    for (const call of model.calls) {
      const first = call.args[0];
      const folded = first ? model.fold(first) : undefined;
      report(call.node, JSON.stringify({ name: call.name ?? null, arg: folded?.value ?? null, decoded: folded?.decoded ?? false }));
    }
  },
};

let analyzer: Analyzer;
before(async () => {
  analyzer = await createAnalyzer({ rules: [probe] });
});

interface Seen {
  name: string | null;
  arg: string | null;
  decoded: boolean;
}

/** What the probe saw for the outermost call on the last line of the source. */
function lastCall(source: string): Seen {
  const lines = source.trimEnd().split('\n');
  const findings = analyzer.analyze('probe.py', Buffer.from(source)).findings.filter((f) => f.line === lines.length);
  const outer = findings.reduce((a, b) => (b.column < a.column ? b : a));
  return JSON.parse(outer.message) as Seen;
}

const RESOLVES: [string, string][] = [
  ['import os\nos.__dict__.get("system")("x")', 'os.system'],
  ['import os as o\no.system("x")', 'os.system'],
  ['from os import system as s\ns("x")', 'os.system'],
  ['def f():\n    import subprocess\n    subprocess.Popen("x")', 'subprocess.Popen'],
  ['__import__("os").system("x")', 'os.system'],
  ['import importlib\nimportlib.import_module("o" + "s").system("x")', 'os.system'],
  ['import os\nrun = os.system\nrun("x")', 'os.system'],
  ['import os\ngetattr(os, "sys" + "tem")("x")', 'os.system'],
  ['import sys\nsys.modules["o" + "s"].system("x")', 'os.system'],
  ['import os\nvars(os)["system"]("x")', 'os.system'],
  ['import os\nos.__dict__["sys" "tem"]("x")', 'os.system'],
  ['__builtins__.__dict__["ev" + "al"]("1")', 'builtins.eval'],
  ['globals()["__builtins__"].exec("1")', 'builtins.exec'],
  ['import builtins\nbuiltins.exec("1")', 'builtins.exec'],
  ['ｅｖａｌ("1")', 'builtins.eval'],
  ['import os.path\nos.path.join("a")', 'os.path.join'],
  ['e = eval("\\x65\\x76al")\ne("1")', 'builtins.eval'],
  ['c = eval("comp" + "ile")\nc("x", "", "exec")', 'builtins.compile'],
  // a well-known module used without an import (excerpt, exec'd import, star import)
  ['socket.gethostname()', 'socket.gethostname'],
  ['def f():\n    return request.urlopen("u")\nf()\nrequest.urlopen("u")', 'urllib.request.urlopen'],
];

for (const [source, expected] of RESOLVES) {
  test(`resolves ${JSON.stringify(source)} to ${expected}`, () => {
    assert.equal(lastCall(source).name, expected);
  });
}

test('a parameter or variable named like a module is not that module', () => {
  assert.equal(lastCall('def handle(socket):\n    socket.send(b"x")\nsocket.send(b"y")').name, null);
  assert.equal(lastCall('platform = load()\nplatform.system()').name, null);
  assert.equal(lastCall('for os in items:\n    pass\nos.system("x")').name, null);
});

test('a local function shadowing a builtin is not the builtin', () => {
  assert.notEqual(lastCall('def eval(x):\n    return x\neval("1")').name, 'builtins.eval');
});

const FOLDS: [string, string, boolean][] = [
  ['print("a" + "b")', 'ab', false],
  ['print("".join(["o", "s"]))', 'os', false],
  ['print("%s-%d" % ("a", 1))', 'a-1', false],
  ['print("%c%c-%x" % (111, 115, 255))', 'os-ff', true],
  ['cmd = "curl x"\ncmd += " | sh"\nprint(cmd)', 'curl x | sh', false],
  ['parts = ["curl"]\nparts.append("x")\nparts.extend(["|", "sh"])\nprint(" ".join(parts))', 'curl x | sh', false],
  ['x = "b"\nprint(f"a{x}c")', 'abc', false],
  ['print("metsys"[::-1])', 'system', true],
  ['print(chr(111) + chr(115))', 'os', true],
  ['print(bytes.fromhex("6f73"))', 'os', true],
  ['import base64\nprint(base64.b64decode("b3M=").decode("utf-8"))', 'os', true],
  ['import base64\nprint(base64.b64decode("b3M="))', 'os', true],
  ['import codecs\nprint(codecs.decode("bf", "rot13"))', 'os', true],
  ['import zlib\nprint(zlib.decompress(b"x\\x9c\\xcb/\\x06\\x00\\x01S\\x00\\xe3"))', 'os', true],
];

for (const [source, value, decoded] of FOLDS) {
  test(`folds ${JSON.stringify(source)} to ${JSON.stringify(value)}`, () => {
    const seen = lastCall(source);
    assert.equal(seen.arg, value);
    assert.equal(seen.decoded, decoded);
  });
}

test('a latin-1 source with a PEP 263 cookie decodes and resolves', () => {
  const text = '# -*- coding: latin-1 -*-\nimport os\nname = "caf\xe9"\nos.system(name)\n';
  const source = Buffer.from(text, 'latin1');
  const seen = lastCall(source.toString('latin1'));
  assert.equal(seen.name, 'os.system');
  const analysis = analyzer.analyze('latin.py', source);
  const call = analysis.findings.find((f) => f.line === 4)!;
  assert.equal((JSON.parse(call.message) as Seen).arg, 'café');
  assert.deepEqual(analysis.parseErrors, []);
});

test('a UTF-7 source (code hidden in +…- runs) is decoded the way CPython reads it', () => {
  // '# coding: utf-7' then os.system("id") written as one UTF-7 run, and a literal '+' as '+-'
  const text = '# coding: utf-7\nimport os\n+AG8AcwAuAHMAeQBzAHQAZQBtACgAIgBpAGQAIgAp-\nx = 1 +- 2\n';
  assert.equal(decodeUtf7('+AG8AcwAuAHMAeQBzAHQAZQBtACgAIgBpAGQAIgAp-'), 'os.system("id")');
  assert.equal(decodeUtf7('1 +- 2'), '1 + 2');
  const analysis = analyzer.analyze('utf7.py', Buffer.from(text, 'latin1'));
  const call = analysis.findings.find((f) => f.line === 3)!;
  assert.equal((JSON.parse(call.message) as Seen).name, 'os.system');
  assert.deepEqual(analysis.parseErrors, []);
});

test('syntax errors are reported and the rest of the file is still scanned', () => {
  const analysis = analyzer.analyze('broken.py', Buffer.from('def f(:\n    pass\nimport os\nos.system("x")\n'));
  assert.ok(analysis.parseErrors.length > 0);
  assert.ok(analysis.findings.some((f) => (JSON.parse(f.message) as Seen).name === 'os.system'));
});

test('binary and empty input give no crash', () => {
  for (const bytes of [new Uint8Array(), new Uint8Array([0, 255, 254, 0, 0x80, 0xc3]), new Uint8Array(4096).fill(0xff)]) {
    const analysis = analyzer.analyze('bin.py', bytes);
    assert.ok(Array.isArray(analysis.findings));
  }
});

test('escapes that are not valid (\\U in a Windows path, \\x without digits) fold as written, never throw', () => {
  const seen = lastCall('import os\nos.system(rf"C:\\Users\\{os.getlogin()}\\x.exe")\nprint("C:\\Users\\xyz\\U0011FFFF")');
  assert.equal(seen.arg, 'C:\\Users\\xyz\\U0011FFFF');
});

test('calls made through a function handed the callee are calls of the callee, with the arguments it gets', async () => {
  const systemCalls: Rule = {
    meta: { ...probe.meta, id: 'system-calls' },
    check({ model, report }) {
      for (const call of model.calls) if (call.name === 'os.system') report(call.node, call.args[0] ? (model.fold(call.args[0])?.value ?? '?') : '');
    },
  };
  const seeing = await createAnalyzer({ rules: [systemCalls] });
  const commands = (source: string): string[] => seeing.analyze('d.py', Buffer.from(`import os, functools, threading, atexit, operator, sched\n${source}\n`)).findings.map((f) => f.message);
  assert.deepEqual(commands('functools.partial(os.system, "a")()'), ['a']);
  assert.deepEqual(commands('list(map(os.system, ["b", "c"]))'), ['b']); // one finding a place: the first is enough
  assert.deepEqual(commands('threading.Thread(target=os.system, args=("d",)).start()'), ['d']);
  assert.deepEqual(commands('threading.Timer(5, os.system, args=["e"]).start()'), ['e']);
  assert.deepEqual(commands('atexit.register(os.system, "f")'), ['f']);
  assert.deepEqual(commands('pool.submit(os.system, "g")'), ['g']);
  assert.deepEqual(commands('operator.methodcaller("system", "h")(os)'), ['h']);
  assert.deepEqual(commands('sched.scheduler().enter(1, 1, os.system, argument=("i",))'), ['i']);
  assert.deepEqual(commands('threading.Thread(target=lambda: print("j")).start()'), []);
  assert.deepEqual(commands('functools.partial(print, "k")()'), []);
});

test('a list changed other than by append/extend, or a name reassigned, is not folded', () => {
  assert.equal(lastCall('parts = ["a"]\nparts.insert(0, "b")\nprint("".join(parts))').arg, null);
  assert.equal(lastCall('cmd = "a"\ncmd = input()\nprint(cmd)').arg, null);
  assert.equal(lastCall('cmd = "a"\ncmd *= 2\nprint(cmd)').arg, null);
});
