# SPDX-License-Identifier: MIT
"""cffi declarations generated from the real libvidgo headers by the C preprocessor.

Nothing here is hand-copied: ``generate()`` runs ``cc -E -P`` over ``include/vidgo/vidgo.h``
with the export macro and the attributes neutralised, and the result goes to ``ffi.cdef``.
The output is cached in a directory keyed by a hash of every header (and of the
preprocessor command), so only the first import after a header change pays for ``cc``.

Run ``python -m vidgo._cdef [INCLUDE_DIR] [OUTPUT]`` to print or write the declarations
(the package build does this to ship a fallback copy, ``_cdef_bundled.h``).
"""
from __future__ import annotations

import hashlib
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import List, Optional, Sequence

# Bump when the generator's output changes for the same headers.
GENERATOR_VERSION = "1"

# The wrapper the preprocessor reads. The enum records the header's version macros in the
# declarations themselves, so that the loader can compare them with the loaded library.
_WRAPPER = """#include <vidgo/vidgo.h>
enum vgpy_header {
    VGPY_HEADER_VERSION_NUMBER = VG_VERSION_NUMBER,
    VGPY_HEADER_CONFIG_VERSION = VG_CONFIG_VERSION
};
"""

# Flags that make the headers plain C89-ish declarations pycparser reads:
# -undef drops __GNUC__ (so common.h defines VG_API as nothing), -nostdinc with empty stub
# <stddef.h>/<stdint.h> keeps the system headers out (cffi knows size_t, int64_t, ...).
_CPP_FLAGS = ["-E", "-P", "-undef", "-nostdinc", "-DVG_API=", "-D__attribute__(x)=",
              "-D__declspec(x)=", "-DVG_STATIC=1"]

BUNDLED = Path(__file__).with_name("_cdef_bundled.h")


class CdefError(RuntimeError):
    """The declarations could not be generated (no headers, no preprocessor, bad output)."""


def _checkout_root() -> Optional[Path]:
    """The repository root when this package runs from a checkout (bindings/python/vidgo)."""
    parents = Path(__file__).resolve().parents
    root = parents[3] if len(parents) > 3 else None
    if root is not None and (root / "include" / "vidgo" / "vidgo.h").is_file() and (root / "meson.build").is_file():
        return root
    return None


def _pkg_config_dirs() -> List[Path]:
    exe = shutil.which("pkg-config")
    if not exe:
        return []
    try:
        done = subprocess.run([exe, "--cflags-only-I", "vidgo"], capture_output=True, text=True,
                              timeout=20)
    except (OSError, subprocess.SubprocessError):
        return []
    if done.returncode != 0:
        return []
    return [Path(flag[2:]) for flag in shlex.split(done.stdout) if flag.startswith("-I")]


def _source_of_build_dir(build_dir: Path) -> Optional[Path]:
    """The source tree of a meson build directory (read from meson-info/meson-info.json)."""
    import json

    info = build_dir / "meson-info" / "meson-info.json"
    try:
        source = json.loads(info.read_text())["directories"]["source"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return Path(source)


def include_candidates(build_dir: Optional[Path] = None) -> List[Path]:
    """Directories that may hold ``vidgo/vidgo.h``, best first."""
    out: List[Path] = []
    env = os.environ.get("VIDGO_INCLUDE_DIR")
    if env:
        out.append(Path(env))
    if build_dir is not None:
        source = _source_of_build_dir(build_dir)
        if source is not None:
            out.append(source / "include")
    root = _checkout_root()
    if root is not None:
        out.append(root / "include")
    out += _pkg_config_dirs()
    out += [Path("/usr/local/include"), Path("/usr/include")]
    return out


def find_include_dir(build_dir: Optional[Path] = None) -> Optional[Path]:
    for candidate in include_candidates(build_dir):
        if (candidate / "vidgo" / "vidgo.h").is_file():
            return candidate
    return None


def preprocessor() -> List[str]:
    """The C preprocessor command: $VIDGO_CPP, else $CC -E, else cc, gcc, clang or cpp."""
    env = os.environ.get("VIDGO_CPP")
    if env:
        return shlex.split(env)
    cc = os.environ.get("CC")
    if cc and shutil.which(shlex.split(cc)[0]):
        return shlex.split(cc)
    for name in ("cc", "gcc", "clang", "cpp"):
        path = shutil.which(name)
        if path:
            return [path]
    raise CdefError("no C preprocessor found (install cc, or set VIDGO_CPP or CC)")


def _headers_hash(include_dir: Path, cpp: Sequence[str]) -> str:
    digest = hashlib.sha256()
    digest.update(GENERATOR_VERSION.encode())
    digest.update("\0".join(cpp).encode())
    for header in sorted((include_dir / "vidgo").rglob("*.h")):
        digest.update(str(header.relative_to(include_dir)).encode() + b"\0")
        digest.update(header.read_bytes())
    return digest.hexdigest()[:32]


def _clean(text: str) -> str:
    """Removes what pycparser cannot read from preprocessed output."""
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    text = "\n".join(lines)
    text = re.sub(r'extern\s+"C"\s*\{', "", text)
    for word in ("__extension__", "__restrict__", "__restrict", "__inline__", "__inline"):
        text = text.replace(word, "")
    text = re.sub(r"\bnoexcept\b", "", text)
    # Collapse the runs of blank lines the preprocessor leaves.
    text = re.sub(r"\n\s*\n+", "\n", text).strip() + "\n"
    if re.search(r"\)\s*\{", text):
        raise CdefError("the headers define a function body; cffi needs declarations only")
    return text


def generate(include_dir: Path, cpp: Optional[Sequence[str]] = None) -> str:
    """Runs the preprocessor over vidgo.h in include_dir and returns cleaned declarations."""
    cmd = list(cpp) if cpp else preprocessor()
    with tempfile.TemporaryDirectory(prefix="vidgo-cdef-") as tmp:
        stub = Path(tmp)
        (stub / "stddef.h").write_text("")
        (stub / "stdint.h").write_text("")
        argv = cmd + _CPP_FLAGS + ["-I" + str(stub), "-I" + str(include_dir), "-x", "c", "-"]
        try:
            done = subprocess.run(argv, input=_WRAPPER, capture_output=True, text=True,
                                  timeout=120)
        except OSError as exc:
            raise CdefError(f"cannot run the preprocessor {cmd[0]}: {exc}") from None
    if done.returncode != 0:
        raise CdefError(f"the preprocessor failed on {include_dir}/vidgo/vidgo.h:\n{done.stderr}")
    return _clean(done.stdout)


def _cache_dir() -> Path:
    env = os.environ.get("VIDGO_CACHE_DIR")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg:
        return Path(xdg) / "vidgo-python"
    home = Path.home()
    if home and os.access(home, os.W_OK):
        return home / ".cache" / "vidgo-python"
    return Path(tempfile.gettempdir()) / f"vidgo-python-{os.getuid()}"


def load(build_dir: Optional[Path] = None) -> "tuple[str, str]":
    """Returns (declarations, where they came from): generated from the headers that match
    the library best (cached by their hash), else the copy bundled at build time."""
    include_dir = find_include_dir(build_dir)
    if include_dir is None:
        if BUNDLED.is_file():
            return BUNDLED.read_text(), str(BUNDLED)
        raise CdefError("libvidgo headers not found (set VIDGO_INCLUDE_DIR, or install them "
                        "so that `pkg-config --cflags vidgo` finds them)")
    try:
        cpp = preprocessor()
    except CdefError:
        if BUNDLED.is_file():
            return BUNDLED.read_text(), str(BUNDLED)
        raise
    key = _headers_hash(include_dir, cpp)
    cache = _cache_dir() / f"cdef-{key}.h"
    try:
        return cache.read_text(), f"{include_dir} (cached {cache})"
    except OSError:
        pass
    text = generate(include_dir, cpp)
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cache.parent, prefix=".cdef-")
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
        os.replace(tmp, cache)
    except OSError:
        pass  # a read-only home: generate again next time
    return text, str(include_dir)


def main(argv: Sequence[str]) -> int:
    include_dir = Path(argv[0]) if argv else find_include_dir()
    if include_dir is None:
        print("libvidgo headers not found", file=sys.stderr)
        return 1
    text = generate(include_dir)
    if len(argv) > 1:
        Path(argv[1]).write_text(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
