# SPDX-License-Identifier: MIT
"""The Engine: one open libvidgo context (a store and everything configured for it)."""
from __future__ import annotations

import datetime as _dt
import threading
import weakref
from typing import Any, Iterator, List, Optional

from . import _call
from . import types as _t
from ._config import build as _build_config
from ._ffi import ffi, lib
from ._handle import Handle
from .errors import make_error


class Engine:
    """An open store; see :func:`vidgo.open`. Thread-safe: one Engine may be shared by any
    number of threads (the C context serialises or pools store access itself).

    Close it with :meth:`close` or a ``with`` block; an Engine that is garbage-collected
    unclosed is closed by its finalizer (its caches, generators and workers first).
    """

    def __init__(self, path: Optional[str] = "vidgo.db", **config: Any) -> None:
        cfg, keep, callbacks = _build_config(path, config)
        out = ffi.new("vg_ctx **")
        rc = lib.vg_open(out, cfg)
        del keep  # the library copied the strings
        if rc != 0:
            raise make_error(rc, None, config.get("lang"))
        self._h = Handle(out[0], lib.vg_close, "engine", keep=callbacks)
        self._finalizer = weakref.finalize(self, self._h.close)
        self._default_generator: Optional[Handle] = None
        self._lock = threading.Lock()  # only for opening the default generator once
        self._lang = ffi.string(lib.vg_ctx_lang(out[0])).decode("ascii")

    # --- lifetime -----------------------------------------------------------------------

    def close(self) -> None:
        """Closes the engine: stops its workers, closes its generators and caches, frees the
        context. Calling it again does nothing. Wait for other threads' calls to end first:
        close() waits for calls in flight, and new calls raise ClosedError."""
        self._finalizer()

    @property
    def closed(self) -> bool:
        return self._h.closed

    def __enter__(self) -> "Engine":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        if self.closed:
            return "<vidgo.Engine (closed)>"
        return f"<vidgo.Engine {self.store_backend}:{self.store_location}>"

    # --- context ------------------------------------------------------------------------

    @property
    def lang(self) -> str:
        """The default language of user-facing messages ("en", "ja", "zh-TW", "ko", "es")."""
        return self._lang

    def now(self) -> _dt.datetime:
        """The current time by the engine's clock (UTC)."""
        with self._h as ctx:
            value = lib.vg_ctx_now(ctx)
        result = _t.from_vg_time(value)
        assert result is not None
        return result

    @property
    def last_error(self) -> Optional[str]:
        """The message of the most recent failure on this engine from any thread, or None."""
        with self._h as ctx:
            if lib.vg_ctx_errcode(ctx) == 0:
                return None
            return _t.text(lib.vg_ctx_errmsg(ctx))

    # --- the store ----------------------------------------------------------------------

    @property
    def store_backend(self) -> str:
        """"sqlite" or "postgresql"."""
        with self._h as ctx:
            return _t.text(lib.vg_store_backend_name(ctx))

    @property
    def store_location(self) -> str:
        """Where the store is (a URL's password redacted)."""
        with self._h as ctx:
            return _t.text(lib.vg_store_location(ctx))

    def schema_version(self) -> int:
        out = ffi.new("int *")
        with self._h as ctx:
            _call.ok(lib.vg_store_schema_version(out, ctx), ctx)
        return int(out[0])

    def events(self, after_id: int = 0, page_size: int = 1000) -> Iterator[_t.StoreEvent]:
        """The store's journal of administrative events, oldest first."""
        def convert(raw: Any) -> _t.StoreEvent:
            id_, at, kind, detail = raw
            return _t.StoreEvent(int(id_), _t.from_vg_time(at), _t.text(kind), _t.text(detail))

        while True:
            col = _call.Collector(convert)
            with self._h as ctx:
                _call.ok(lib.vg_store_events(ctx, after_id, page_size, _call.EVENT, col.handle), ctx)
            page = col.result()
            yield from page
            if len(page) < page_size:
                return
            after_id = page[-1].id

    def check(self, raise_on_problems: bool = False) -> List[_t.Problem]:
        """Verifies the whole store (integrity, schema, every domain's invariants) and
        returns the problems found: an empty list when nothing is wrong. Raises when the
        check itself could not run, and InvariantViolation (with ``.problems``) when
        problems were found and ``raise_on_problems`` is set."""
        def convert(raw: Any) -> _t.Problem:
            return _t.Problem(*(_t.text(x) for x in raw))

        col = _call.Collector(convert)
        count = ffi.new("size_t *")
        with self._h as ctx:
            rc = lib.vg_check(count, ctx, _call.PROBLEM, col.handle)
            if rc != 0 and (raise_on_problems or rc != lib.VG_EINVARIANT):
                err = make_error(rc, ctx)
                err.problems = col.items  # type: ignore[attr-defined]
                raise err
        return col.result()

    # --- API groups ---------------------------------------------------------------------

    @property
    def plans(self) -> "Plans":
        """Plans, services, top-up packages and the access check."""
        return Plans(self)

    @property
    def accounts(self) -> "Accounts":
        """Registration, verification codes, sign-in, sessions, password reset."""
        return Accounts(self)

    @property
    def users(self) -> "Users":
        """User records (get, find, add a verified user)."""
        return Users(self)

    @property
    def credits(self) -> "Credits":
        """The credit wallet: balance, grants, holds, history, plan changes, maintenance."""
        return Credits(self)

    @property
    def cache(self) -> "CacheAPI":
        """The similarity cache (open one), prompt normalisation, the block cache."""
        return CacheAPI(self)

    @property
    def providers(self) -> "Providers":
        """Providers: configuration, checks, moderation, enhancement, embeddings, tasks."""
        return Providers(self)

    @property
    def jobs(self) -> "Generator":
        """The engine's default generator (opened on first use): submit, get, list, cancel,
        wait, workers. Use :meth:`generator` for one with other options."""
        from .jobs import Generator, open_generator_handle

        with self._lock:
            handle = self._default_generator
            if handle is None or handle.closed:
                handle = open_generator_handle(self, None, [])
                self._default_generator = handle
        return Generator(self, handle, owned=False)

    def generator(self, *, on_event: Any = None, enhance: Optional[bool] = None,
                  job_timeout_s: int = 0, lease_s: int = 0, aging_s: int = 0,
                  max_attempts: int = 0, max_poll_ms: int = 0,
                  cache: Optional[dict] = None) -> "Generator":
        """Opens a generator with its own options. ``on_event(job)`` is called on every
        change of a job made through it (from the thread that made it). ``cache`` takes
        the keywords of :meth:`CacheAPI.open`."""
        from .jobs import Generator, open_generator_handle, generator_options

        keep: List[Any] = []
        options = generator_options(self, keep, on_event=on_event, enhance=enhance,
                                    job_timeout_s=job_timeout_s, lease_s=lease_s,
                                    aging_s=aging_s, max_attempts=max_attempts,
                                    max_poll_ms=max_poll_ms, cache=cache)
        handle = open_generator_handle(self, options, keep)
        return Generator(self, handle, owned=True)

    @property
    def gallery(self) -> "Gallery":
        """The inspiration gallery: topics, examples, promote, remove."""
        return Gallery(self)

    @property
    def payments(self) -> "Payments":
        """Orders, ECPay, Paddle, the sandbox, subscriptions, promotion codes, figures."""
        return Payments(self)


from .accounts import Accounts, Users  # noqa: E402
from .cache import CacheAPI  # noqa: E402
from .credits import Credits  # noqa: E402
from .gallery import Gallery  # noqa: E402
from .jobs import Generator  # noqa: E402
from .payments import Payments  # noqa: E402
from .plans import Plans  # noqa: E402
from .providers import Providers  # noqa: E402
