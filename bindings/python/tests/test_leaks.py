# SPDX-License-Identifier: MIT
"""No leak growth: 10 000 open/close cycles of an existing store keep the process's resident
memory flat (after a warm-up), and so do many handles made and dropped."""
import gc
import os

import pytest

import vidgo

CYCLES = int(os.environ.get("VIDGO_LEAK_CYCLES", "10000"))
SANITIZED = os.environ.get("VIDGO_TEST_SANITIZED", "")
pytestmark = pytest.mark.skipif(
    bool(SANITIZED), reason=f"RSS is meaningless under -fsanitize={SANITIZED} (ASan's "
    "quarantine holds freed memory); the sanitizer checks the C side instead")
PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE


def quiet(level, message):
    pass


def cycle(path, n):
    for _ in range(n):  # with a log callback: its libffi closure must be freed too
        engine = vidgo.open(path, provider_mode="local", secret=b"k" * 32, log=quiet)
        engine.close()


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs /proc")
def test_open_close_cycles_do_not_grow_memory(tmp_path):
    path = str(tmp_path / "tiny.db")
    vidgo.open(path, provider_mode="local", secret=b"k" * 32).close()
    cycle(path, 500)  # warm-up: allocator pools, SQLite's caches, cffi's type cache
    gc.collect()
    before = rss_bytes()
    cycle(path, CYCLES)
    gc.collect()
    grown = rss_bytes() - before
    # A leak of even 1 KiB per cycle would be 10 MB; allow 4 MiB of allocator noise.
    assert grown < 4 * 1024 * 1024, f"RSS grew by {grown / 1024:.0f} KiB over {CYCLES} cycles"


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs /proc")
def test_unclosed_engines_and_caches_are_freed_by_the_gc(tmp_path):
    path = str(tmp_path / "gc.db")
    vidgo.open(path, provider_mode="local", secret=b"k" * 32).close()

    def leaky(n):
        for _ in range(n):
            engine = vidgo.open(path, provider_mode="local", secret=b"k" * 32, log_level="none")
            engine.cache.open().stats()
            del engine  # never closed: the finalizers free the cache, then the context
        gc.collect()

    leaky(100)
    before = rss_bytes()
    leaky(1000)
    grown = rss_bytes() - before
    assert grown < 4 * 1024 * 1024, f"RSS grew by {grown / 1024:.0f} KiB"
