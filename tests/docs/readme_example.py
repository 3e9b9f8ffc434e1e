#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The C example in README.md compiles against the built library and runs."""
import os
import pathlib
import re
import subprocess
import sys
import tempfile


def main():
    cc, sanitize, readme, include_dir, lib_dir = sys.argv[1:6]
    blocks = re.findall(r"```c\n(.*?)```", pathlib.Path(readme).read_text(), flags=re.S)
    if not blocks:
        print("README.md has no ```c block")
        return 1
    source = blocks[0]
    lines = source.count("\n")
    print(f"README example: {lines} lines")
    with tempfile.TemporaryDirectory() as tmp:
        src, exe = pathlib.Path(tmp) / "example.c", pathlib.Path(tmp) / "example"
        src.write_text(source)
        build = subprocess.run([cc, *([sanitize] if sanitize else []), "-std=c99", "-Wall", "-Wextra", "-Werror", f"-I{include_dir}",
                                str(src), "-o", str(exe), f"-L{lib_dir}", "-lvidgo",
                                f"-Wl,-rpath,{lib_dir}"], capture_output=True, text=True)
        if build.returncode:
            print(build.stderr)
            return 1
        env = dict(os.environ, VIDGO_DB=str(pathlib.Path(tmp) / "readme.db"))
        run = subprocess.run([str(exe)], cwd=tmp, env=env, capture_output=True, text=True)
        print(run.stdout, run.stderr)
        if run.returncode:
            print(f"example exited {run.returncode}")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
