# SPDX-License-Identifier: MIT
"""engine.credits: the wallet (include/vidgo/credits.h).

Every mutating call takes an idempotency ``key`` (1..200 bytes), kept forever per user: a
repeat with the same key and request returns the first outcome and changes nothing; the
same key with another request raises IdempotencyConflict. Use a key that names the
operation (an order number, a job id plus the step), so that a retry after a crash or a
timeout is safe.
"""
from __future__ import annotations

import datetime as _dt
from typing import Any, Iterator, Optional, Union

from . import _call
from . import types as _t
from ._ffi import ffi, lib


class Credits(_call.Group):
    """Balances, grants, holds (capture, release, refund), history, plan changes."""

    __slots__ = ()

    def balance(self, user_id: int) -> _t.Balance:
        """The user's balance (applying a due weekly reset or expiry first)."""
        out = ffi.new("vg_balance *")
        with self._h as ctx:
            _call.ok(lib.vg_credits_balance(out, ctx, user_id), ctx)
        return _t.from_c(_t.Balance, out)

    def grant(self, user_id: int, amount: int, *, key: str,
              kind: Union[_t.CreditKind, str] = _t.CreditKind.PURCHASED,
              expires_at: Optional[_dt.datetime] = None,
              reference: Optional[str] = None) -> _t.Balance:
        """Adds purchased (default) or bonus credits; a bonus grant expires at
        ``expires_at`` (None: the configured default). Returns the balance after."""
        out = ffi.new("vg_balance *")
        kind_value = int(_t.to_enum(_t.CreditKind, kind))
        with self._h as ctx:
            _call.ok(lib.vg_credits_grant(out, ctx, user_id, kind_value, amount,
                                          _t.to_vg_time(expires_at), _t.cstring(reference),
                                          _t.cstring(key)), ctx)
        return _t.from_c(_t.Balance, out)

    def hold(self, user_id: int, service: str, *, key: str,
             reference: Optional[str] = None) -> _t.Hold:
        """Holds the price of one use of a service (a demo free use, or credits in the
        spending order). Raises InsufficientCredits, DemoUsedUp, ServiceUnknown, ..."""
        out = ffi.new("vg_hold *")
        with self._h as ctx:
            _call.ok(lib.vg_credits_hold(out, ctx, user_id, _t.cstring(service),
                                         _t.cstring(reference), _t.cstring(key)), ctx)
        return _t.from_c(_t.Hold, out)

    def _settle(self, fn: Any, hold_id: int, key: str) -> _t.Hold:
        out = ffi.new("vg_hold *")
        with self._h as ctx:
            _call.ok(fn(out, ctx, _hold_id(hold_id), _t.cstring(key)), ctx)
        return _t.from_c(_t.Hold, out)

    def capture(self, hold: Union[int, _t.Hold], *, key: str) -> _t.Hold:
        """Captures an open hold (one DEBIT row); raises HoldSettled or HoldExpired."""
        return self._settle(lib.vg_credits_capture, hold, key)  # type: ignore[arg-type]

    def release(self, hold: Union[int, _t.Hold], *, key: str) -> _t.Hold:
        """Releases an open hold, each part back to its bucket (or forfeited)."""
        return self._settle(lib.vg_credits_release, hold, key)  # type: ignore[arg-type]

    def refund(self, hold: Union[int, _t.Hold], *, key: str) -> _t.Hold:
        """Refunds a captured hold (one REFUND row); InvalidState if it is not captured."""
        return self._settle(lib.vg_credits_refund, hold, key)  # type: ignore[arg-type]

    def get_hold(self, hold_id: int) -> _t.Hold:
        """Reads a hold (with the user's balance)."""
        out = ffi.new("vg_hold *")
        with self._h as ctx:
            _call.ok(lib.vg_credits_hold_get(out, ctx, hold_id), ctx)
        return _t.from_c(_t.Hold, out)

    def change_plan(self, user_id: int, plan: str, *, key: str) -> _t.Balance:
        """Moves a user to another plan now (one PLAN_CHANGE row)."""
        out = ffi.new("vg_balance *")
        with self._h as ctx:
            _call.ok(lib.vg_credits_change_plan(out, ctx, user_id, _t.cstring(plan),
                                                _t.cstring(key)), ctx)
        return _t.from_c(_t.Balance, out)

    def history_page(self, user_id: int, before_seq: int = 0,
                     limit: int = 100) -> "list[_t.LedgerEntry]":
        """One page of ledger rows with seq < before_seq (0: the newest), newest first."""
        col = _call.Collector(lambda e: _t.from_c(_t.LedgerEntry, e))
        with self._h as ctx:
            _call.ok(lib.vg_credits_history(ctx, user_id, before_seq, limit, _call.LEDGER,
                                            col.handle), ctx)
        return col.result()

    def history(self, user_id: int, page_size: int = 100) -> Iterator[_t.LedgerEntry]:
        """Every ledger row of a user, newest first, read page by page as you iterate."""
        return _call.pages(lambda before: self.history_page(user_id, before, page_size),
                           lambda entry: entry.seq, page_size)

    def maintenance(self) -> _t.MaintenanceReport:
        """Applies what is due (weekly resets, bonus expiry, hold expiry) to every wallet."""
        out = ffi.new("vg_maintenance_report *")
        with self._h as ctx:
            _call.ok(lib.vg_credits_maintenance(out, ctx), ctx)
        return _t.from_c(_t.MaintenanceReport, out)

    @staticmethod
    def next_reset(when: _dt.datetime) -> _dt.datetime:
        """The Monday 00:00 UTC that starts the week after the one containing ``when``."""
        value = _t.from_vg_time(lib.vg_credits_next_reset(_t.to_vg_time(when)))
        assert value is not None
        return value

    @staticmethod
    def ledger_type_name(kind: Union[_t.LedgerType, int]) -> Optional[str]:
        """"open", "grant", "debit", ... (vg_ledger_type_name)."""
        raw = lib.vg_ledger_type_name(int(kind))
        return None if raw == ffi.NULL else ffi.string(raw).decode("ascii")


def _hold_id(hold: Union[int, _t.Hold]) -> int:
    return hold.id if isinstance(hold, _t.Hold) else int(hold)
