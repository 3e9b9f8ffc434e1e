# SPDX-License-Identifier: MIT
"""vidgo: Python binding of libvidgo, the VidGo engine (credits, accounts, similarity cache,
providers, generation jobs, gallery, payments) in one embeddable C library.

    import vidgo

    with vidgo.open("vidgo.db", provider_mode="local") as engine:
        uid = engine.users.add_verified("mei@example.com", "pro")
        print(engine.credits.balance(uid).available)

A thin layer over the C ABI with cffi in ABI mode: declarations generated from the real
headers, the library found through $VIDGO_LIBRARY, a meson build directory or the system.
docs/python.md has the whole story.
"""
from __future__ import annotations

import datetime
from typing import Any, List, Optional

from . import constants
from . import errors
from ._config import FakeClock, PaymentsConfig, ProviderConfig
from ._ffi import CDEF_SOURCE, LIBRARY_PATH, ffi, lib
from .cache import Cache, Embedder, Flight
from .engine import Engine
from .errors import *  # noqa: F401,F403 - the exception classes belong to the package
from .errors import VidgoError, check, error_name, strerror
from .jobs import Generator, Worker
from .types import *  # noqa: F401,F403
from .types import LANGS, format_time, parse_time

__version__ = "0.1.0"


def open(path: Optional[str] = "vidgo.db", **config: Any) -> Engine:  # noqa: A001
    """Opens (creating if needed) a store and returns an :class:`Engine`.

    ``path`` is a SQLite file or a PostgreSQL URL (None: $VIDGO_DB, ...). Keywords set the
    fields of ``vg_config``: ``lang``, ``log`` (a callable receiving (level, message)),
    ``log_level``, ``clock`` (a callable returning a datetime or microseconds; see
    :class:`FakeClock`), ``secret`` (bytes or hex, 32+ bytes), ``create``, ``readonly``,
    ``sync_normal``, ``store_pool_size``, ``busy_timeout_ms``, wallet rules
    (``hold_ttl_s``, ``bonus_ttl_days``, ``expired_refund``, ``regrant_ttl_days``), sessions
    and hashing (``access_ttl_s``, ``refresh_ttl_s``, ``hash_concurrency``,
    ``pwhash_opslimit``, ``pwhash_memlimit``), e-mail (``email_sender`` (a callable receiving
    an :class:`Email`), ``smtp_url``, ``smtp_user``, ``smtp_password``, ``smtp_tls``,
    ``smtp_ca_path``, ``smtp_timeout_ms``, ``mail_dir``, ``email_from``, ``reset_url``),
    providers (``provider_mode`` "auto"/"local"/"remote", ``providers`` {"gemini":
    {"api_key": ...}}, ``provider_ca_path``, ``provider_timeout_ms``, ``assets_dir``,
    ``pollo_webhook_secret``) and ``payments`` (a :class:`PaymentsConfig` or a dict).
    """
    return Engine(path, **config)


def version() -> str:
    """The version string of the loaded library ("0.1.0")."""
    return ffi.string(lib.vg_version()).decode("ascii")


def version_number() -> int:
    """VG_VERSION_NUMBER of the loaded library (major * 10000 + minor * 100 + patch)."""
    return int(lib.vg_version_number())


def config_version() -> int:
    return int(lib.vg_config_version())


def schema_latest() -> int:
    """The store schema version this library creates and expects."""
    return int(lib.vg_store_schema_latest())


def backend_available(name: str) -> bool:
    """Whether this build has the named built-in store backend ("sqlite", "postgresql")."""
    return bool(lib.vg_store_backend_available(name.encode()))


def lang_index(tag: str) -> int:
    """The index of a language tag in LANGS ("ja-JP" -> 1), or -1."""
    return int(lib.vg_lang_index(tag.encode()))


def system_now() -> "datetime.datetime":
    """The system clock (vg_time_now_system) as a UTC datetime; Engine.now() follows the
    engine's clock instead."""
    from .types import from_vg_time

    value = from_vg_time(lib.vg_time_now_system())
    assert value is not None
    return value


def global_init() -> None:
    """Initialises libsodium and libcurl (vidgo.open does it too)."""
    check(lib.vg_global_init())


__all__: List[str] = [
    "open", "Engine", "Cache", "Embedder", "Flight", "Generator", "Worker", "FakeClock",
    "PaymentsConfig", "ProviderConfig", "VidgoError", "constants", "errors", "version",
    "version_number", "config_version", "schema_latest", "backend_available", "lang_index",
    "global_init", "system_now", "strerror", "error_name", "format_time", "parse_time", "LANGS",
    "LIBRARY_PATH", "CDEF_SOURCE",
]
