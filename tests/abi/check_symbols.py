#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The shared library exports exactly the vg_ functions the public headers declare."""
import pathlib
import re
import subprocess
import sys


def exported(library):
    out = subprocess.run(["nm", "-D", "--defined-only", library], check=True,
                         capture_output=True, text=True).stdout
    return {line.split()[-1].split("@")[0] for line in out.splitlines()
            if len(line.split()) >= 3 and line.split()[1] in "TDBRVWi"}


def declared(include_dir):
    names = set()
    for header in pathlib.Path(include_dir).rglob("*.h"):
        text = re.sub(r"/\*.*?\*/", "", header.read_text(), flags=re.S)
        names |= set(re.findall(r"\bVG_API\b[^;(]*?\b(vg_\w+)\s*\(", text))
    return names


def main():
    library, include_dir = sys.argv[1], sys.argv[2]
    symbols, api = exported(library), declared(include_dir)
    problems = []
    problems += [f"exported without the vg_ prefix: {s}" for s in sorted(symbols)
                 if not s.startswith("vg_")]
    problems += [f"exported internal helper: {s}" for s in sorted(symbols) if s.startswith("vg__")]
    problems += [f"exported but not in a public header: {s}" for s in sorted(symbols - api)
                 if s.startswith("vg_")]
    problems += [f"declared VG_API but not exported: {s}" for s in sorted(api - symbols)]
    if len(api) < 20:
        problems.append(f"only {len(api)} VG_API declarations found: is the header path right?")
    for p in problems:
        print(p)
    print(f"{len(symbols)} exported symbols, {len(api)} declared functions")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
