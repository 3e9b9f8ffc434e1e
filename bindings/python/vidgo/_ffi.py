# SPDX-License-Identifier: MIT
"""Finds and loads libvidgo.so.0 with cffi in ABI mode, and checks it matches the declarations.

The library is looked for, in order: ``$VIDGO_LIBRARY`` (a path); the meson build directory
(``$VIDGO_BUILD_DIR``, else ``build/`` at the root of the checkout this package runs from);
the system (``ctypes.util.find_library("vidgo")``, then the plain SONAME).
"""
from __future__ import annotations

import ctypes.util
import os
import sys
from pathlib import Path
from typing import Any, List, Optional, Tuple

import cffi

from . import _cdef

SONAMES = {"darwin": "libvidgo.0.dylib", "win32": "vidgo.dll"}
SONAME = SONAMES.get(sys.platform, "libvidgo.so.0")


class LoadError(ImportError):
    """libvidgo could not be loaded, or does not match the headers the declarations came from."""


def _build_dir_library(build_dir: Path) -> Path:
    return build_dir / "lib" / SONAME


def _candidates() -> List[Tuple[str, Optional[Path], str]]:
    """(what to dlopen, the meson build dir it belongs to, why) in the order they are tried."""
    out: List[Tuple[str, Optional[Path], str]] = []
    env = os.environ.get("VIDGO_LIBRARY")
    if env:
        path = Path(env)
        build_dir = path.resolve().parent.parent if path.exists() else None
        if build_dir is not None and not (build_dir / "meson-info").is_dir():
            build_dir = None
        return [(str(path), build_dir, "$VIDGO_LIBRARY")]
    env = os.environ.get("VIDGO_BUILD_DIR")
    if env:
        return [(str(_build_dir_library(Path(env))), Path(env), "$VIDGO_BUILD_DIR")]
    root = _cdef._checkout_root()
    if root is not None:
        lib = _build_dir_library(root / "build")
        if lib.exists():
            out.append((str(lib), root / "build", "the checkout's build/"))
    found = ctypes.util.find_library("vidgo")
    if found:
        out.append((found, None, "the system (find_library)"))
    out.append((SONAME, None, "the system (dlopen)"))
    return out


def _load() -> "Tuple[cffi.FFI, Any, str, str]":
    tried = []
    for name, build_dir, why in _candidates():
        ffi = cffi.FFI()
        try:
            handle = ffi.dlopen(name)
        except OSError as exc:
            tried.append(f"{name} ({why}): {exc}")
            continue
        try:
            cdef, source = _cdef.load(build_dir)
        except _cdef.CdefError as exc:
            raise LoadError(f"cannot declare libvidgo for cffi: {exc}") from None
        ffi.cdef(cdef)
        # Re-open so that the new declarations bind to the library.
        lib = ffi.dlopen(name)
        del handle
        return ffi, lib, name, source
    raise LoadError("libvidgo not found; tried:\n  " + "\n  ".join(tried) +
                    "\nSet VIDGO_LIBRARY to the path of libvidgo.so.0, or VIDGO_BUILD_DIR to "
                    "a meson build directory.")


def _check(ffi: cffi.FFI, lib) -> None:
    """The loaded library must be the one the declarations describe."""
    want = lib.VGPY_HEADER_VERSION_NUMBER
    got = lib.vg_version_number()
    problems = []
    if got != want:
        problems.append(f"library version {got}, headers {want}")
    if lib.vg_config_version() != lib.VGPY_HEADER_CONFIG_VERSION:
        problems.append(f"library VG_CONFIG_VERSION {lib.vg_config_version()}, "
                        f"headers {lib.VGPY_HEADER_CONFIG_VERSION}")
    if ffi.sizeof("vg_config") != lib.vg_config_size():
        problems.append(f"library sizeof(vg_config) {lib.vg_config_size()}, "
                        f"headers {ffi.sizeof('vg_config')}")
    if problems:
        raise LoadError("libvidgo does not match its headers: " + "; ".join(problems) +
                        " (point VIDGO_INCLUDE_DIR at the headers of the library you load)")


ffi, lib, LIBRARY_PATH, CDEF_SOURCE = _load()
_check(ffi, lib)
NULL = ffi.NULL
