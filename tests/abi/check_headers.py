#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Every public header compiles on its own as C99 -pedantic and as C++."""
import pathlib
import subprocess
import sys
import tempfile

FLAGS = {
    "c99": ["-x", "c", "-std=c99", "-pedantic-errors", "-Wall", "-Wextra", "-Werror"],
    "c++": ["-x", "c++", "-std=c++11", "-pedantic-errors", "-Wall", "-Wextra", "-Werror"],
}


def main():
    cc, cxx, include_dir = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3])
    headers = sorted(p.relative_to(include_dir) for p in include_dir.rglob("*.h"))
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for header in headers:
            for lang, flags in FLAGS.items():
                src = pathlib.Path(tmp) / "one.c"
                # Including twice also checks the include guard.
                src.write_text(f"#include <{header}>\n#include <{header}>\nint vg_test_unused;\n")
                compiler = cc if lang == "c99" else cxx
                run = subprocess.run([compiler, *flags, f"-I{include_dir}", "-fsyntax-only",
                                      str(src)], capture_output=True, text=True)
                status = "ok" if run.returncode == 0 else "FAILED"
                print(f"{header} as {lang}: {status}")
                if run.returncode:
                    failures += 1
                    print(run.stderr)
    if len(headers) < 5:
        print(f"only {len(headers)} headers found in {include_dir}")
        failures += 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
