"""Reads standard input like any filter: echo "a b c" | saferun examples/stdin_wordcount.py"""
import sys

text = sys.stdin.read()
print(f"lines={len(text.splitlines())} words={len(text.split())} chars={len(text)}")
