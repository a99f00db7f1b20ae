#!/usr/bin/env python3
"""paths.py ROOT: lists every place in the repository's tracked files that refers to a path outside
the repository, one "FILE:LINE: reason" a line; exits 1 if there is any.

A clone has nothing beside it, so nothing may point there:
- the developers' notes folder beside the checkout, by its relative name (spelled in two pieces
  here, SHARED, so that this file does not name it);
- a relative path that climbs above the root, resolved from the file's own directory (Markdown
  links, comments, #include "..", `$(dirname "$0")/..` chains);
- a shell variable that holds a directory of the repository (`x=$(cd "$(dirname "$0")/.." && pwd)`,
  or `top` in a script that sources tests/lib/common.sh) followed by enough `/..` to leave it;
- the absolute path of the directory the checkout sits in (a developer's own machine).
tests/repo/ itself is not scanned: it spells out each of these to test the checker."""
import os
import re
import subprocess
import sys

root = os.path.realpath(sys.argv[1])
parent = os.path.dirname(root)
files = subprocess.run(["git", "-C", root, "ls-files", "-z"], check=True,
                       capture_output=True).stdout.decode().split("\0")

SELF_DIR = r'\$\(dirname "(?:\$0|\$\{BASH_SOURCE\[0\]\})"\)'
ASSIGN = re.compile(r'(\w+)=\$\(cd "' + SELF_DIR + r'((?:/[\w.-]+)*)" && pwd\)')
VAR_CHAIN = re.compile(r'\$\{?(\w+)\}?((?:/\.\.)+(?:/[\w.-]+)*)')
DIRNAME_CHAIN = re.compile(SELF_DIR + r'((?:/\.\.)+(?:/[\w.-]+)*)')
BARE_CHAIN = re.compile(r'(?<![\w$}).\-/])((?:\.\./)+[\w.-]*)')
ABSOLUTE = re.compile(r'(?<![\w.-])' + re.escape(parent) + r'(?:/|\b)') if parent != "/" else None

def outside(path):
    path = os.path.normpath(path)
    return path != root and not path.startswith(root + os.sep)

SHARED = "../" + "shared"
problems = []
for name in filter(None, files):
    if name.startswith("tests/repo/"):
        continue
    full = os.path.join(root, name)
    try:
        text = open(full, encoding="utf-8").read()
    except (UnicodeDecodeError, IsADirectoryError, FileNotFoundError):
        continue  # binary files and submodules
    here = os.path.dirname(full)
    known = {m.group(1): os.path.normpath(here + m.group(2)) for m in ASSIGN.finditer(text)}
    if "lib/common.sh" in text:
        known.setdefault("top", root)
    for number, line in enumerate(text.splitlines(), 1):
        where = f"{name}:{number}"
        if SHARED in line:
            problems.append(f"{where}: refers to {SHARED}")
            continue
        for m in VAR_CHAIN.finditer(line):
            if m.group(1) in known and outside(known[m.group(1)] + m.group(2)):
                problems.append(f"{where}: ${m.group(1)}{m.group(2)} leaves the repository")
        for m in DIRNAME_CHAIN.finditer(line):
            if outside(here + m.group(1)):
                problems.append(f"{where}: {m.group(0)} leaves the repository")
        for m in BARE_CHAIN.finditer(line):
            if outside(os.path.join(here, m.group(1))):
                problems.append(f"{where}: {m.group(1)} leaves the repository")
        if ABSOLUTE and ABSOLUTE.search(line):
            problems.append(f"{where}: names {parent}, the directory the checkout is in")

print("\n".join(problems))
sys.exit(1 if problems else 0)
