#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`meson install` lays out a usable library: SONAME, headers, vidgo.pc for shared and static use."""
import os
import pathlib
import re
import subprocess
import sys
import tempfile


def run(*args, **kw):
    return subprocess.run(args, capture_output=True, text=True, **kw)


def main():
    build_dir, cc, readme, sanitize = sys.argv[1:5]
    problems = []
    with tempfile.TemporaryDirectory() as dest:
        inst = run("meson", "install", "-C", build_dir, "--destdir", dest, "--no-rebuild", "--quiet")
        if inst.returncode:
            print(inst.stdout, inst.stderr)
            return 1
        root = pathlib.Path(dest)
        pcs = list(root.rglob("vidgo.pc"))
        if len(pcs) != 1:
            print(f"expected one vidgo.pc, found {pcs}")
            return 1
        pc = pcs[0]
        prefix = re.search(r"^prefix=(.*)$", pc.read_text(), re.M).group(1)
        libdir = pc.parent.parent
        version = re.search(r"^Version: (.*)$", pc.read_text(), re.M).group(1)
        major = version.split(".")[0]
        for name in ["vidgo.h", "errors.h", "version.h", "sys/store.h"]:
            if not list(root.rglob(f"include/vidgo/{name}")):
                problems.append(f"header vidgo/{name} not installed")
        for name in ["libvidgo.a", f"libvidgo.so.{major}", f"libvidgo.so.{version}", "libvidgo.so"]:
            if not (libdir / name).exists():
                problems.append(f"{name} not installed in {libdir}")
        soname = run("readelf", "-d", str(libdir / "libvidgo.so")).stdout
        if f"[libvidgo.so.{major}]" not in soname:
            problems.append(f"SONAME is not libvidgo.so.{major}")

        env = dict(os.environ, PKG_CONFIG_PATH=str(pc.parent))
        source = re.findall(r"```c\n(.*?)```", pathlib.Path(readme).read_text(), flags=re.S)[0]
        src = root / "example.c"
        src.write_text(source)
        # Static: libvidgo.a plus its Requires.private as shared libraries (their own static
        # archives are not always installed, e.g. libcurl's dependencies).
        private = re.search(r"^Requires.private: (.*)$", pc.read_text(), re.M).group(1)
        private = [re.split(r"\s*[<>=]", p.strip())[0] for p in private.split(",")]
        libs_private = re.search(r"^Libs.private: (.*)$", pc.read_text(), re.M)
        libs_private = libs_private.group(1).split() if libs_private else []
        for mode in ["shared", "static"]:
            flags = run("pkg-config", f"--define-variable=prefix={dest}{prefix}", "--cflags",
                        "--libs", "vidgo", *(private if mode == "static" else []), env=env)
            if flags.returncode:
                problems.append(f"pkg-config failed: {flags.stderr}")
                continue
            exe = root / f"example-{mode}"
            link = flags.stdout.split()
            if mode == "static":
                link = [f if f != "-lvidgo" else str(libdir / "libvidgo.a") for f in link]
                link += libs_private
            built = run(cc, *([sanitize] if sanitize else []), str(src), "-o", str(exe), *link,
                        f"-Wl,-rpath,{libdir}")
            if built.returncode:
                problems.append(f"{mode} link failed: {built.stderr}")
                continue
            needed = run("readelf", "-d", str(exe)).stdout
            if ("libvidgo.so" in needed) != (mode == "shared"):
                problems.append(f"{mode} example: libvidgo.so needed = {'libvidgo.so' in needed}")
            ran = run(str(exe), cwd=dest)
            if ran.returncode:
                problems.append(f"{mode} example exited {ran.returncode}: {ran.stderr}")
            else:
                print(f"{mode}: {ran.stdout.strip().splitlines()[0]}")
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
