# SPDX-License-Identifier: MIT
"""A C object that is freed exactly once, after its dependents and after the calls in flight.

Every libvidgo object the binding owns (context, cache, generator, worker, embedder) sits in
a :class:`Handle`. ``close()`` is idempotent: the first call takes the pointer away (new
calls then raise :class:`~vidgo.errors.ClosedError`), closes the dependents (a context's
caches and generators, a generator's workers) newest first, waits for the calls still
running on it, and only then calls the C free function. Python owners register
``handle.close`` with ``weakref.finalize``, so an object that is garbage-collected unclosed
is closed too, and never twice.

A close requested from inside a libvidgo call on this thread (a finalizer triggered by a
log or job-event callback) would wait for itself: it is handed to a helper thread instead.
"""
from __future__ import annotations

import threading
from typing import Any, Callable, Dict, List, Optional, Sequence

from .errors import ClosedError

_local = threading.local()


def _depth() -> int:
    return getattr(_local, "depth", 0)


class Handle:
    """Owns one C pointer and the Python objects it needs alive (callbacks, strings)."""

    __slots__ = ("ptr", "what", "keep", "_free", "_before_wait", "_lock", "_idle", "_calls",
                 "_dependents", "_parents", "__weakref__")

    def __init__(self, ptr: Any, free: Callable[[Any], None], what: str,
                 parents: Sequence["Handle"] = (), keep: Optional[List[Any]] = None,
                 before_wait: Optional[Callable[[Any], None]] = None) -> None:
        self.ptr = ptr
        self.what = what
        self.keep: List[Any] = keep if keep is not None else []
        self._free = free
        self._before_wait = before_wait
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._calls = 0
        self._dependents: Dict[int, Handle] = {}
        self._parents = list(parents)
        for parent in self._parents:
            parent._add(self)

    # --- calls --------------------------------------------------------------------------

    def __enter__(self) -> Any:
        with self._lock:
            if self.ptr is None:
                raise ClosedError(self.what)
            self._calls += 1
            ptr = self.ptr
        _local.depth = _depth() + 1
        return ptr

    def __exit__(self, *exc: Any) -> None:
        _local.depth = _depth() - 1
        with self._lock:
            self._calls -= 1
            if self._calls == 0 and self.ptr is None:
                self._idle.notify_all()

    @property
    def closed(self) -> bool:
        return self.ptr is None

    # --- dependents ---------------------------------------------------------------------

    def _add(self, child: "Handle") -> None:
        with self._lock:
            if self.ptr is None:
                raise ClosedError(self.what)
            self._dependents[id(child)] = child

    def _remove(self, child: "Handle") -> None:
        with self._lock:
            self._dependents.pop(id(child), None)

    # --- closing ------------------------------------------------------------------------

    def take(self) -> Any:
        """Takes the pointer away without freeing it, for a C call that frees it itself
        (vg_cache_flight_done). Raises ClosedError if it is gone already."""
        with self._lock:
            ptr = self.ptr
            if ptr is None:
                raise ClosedError(self.what)
            self.ptr = None
            dependents = list(self._dependents.values())
            self._dependents.clear()
        for child in reversed(dependents):
            child.close()
        with self._lock:
            while self._calls:
                self._idle.wait()
        for parent in self._parents:
            parent._remove(self)
        return ptr

    def close(self) -> None:
        """Frees the C object once; later calls do nothing."""
        if _depth() > 0:
            # Inside a libvidgo call on this thread (a callback): never wait for ourselves.
            threading.Thread(target=self.close, name=f"vidgo-close-{self.what}",
                             daemon=True).start()
            return
        with self._lock:
            ptr = self.ptr
            if ptr is None:
                return
            self.ptr = None
            dependents = list(self._dependents.values())
            self._dependents.clear()
        for child in reversed(dependents):
            child.close()
        if self._before_wait is not None:
            self._before_wait(ptr)
        with self._lock:
            while self._calls:
                self._idle.wait()
        try:
            self._free(ptr)
        finally:
            for parent in self._parents:
                parent._remove(self)
            self.keep.clear()
