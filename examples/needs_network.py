"""Needs the network: works under the normal profile, fails cleanly under strict or offline.
saferun examples/needs_network.py http://example.org/
saferun --profile strict examples/needs_network.py http://example.org/"""
import sys
import urllib.request

url = sys.argv[1] if len(sys.argv) > 1 else "http://example.org/"
try:
    with urllib.request.urlopen(url, timeout=10) as response:
        body = response.read(200)
    print(f"fetched {len(body)} bytes from {url}")
except OSError as error:
    print(f"no network: {error}", file=sys.stderr)
    sys.exit(1)
