"""The smallest program: saferun examples/hello.py"""
import platform
import sys

print(f"Hello from Python {platform.python_version()} in the saferun sandbox.")
print(f"Arguments: {sys.argv[1:]}")
