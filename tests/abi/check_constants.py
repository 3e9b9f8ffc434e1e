#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""vg_constant() knows every numeric macro and enumerator of the public headers, with its value."""
import pathlib
import re
import subprocess
import sys
import tempfile

# Status codes are reached through vg_error_code_at(); include guards and function-like macros
# are not constants.
SKIP = re.compile(r"^(VIDGO_\w+_H|VG_API|VG_BEGIN_DECLS|VG_END_DECLS)$")


def public_constants(include_dir):
    names = []
    for header in sorted(pathlib.Path(include_dir).rglob("*.h")):
        text = re.sub(r"/\*.*?\*/", "", header.read_text(), flags=re.S)
        for name, value in re.findall(r"^#define\s+(VG_\w+)[ \t]+([^\n]*)$", text, flags=re.M):
            if SKIP.match(name) or value.strip().startswith(('"', "{")) or not value.strip():
                continue
            names.append(name)
        for body in re.findall(r"typedef enum (?!vg_status)\w+ \{(.*?)\}", text, flags=re.S):
            names += [n for n in re.findall(r"\b(VG_[A-Z0-9_]+)\b\s*=", body) if not SKIP.match(n)]
    return sorted(set(names))


def main():
    cc, include_dir, lib_dir = sys.argv[1:4]
    names = public_constants(include_dir)
    checks = "\n".join(
        f'    if (vg_constant(&v, "{n}") != VG_OK || v != (long long)({n})) '
        f'{{ printf("wrong or missing: {n}\\n"); bad++; }}' for n in names)
    source = f"""#include <stdio.h>
#include <vidgo/vidgo.h>
#include <vidgo/sys/store.h>
int main(void) {{
    long long v = 0;
    int bad = 0;
{checks}
    if (vg_constant_count() != {len(names)}) {{
        printf("vg_constant knows %zu constants, the headers have {len(names)}\\n", vg_constant_count());
        bad++;
    }}
    if (vg_constant(&v, "VG_NO_SUCH_THING") != VG_ENOTFOUND || vg_constant(NULL, "VG_OPEN_CREATE") != VG_EINVAL)
        bad++;
    printf("%d constants checked, %d problems\\n", {len(names)}, bad);
    return bad != 0;
}}
"""
    with tempfile.TemporaryDirectory() as tmp:
        src, exe = pathlib.Path(tmp) / "c.c", pathlib.Path(tmp) / "c"
        src.write_text(source)
        built = subprocess.run([cc, *sys.argv[4:], f"-I{include_dir}", str(src), "-o", str(exe),
                                f"-L{lib_dir}", "-lvidgo", f"-Wl,-rpath,{lib_dir}"],
                               capture_output=True, text=True)
        if built.returncode:
            print(built.stderr)
            return 1
        run = subprocess.run([str(exe)], capture_output=True, text=True)
        print(run.stdout, end="")
        return run.returncode


if __name__ == "__main__":
    sys.exit(main())
