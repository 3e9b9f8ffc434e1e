# SPDX-License-Identifier: MIT
"""engine.jobs: the generation pipeline (include/vidgo/generate.h): submit requests, read,
list, cancel and wait for jobs, and run workers that drive them through the providers.

A worker started with :meth:`Generator.start_worker` is a Python thread that spends its
life inside ``vg_worker_run`` in C, with the GIL released; :meth:`Worker.stop` asks it to
return after its current step (``vg_worker_stop``). Workers are stopped and freed before
their generator is closed, and generators before their engine.
"""
from __future__ import annotations

import threading
import weakref
from typing import TYPE_CHECKING, Any, Callable, Iterator, List, Optional

from . import _call
from . import constants as _constants
from . import types as _t
from ._config import _report
from ._ffi import ffi, lib
from ._handle import Handle
from .errors import ClosedError, Timeout, make_error

if TYPE_CHECKING:
    from .engine import Engine


def generator_options(engine: "Engine", keep: List[Any], *, on_event: Any = None,
                      enhance: Optional[bool] = None, job_timeout_s: int = 0, lease_s: int = 0,
                      aging_s: int = 0, max_attempts: int = 0, max_poll_ms: int = 0,
                      cache: Optional[dict] = None) -> Any:
    from .cache import cache_options

    options = ffi.new("vg_generator_options *")
    options.version = _constants.get("VG_GENERATOR_OPTIONS_VERSION")
    keep.append(options)
    if cache is not None:
        cache = dict(cache)
        embedder = cache.pop("embedder", None)
        copts = cache_options(embedder, **cache)
        keep += [copts, embedder]
        options.cache = copts
    options.enhance = 0 if enhance is None or enhance else -1
    options.job_timeout_s = job_timeout_s
    options.lease_s = lease_s
    options.aging_s = aging_s
    options.max_attempts = max_attempts
    options.max_poll_ms = max_poll_ms
    if on_event is not None:
        fn: Callable[[_t.Job], Any] = on_event

        def event(job: Any, payload: Any) -> None:
            try:
                fn(_t.from_c(_t.Job, job))
            except BaseException:  # noqa: BLE001 - nothing may cross back into C
                _report("job event")

        callback = ffi.callback("vg_job_event_fn", event)
        keep.append(callback)
        options.on_event = callback
    return options


def open_generator_handle(engine: "Engine", options: Any, keep: List[Any]) -> Handle:
    out = ffi.new("vg_generator **")
    with engine._h as ctx:
        _call.ok(lib.vg_generator_open(out, ctx, options if options is not None else ffi.NULL),
                 ctx)
    # The embedder of a cache option must outlive the generator: it is in `keep`, and its
    # handle is a parent, so closing it (or the engine) closes the generator first.
    from .cache import Embedder

    parents = [engine._h] + [e._handle for e in keep
                             if isinstance(e, Embedder) and e._handle is not None]
    return Handle(out[0], lib.vg_generator_close, "generator", parents=parents, keep=keep)


def _job_out() -> Any:
    out = ffi.new("vg_job *")
    out.version = _constants.get("VG_JOB_VERSION")
    return out


class Worker:
    """A worker on a generator: :meth:`step` by hand, or :meth:`start` a thread that runs
    ``vg_worker_run`` until :meth:`stop`. A running worker is owned by its generator (it
    keeps running when this object is dropped) and stopped when the generator closes."""

    def __init__(self, generator: "Generator", name: Optional[str] = None) -> None:
        out = ffi.new("vg_worker **")
        with generator._h as gen:
            _call.ok(lib.vg_worker_new(out, gen, _t.cstring(name)))
        self._generator = generator
        self._h = Handle(out[0], lib.vg_worker_free, "worker", parents=[generator._h],
                         before_wait=lib.vg_worker_stop)
        self._thread: Optional[threading.Thread] = None
        self._result: List[BaseException] = []

    def step(self) -> bool:
        """Does one step of the most urgent due job; returns whether there was one."""
        did = ffi.new("int *")
        with self._h as worker:
            _call.ok(lib.vg_worker_step(did, worker))
        return bool(did[0])

    def run(self, idle_ms: int = 0, stop_when_idle: bool = False) -> None:
        """Runs steps in this thread (GIL released) until stop() from another thread, or,
        with stop_when_idle, until no job is due or in progress."""
        with self._h as worker:
            _call.ok(lib.vg_worker_run(worker, idle_ms, 1 if stop_when_idle else 0))

    def start(self, idle_ms: int = 0) -> "Worker":
        """Starts a daemon thread that runs this worker until stop()."""
        if self._thread is not None and self._thread.is_alive():
            raise RuntimeError("the worker is already running")
        handle, errors = self._h, self._result

        def target() -> None:  # holds the handle only, never the Python objects
            try:
                with handle as worker:
                    rc = lib.vg_worker_run(worker, idle_ms, 0)
                    if rc != 0:
                        errors.append(make_error(rc))
            except ClosedError:
                pass  # closed before the thread got going: nothing to run
            except BaseException as exc:  # noqa: BLE001 - re-raised by stop()
                errors.append(exc)

        self._thread = threading.Thread(target=target, name="vidgo-worker", daemon=True)
        self._thread.start()
        return self

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def stop(self, timeout: Optional[float] = None) -> None:
        """Asks the worker to return after its current step and waits for its thread.
        Raises the store error that ended the run, if one did."""
        if not self._h.closed:
            try:
                with self._h as worker:
                    lib.vg_worker_stop(worker)
            except Exception:  # closed meanwhile
                pass
        if self._thread is not None:
            self._thread.join(timeout)
        if self._result:
            raise self._result.pop()

    def close(self) -> None:
        """Stops (if running) and frees the worker."""
        self._h.close()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()

    def __enter__(self) -> "Worker":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class Generator:
    """A generator: the similarity cache and settings the pipeline works with. Obtain the
    engine's default one as ``engine.jobs``, or one with options from
    ``engine.generator(...)`` (close it, or let the engine or the GC close it)."""

    def __init__(self, engine: "Engine", handle: Handle, owned: bool) -> None:
        self._engine = engine
        self._h = handle
        self._owned = owned
        self._finalizer = weakref.finalize(self, handle.close) if owned else None

    def close(self) -> None:
        """Stops this generator's workers and closes it (the default one closes with the
        engine: this does nothing for it)."""
        if self._finalizer is not None:
            self._finalizer()

    @property
    def closed(self) -> bool:
        return self._h.closed

    def __enter__(self) -> "Generator":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # --- requests -----------------------------------------------------------------------

    def submit(self, user_id: int, service: str, prompt: Optional[str] = None, *, key: str,
               lang: Optional[str] = None, duration_s: int = 0, fps: int = 0,
               style: Optional[str] = None, image: Optional[bytes] = None,
               image_mime: Optional[str] = None, input_job_id: int = 0,
               public: bool = False) -> _t.Job:
        """Submits a request; returns the job at once: SUCCEEDED (a cache hit, charged),
        FAILED (moderation, demo video not in the cache: read ``error_key``, ``message``),
        or QUEUED for a worker. Refusals raise (PlanTooLow, InsufficientCredits, ...).
        ``key`` is the idempotency key: the same key returns the same job."""
        req = ffi.new("vg_generate_request *")
        req.version = _constants.get("VG_GENERATE_REQUEST_VERSION")
        keep = [_t.cstring(s) for s in (service, prompt, lang, style, image_mime, key)]
        bufs = [ffi.new("char[]", b) if b is not ffi.NULL else ffi.NULL for b in keep]
        req.user_id = user_id
        req.service, req.prompt, req.lang, req.style, req.image_mime, req.idempotency_key = bufs
        req.duration_s = duration_s
        req.fps = fps
        if image is not None:
            img = ffi.from_buffer("unsigned char[]", image)
            bufs.append(img)
            req.image = img
            req.image_len = len(image)
        req.input_job_id = input_job_id
        req.is_public = 1 if public else 0
        out = _job_out()
        with self._h as gen:
            rc = lib.vg_generate_submit(out, gen, req)
            if rc != 0:
                with self._engine._h as ctx:
                    raise make_error(rc, ctx)
        return _t.from_c(_t.Job, out)

    # --- jobs ---------------------------------------------------------------------------

    def get(self, job_id: int) -> _t.Job:
        """Reads a job; raises NotFound."""
        out = _job_out()
        with self._engine._h as ctx:
            _call.ok(lib.vg_job_get(out, ctx, job_id), ctx)
        return _t.from_c(_t.Job, out)

    def list_page(self, user_id: int = 0, *, active_only: bool = False, before_id: int = 0,
                  limit: int = 100) -> List[_t.Job]:
        """One page of jobs, newest first, with ids below before_id (0: the newest)."""
        col = _call.Collector(lambda j: _t.from_c(_t.Job, j))
        with self._engine._h as ctx:
            _call.ok(lib.vg_jobs_list(ctx, user_id, 1 if active_only else 0, before_id, limit,
                                      _call.JOB, col.handle), ctx)
        return col.result()

    def list(self, user_id: int = 0, *, active_only: bool = False,
             page_size: int = 100) -> Iterator[_t.Job]:
        """Every job (of one user; 0: everyone's), newest first, read page by page."""
        return _call.pages(lambda before: self.list_page(user_id, active_only=active_only,
                                                         before_id=before, limit=page_size),
                           lambda job: job.id, page_size)

    def cancel(self, job_id: int, user_id: int = 0) -> _t.Job:
        """Cancels an unfinished job (user_id must own it; 0: any). Raises JobStateError
        when it is final already."""
        out = _job_out()
        with self._h as gen:
            rc = lib.vg_job_cancel(out, gen, job_id, user_id)
            if rc != 0:
                with self._engine._h as ctx:
                    raise make_error(rc, ctx)
        return _t.from_c(_t.Job, out)

    def wait(self, job_id: int, timeout: Optional[float] = None) -> _t.Job:
        """Waits (GIL released) until the job is final and returns it; a worker must run
        somewhere. Raises Timeout (with ``.job``, the last state read) after ``timeout``
        seconds (None: a day)."""
        ms = 86_400_000 if timeout is None else max(0, int(timeout * 1000))
        out = _job_out()
        with self._engine._h as ctx:
            rc = lib.vg_job_wait(out, ctx, job_id, ms)
            if rc != 0:
                err = make_error(rc, ctx)
                if isinstance(err, Timeout):
                    err.job = _t.from_c(_t.Job, out)
                raise err
        return _t.from_c(_t.Job, out)

    # --- workers ------------------------------------------------------------------------

    def worker(self, name: Optional[str] = None) -> Worker:
        """A new worker on this generator (not started)."""
        return Worker(self, name)

    def start_worker(self, name: Optional[str] = None, idle_ms: int = 0) -> Worker:
        """A new worker running in its own thread until stopped (or the generator closes)."""
        return Worker(self, name).start(idle_ms)

    def run_until_idle(self, idle_ms: int = 0) -> None:
        """Runs a worker in this thread until no job is due or in progress."""
        with Worker(self) as worker:
            worker.run(idle_ms, stop_when_idle=True)

    @staticmethod
    def state_name(state: _t.JobState) -> Optional[str]:
        raw = lib.vg_job_state_name(int(state))
        return None if raw == ffi.NULL else _t.text(raw)
