# SPDX-License-Identifier: MIT
"""Loading: the library and the declarations match, the declarations come from the headers,
constants come from the library, and C calls release the GIL."""
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import vidgo
from vidgo import _cdef, constants
from vidgo._ffi import ffi, lib

ROOT = Path(__file__).resolve().parents[3]
INCLUDE = ROOT / "include"
PACKAGE = Path(vidgo.__file__).resolve().parent


def test_the_library_loaded_is_the_one_vidgo_library_names():
    wanted = os.environ.get("VIDGO_LIBRARY")
    if not wanted:
        pytest.skip("VIDGO_LIBRARY is not set")
    assert os.path.realpath(vidgo.LIBRARY_PATH) == os.path.realpath(wanted)


def test_versions_and_struct_size_match_the_declarations():
    assert vidgo.version_number() == lib.VGPY_HEADER_VERSION_NUMBER
    assert vidgo.config_version() == lib.VGPY_HEADER_CONFIG_VERSION
    assert ffi.sizeof("vg_config") == lib.vg_config_size()
    major, minor, patch = (int(x) for x in vidgo.version().split("."))
    assert vidgo.version_number() == major * 10000 + minor * 100 + patch


def test_declarations_are_generated_from_the_headers_not_copied():
    text = _cdef.generate(INCLUDE)
    assert "vg_config_init" in text and "VG_API" not in text and "__attribute__" not in text
    # Every VG_API function of the public headers is declared and resolves in the library.
    headers = "".join(p.read_text() for p in sorted((INCLUDE / "vidgo").glob("*.h")))
    names = set(re.findall(r"VG_API[^;(]*?\b(vg_\w+)\s*\(", headers))
    assert len(names) > 100
    for name in names:
        assert callable(getattr(lib, name)), name
    # No file of the package spells out a C struct.
    for source in PACKAGE.glob("*.py"):
        assert not re.search(r"typedef\s+struct|struct\s+vg_\w+\s*\{", source.read_text()), source


def test_generated_declarations_are_cached_by_header_hash(tmp_path, monkeypatch):
    monkeypatch.setenv("VIDGO_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("VIDGO_INCLUDE_DIR", str(INCLUDE))
    first, _ = _cdef.load()
    cached = list(tmp_path.glob("cdef-*.h"))
    assert len(cached) == 1 and cached[0].read_text() == first
    second, source = _cdef.load()
    assert second == first and "cached" in source


def test_the_bundled_declarations_are_the_fallback_without_headers(tmp_path, monkeypatch):
    bundled = tmp_path / "bundled.h"
    bundled.write_text(_cdef.generate(INCLUDE))
    monkeypatch.setattr(_cdef, "BUNDLED", bundled)
    monkeypatch.setattr(_cdef, "find_include_dir", lambda build_dir=None: None)
    text, source = _cdef.load()
    assert source == str(bundled) and text == bundled.read_text()


def test_a_wrong_library_path_fails_import_with_a_clear_message(tmp_path):
    env = dict(os.environ, VIDGO_LIBRARY=str(tmp_path / "nope.so"))
    done = subprocess.run([sys.executable, "-c", "import vidgo"], env=env, cwd=str(PACKAGE.parent),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "libvidgo not found" in done.stderr and "VIDGO_LIBRARY" in done.stderr


def test_every_constant_is_read_from_the_library():
    assert constants.VG_OPEN_CREATE == 1 and constants.VG_LANG_COUNT == 5
    assert len(constants.ALL) == lib.vg_constant_count()
    assert constants.get("VG_CONFIG_VERSION") == lib.vg_config_version()
    with pytest.raises(AttributeError):
        constants.VG_NO_SUCH_THING  # noqa: B018


def test_module_level_helpers():
    assert vidgo.schema_latest() >= 7
    assert vidgo.backend_available("sqlite")
    assert vidgo.LANGS == ["en", "ja", "zh-TW", "ko", "es"]
    assert vidgo.lang_index("zh-Hant-TW") == 2 and vidgo.lang_index("xx") == -1
    assert vidgo.format_time(vidgo.parse_time("2026-11-30T09:00:00+09:00")) == "2026-11-30T00:00:00Z"
    vidgo.global_init()


def test_c_calls_release_the_gil(make_engine):
    """A long C call in one thread (vg_job_wait, 600 ms) leaves the interpreter to others."""
    engine = make_engine()
    uid = engine.users.add_verified("gil@example.com", "pro")
    job = engine.jobs.submit(uid, "image_1024", "a green teapot on a shelf", key="gil")
    ticks = []

    def waiter():
        with pytest.raises(vidgo.Timeout):
            engine.jobs.wait(job.id, timeout=0.6)

    thread = threading.Thread(target=waiter)
    start = time.monotonic()
    thread.start()
    while thread.is_alive():
        ticks.append(time.monotonic())
    assert time.monotonic() - start >= 0.5
    # Had the call kept the GIL, this thread could not have run in the middle of it.
    middle = [t for t in ticks if start + 0.2 <= t <= start + 0.4]
    assert len(middle) > 100
