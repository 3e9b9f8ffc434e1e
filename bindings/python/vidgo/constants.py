# SPDX-License-Identifier: MIT
"""Every numeric constant of the libvidgo headers, read from the loaded library at import.

The values come from ``vg_constant()`` (``include/vidgo/constants.h``), never from a copy
of the headers: ``vidgo.constants.VG_OPEN_CREATE``, ``vidgo.constants.ALL["VG_LOG_WARN"]``.
Status codes are not here; see :mod:`vidgo.errors`. The enums of the headers are
:mod:`vidgo.types` enums built from these values.
"""
from __future__ import annotations

from typing import Dict, List

from ._ffi import ffi, lib


def _read_all() -> Dict[str, int]:
    out: Dict[str, int] = {}
    value = ffi.new("long long *")
    for index in range(lib.vg_constant_count()):
        raw = lib.vg_constant_name_at(index)
        if raw == ffi.NULL:
            continue
        name = ffi.string(raw).decode("ascii")
        if lib.vg_constant(value, name.encode("ascii")) == 0:
            out[name] = int(value[0])
    return out


#: Every constant by name, as the loaded library knows it.
ALL: Dict[str, int] = _read_all()


def get(name: str) -> int:
    """Returns the value of a constant ("VG_OPEN_CREATE"); KeyError for an unknown name."""
    try:
        return ALL[name]
    except KeyError:
        raise KeyError(f"libvidgo has no constant {name!r}") from None


def __getattr__(name: str) -> int:
    if name in ALL:
        return ALL[name]
    raise AttributeError(f"module 'vidgo.constants' has no attribute {name!r}")


def __dir__() -> List[str]:
    return sorted(list(globals()) + list(ALL))
