"""Writes its result into the one writable directory:
saferun --output results examples/write_output.py
The sandbox tells the program where that directory is in $SAFERUN_OUTPUT."""
import json
import os
import sys

out_dir = os.environ.get("SAFERUN_OUTPUT")
if not out_dir:
    sys.exit("no output directory: run with --output DIR")
squares = {n: n * n for n in range(10)}
path = os.path.join(out_dir, "squares.json")
with open(path, "w", encoding="utf-8") as f:
    json.dump(squares, f, indent=2)
print(f"wrote {len(squares)} squares to {path}")
