# SPDX-License-Identifier: MIT
"""The Engine: opening with a config, closing, use after close, finalizers, children."""
import gc
import threading
import weakref

import pytest

import vidgo
from vidgo import errors


def test_open_as_a_context_manager_closes_it(tmp_path):
    with vidgo.open(str(tmp_path / "a.db"), provider_mode="local") as engine:
        assert not engine.closed
        assert engine.store_backend == "sqlite"
        assert engine.store_location.endswith("a.db")
    assert engine.closed
    assert "closed" in repr(engine)


def test_double_close_is_fine(engine):
    engine.close()
    engine.close()
    assert engine.closed


def test_use_after_close_raises_a_clear_error(engine):
    plans = engine.plans
    engine.close()
    with pytest.raises(errors.ClosedError, match="engine is closed"):
        engine.plans.list()
    with pytest.raises(errors.ClosedError):
        plans.get("pro")
    with pytest.raises(errors.ClosedError):
        engine.now()


def test_an_unclosed_engine_is_closed_by_the_garbage_collector(tmp_path):
    engine = vidgo.open(str(tmp_path / "gc.db"), provider_mode="local")
    engine.plans.list()
    handle = engine._h
    ref = weakref.ref(engine)
    del engine
    gc.collect()
    assert ref() is None
    assert handle.closed


def test_the_gc_closes_an_engine_with_children_children_first(tmp_path):
    closed = []
    engine = vidgo.open(str(tmp_path / "g.db"), provider_mode="local")
    cache = engine.cache.open()
    generator = engine.generator()
    worker = generator.start_worker(idle_ms=20)
    handles = [engine._h, cache._h, generator._h, worker._h]
    for h in handles:
        original = h._free
        h._free = (lambda orig, name: lambda p: (closed.append(name), orig(p)))(original, h.what)
    ref = weakref.ref(engine)
    del engine, cache, generator, worker
    gc.collect()
    assert ref() is None
    assert all(h.closed for h in handles)
    assert closed.index("worker") < closed.index("generator") < closed.index("engine")
    assert closed.index("cache") < closed.index("engine")
    assert sorted(closed) == sorted(["engine", "cache", "generator", "worker"])  # once each


def test_children_keep_the_engine_alive(make_engine):
    engine = make_engine()
    cache = engine.cache.open()
    ref = weakref.ref(engine)
    del engine
    gc.collect()
    assert ref() is not None
    assert cache.stats().entries == 0
    cache.close()
    cache.close()


def test_closing_the_engine_closes_its_caches_and_generators(engine):
    cache = engine.cache.open()
    generator = engine.generator()
    engine.close()
    assert cache.closed and generator.closed
    with pytest.raises(errors.ClosedError, match="cache is closed"):
        cache.stats()
    cache.close()  # fine after the engine closed it


def test_close_waits_for_calls_in_flight(make_engine):
    engine = make_engine()
    uid = engine.users.add_verified("w@example.com", "pro")
    job = engine.jobs.submit(uid, "image_1024", "a silver watch", key="w")
    done = []

    def wait():
        try:
            engine.jobs.wait(job.id, timeout=0.5)
        except errors.Timeout:
            done.append("timeout")

    t = threading.Thread(target=wait)
    t.start()
    while not engine._h._calls:
        pass
    engine.close()  # returns once the wait has finished
    assert done == ["timeout"]
    t.join()


def test_config_keywords_reach_the_library(make_engine):
    lines = []
    engine = make_engine(lang="ja", log=lambda level, message: lines.append((level, message)),
                         log_level="debug", hold_ttl_s=60)
    assert engine.lang == "ja"
    assert any(level == vidgo.LogLevel.INFO and "opened" in message for level, message in lines)
    uid = engine.users.add_verified("cfg@example.com", "pro")
    hold = engine.credits.hold(uid, "image_512", key="h")
    assert (hold.expires_at - hold.created_at).total_seconds() == 60


def test_unknown_config_keywords_are_refused(tmp_path):
    with pytest.raises(TypeError, match="colour"):
        vidgo.open(str(tmp_path / "x.db"), colour="blue")


def test_a_fake_clock_drives_the_engine(make_engine):
    clock = vidgo.FakeClock("2026-11-25T10:00:00Z")
    engine = make_engine(clock=clock)
    assert vidgo.format_time(engine.now()) == "2026-11-25T10:00:00Z"
    clock.advance(days=1)
    assert vidgo.format_time(engine.now()) == "2026-11-26T10:00:00Z"


def test_a_failed_open_raises_with_the_reason(tmp_path):
    with pytest.raises(errors.StoreOpenError) as caught:
        vidgo.open(str(tmp_path / "missing.db"), create=False)
    assert "missing.db" in caught.value.message


def test_store_information_and_events(engine):
    assert engine.schema_version() == vidgo.schema_latest()
    events = list(engine.events())
    assert events and events[0].kind == "store.created"
    assert events[0].at.tzinfo is not None


def test_check_finds_nothing_wrong_in_a_fresh_store(engine, pro_user):
    engine.credits.grant(pro_user, 10, key="g")
    assert engine.check() == []
    assert engine.last_error is None or isinstance(engine.last_error, str)
