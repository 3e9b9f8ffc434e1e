# SPDX-License-Identifier: MIT
"""Helpers every API group uses: raising on a status, collecting list callbacks, paging."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Generic, Iterator, List, Optional, TypeVar

from ._ffi import ffi
from .errors import make_error

if TYPE_CHECKING:
    from .engine import Engine

T = TypeVar("T")


def ok(rc: int, ctx: Any = None, lang: Optional[str] = None) -> None:
    """Raises the error of a failed call (rc != 0), reading its message on this thread.
    The user message is in ``lang``, else the language of ``ctx``, else English."""
    if rc != 0:
        raise make_error(rc, ctx, lang)


class Collector(Generic[T]):
    """The payload of a list call: converts each record while it lives, keeps the first
    exception (the callback then returns 1 to stop the list) to raise after the call."""

    __slots__ = ("convert", "items", "error", "limit", "handle")

    def __init__(self, convert: Callable[[Any], T], limit: Optional[int] = None) -> None:
        self.convert = convert
        self.items: List[T] = []
        self.error: Optional[BaseException] = None
        self.limit = limit
        self.handle = ffi.new_handle(self)

    def add(self, record: Any) -> int:
        try:
            self.items.append(self.convert(record))
        except BaseException as exc:  # noqa: BLE001 - re-raised by result()
            self.error = exc
            return 1
        if self.limit is not None and len(self.items) >= self.limit:
            return 1
        return 0

    def result(self) -> List[T]:
        if self.error is not None:
            raise self.error
        return self.items


def _record_callback(ctype: str) -> Any:
    def callback(record: Any, payload: Any) -> int:
        return ffi.from_handle(payload).add(record)

    return ffi.callback(ctype, callback, error=1)


# One callback per record type, made once: list calls pass a Collector as the payload.
PLAN = _record_callback("vg_plan_fn")
SERVICE = _record_callback("vg_service_fn")
PACKAGE = _record_callback("vg_package_fn")
LEDGER = _record_callback("vg_ledger_fn")
CACHE_ENTRY = _record_callback("vg_cache_entry_fn")
CAPABILITY = _record_callback("vg_provider_capability_fn")
JOB = _record_callback("vg_job_fn")
TOPIC = _record_callback("vg_topic_fn")
EXAMPLE = _record_callback("vg_example_fn")
ORDER = _record_callback("vg_order_fn")


def _event(id: int, at: int, kind: Any, detail: Any, payload: Any) -> int:
    return ffi.from_handle(payload).add((id, at, kind, detail))


EVENT = ffi.callback("vg_event_fn", _event, error=1)


def _problem(check: Any, subject: Any, detail: Any, payload: Any) -> None:
    ffi.from_handle(payload).add((check, subject, detail))


PROBLEM = ffi.callback("vg_check_fn", _problem)


class Group:
    """Base of the API groups: a view of an engine (holds it, so it stays open)."""

    __slots__ = ("_engine", "_h")

    def __init__(self, engine: "Engine") -> None:
        self._engine = engine
        self._h = engine._h


def pages(fetch: Callable[[int], List[T]], cursor: Callable[[T], int],
          page_size: int) -> Iterator[T]:
    """Iterates over pages: fetch(before) returns up to page_size items (newest first) whose
    cursor is below `before` (0: from the newest); stops after a short page."""
    before = 0
    while True:
        page = fetch(before)
        yield from page
        if len(page) < page_size:
            return
        before = cursor(page[-1])
        if before <= 1:
            return
