# SPDX-License-Identifier: MIT
"""engine.payments: orders, ECPay, Paddle, the sandbox, subscriptions, promotion codes and
the administrators' figures (include/vidgo/payments.h; docs/payments.md)."""
from __future__ import annotations

from typing import Any, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

from . import _call
from . import constants as _constants
from . import types as _t
from ._ffi import ffi, lib
from .errors import make_error


def _order_out() -> Any:
    out = ffi.new("vg_order *")
    out.version = _constants.get("VG_ORDER_VERSION")
    return out


def _sub_out() -> Any:
    out = ffi.new("vg_subscription *")
    out.version = _constants.get("VG_SUBSCRIPTION_VERSION")
    return out


def ecpay_check_mac(fields: Union[Mapping[str, str], Sequence[Tuple[str, str]]], hash_key: str,
                    hash_iv: str, sha256: bool = True) -> str:
    """ECPay's CheckMacValue of form fields (CheckMacValue itself is left out), upper-case hex."""
    pairs = list(fields.items()) if isinstance(fields, Mapping) else list(fields)
    arr = ffi.new("vg_form_field[]", max(1, len(pairs)))
    keep = []
    for i, (name, value) in enumerate(pairs):
        n = ffi.new("char[]", _t.cstring(name))
        v = ffi.new("char[]", _t.cstring(value))
        keep += [n, v]
        arr[i].name = n
        arr[i].value = v
    out = ffi.new("char[65]")
    _call.ok(lib.vg_ecpay_check_mac(out, arr, len(pairs), _t.cstring(hash_key),
                                    _t.cstring(hash_iv), 1 if sha256 else 0))
    return ffi.string(out).decode("ascii")


class Payments(_call.Group):
    """Everything about money: orders through ECPay or Paddle, and what follows."""

    __slots__ = ()

    # --- orders -------------------------------------------------------------------------

    def create_order(self, user_id: int, item: str, *, key: str,
                     kind: Union[_t.OrderKind, str] = _t.OrderKind.PACKAGE,
                     provider: str = "ecpay", currency: Optional[str] = None) -> _t.Order:
        """Creates an order (state CREATED) for a package ("credits_50") or a month of a
        paid plan (kind SUBSCRIPTION, item "pro"). ``key`` makes it idempotent."""
        req = ffi.new("vg_order_request *")
        req.version = _constants.get("VG_ORDER_REQUEST_VERSION")
        bufs = [ffi.new("char[]", b) if b is not ffi.NULL else ffi.NULL
                for b in map(_t.cstring, (item, provider, currency, key))]
        req.user_id = user_id
        req.kind = int(_t.to_enum(_t.OrderKind, kind))
        req.item, req.provider, req.currency, req.idempotency_key = bufs
        out = _order_out()
        with self._h as ctx:
            _call.ok(lib.vg_order_create(out, ctx, req), ctx)
        return _t.from_c(_t.Order, out)

    def order(self, order_id: int) -> _t.Order:
        """An order by id; raises NotFound."""
        out = _order_out()
        with self._h as ctx:
            _call.ok(lib.vg_order_get(out, ctx, order_id), ctx)
        return _t.from_c(_t.Order, out)

    def find_order(self, number: str) -> _t.Order:
        """An order by its number ("VG..."); raises NotFound."""
        out = _order_out()
        with self._h as ctx:
            _call.ok(lib.vg_order_find(out, ctx, _t.cstring(number)), ctx)
        return _t.from_c(_t.Order, out)

    def orders_page(self, user_id: int = 0, before_id: int = 0,
                    limit: int = 100) -> List[_t.Order]:
        col = _call.Collector(lambda o: _t.from_c(_t.Order, o))
        with self._h as ctx:
            _call.ok(lib.vg_orders_list(ctx, user_id, before_id, limit, _call.ORDER, col.handle),
                     ctx)
        return col.result()

    def orders(self, user_id: int = 0, page_size: int = 100) -> Iterator[_t.Order]:
        """Every order (of one user; 0: everyone's), newest first, page by page."""
        return _call.pages(lambda before: self.orders_page(user_id, before, page_size),
                           lambda order: order.id, page_size)

    def refund_order(self, order_id: int, reason: str = "") -> _t.Order:
        """Marks a paid subscription order refunded (the plan goes back to demo)."""
        out = _order_out()
        with self._h as ctx:
            _call.ok(lib.vg_order_refund(out, ctx, order_id, _t.cstring(reason)), ctx)
        return _t.from_c(_t.Order, out)

    def simulate_paid(self, order_id: int) -> _t.Order:
        """Sandbox only: pays an order through a simulated, correctly signed callback
        (Unsupported outside sandbox mode)."""
        out = _order_out()
        with self._h as ctx:
            _call.ok(lib.vg_order_simulate_paid(out, ctx, order_id), ctx)
        return _t.from_c(_t.Order, out)

    # --- ECPay --------------------------------------------------------------------------

    check_mac = staticmethod(ecpay_check_mac)

    def ecpay_checkout(self, order_id: int, return_url: str, *,
                       client_back_url: Optional[str] = None,
                       choose_payment: Optional[str] = None) -> _t.EcpayForm:
        """The AIO checkout form of an order (moves it to PENDING)."""
        out = ffi.new("vg_ecpay_form *")
        out.version = _constants.get("VG_ECPAY_FORM_VERSION")
        with self._h as ctx:
            _call.ok(lib.vg_ecpay_checkout(out, ctx, order_id, _t.cstring(return_url),
                                           _t.cstring(client_back_url),
                                           _t.cstring(choose_payment)), ctx)
        fields = tuple((_t.text(out.fields[i].name), _t.text(out.fields[i].value))
                       for i in range(min(out.count, len(out.fields))))
        return _t.EcpayForm(_t.text(out.action), fields)

    def ecpay_callback(self, body: bytes) -> _t.EcpayCallbackResult:
        """Handles ECPay's server callback (the raw form body). Returns the reply to send
        ECPay ("1|OK") and the order; a refused callback raises (SignatureError, ...) with
        the reply to send in the exception's ``reply`` ("0|<reason>")."""
        raw = bytes(body)
        out = _order_out()
        reply = ffi.new("char[]", 256)
        with self._h as ctx:
            rc = lib.vg_ecpay_callback(out, reply, 256, ctx, raw, len(raw))
            if rc != 0:
                err = make_error(rc, ctx)
                err.reply = _t.text(reply)  # type: ignore[attr-defined] # "0|<reason>"
                raise err
        return _t.EcpayCallbackResult(_t.text(reply), _t.from_c(_t.Order, out))

    # --- Paddle -------------------------------------------------------------------------

    def paddle_verify(self, signature: str, body: bytes, *, secret: Optional[str] = None,
                      tolerance_s: int = 0) -> None:
        """Verifies a Paddle-Signature header over the raw body; raises SignatureError or
        ReplayError."""
        raw = bytes(body)
        with self._h as ctx:
            _call.ok(lib.vg_paddle_verify(ctx, _t.cstring(signature), raw, len(raw),
                                          _t.cstring(secret), tolerance_s), ctx)

    def paddle_webhook(self, signature: str, body: bytes) -> _t.WebhookResult:
        """Handles a Paddle webhook (verified, processed once per event id)."""
        raw = bytes(body)
        out = ffi.new("vg_webhook_result *")
        out.version = _constants.get("VG_WEBHOOK_RESULT_VERSION")
        with self._h as ctx:
            _call.ok(lib.vg_paddle_webhook(out, ctx, _t.cstring(signature), raw, len(raw)), ctx)
        return _t.from_c(_t.WebhookResult, out)

    # --- subscriptions ------------------------------------------------------------------

    def subscription(self, user_id: int) -> _t.Subscription:
        """A user's subscription (state NONE when there is none)."""
        out = _sub_out()
        with self._h as ctx:
            _call.ok(lib.vg_subscription_get(out, ctx, user_id), ctx)
        return _t.from_c(_t.Subscription, out)

    def change_subscription(self, user_id: int, plan: str) -> _t.Subscription:
        """Schedules a downgrade at the period's end (an upgrade is bought with an order:
        OrderStateError)."""
        out = _sub_out()
        with self._h as ctx:
            _call.ok(lib.vg_subscription_change(out, ctx, user_id, _t.cstring(plan)), ctx)
        return _t.from_c(_t.Subscription, out)

    def cancel_subscription(self, user_id: int) -> _t.Subscription:
        """Cancels at the period's end."""
        out = _sub_out()
        with self._h as ctx:
            _call.ok(lib.vg_subscription_cancel(out, ctx, user_id), ctx)
        return _t.from_c(_t.Subscription, out)

    def maintain_subscriptions(self) -> int:
        """Applies due period ends and expires unpaid orders; returns how many it changed."""
        out = ffi.new("int *")
        with self._h as ctx:
            _call.ok(lib.vg_subscriptions_maintain(out, ctx), ctx)
        return int(out[0])

    # --- promotions ---------------------------------------------------------------------

    def put_promo(self, promo: _t.Promo) -> None:
        """Creates or replaces a promotion code (its redeemed count is kept)."""
        rec = ffi.new("vg_promo *")
        rec.version = _constants.get("VG_PROMO_VERSION")
        keep: List[Any] = []
        _t.to_c(promo, rec, keep)
        with self._h as ctx:
            _call.ok(lib.vg_promo_put(ctx, rec), ctx)

    def promo(self, code: str) -> _t.Promo:
        """A promotion by code (case-insensitive); raises PromoInvalid."""
        out = ffi.new("vg_promo *")
        out.version = _constants.get("VG_PROMO_VERSION")
        with self._h as ctx:
            _call.ok(lib.vg_promo_get(out, ctx, _t.cstring(code)), ctx)
        return _t.from_c(_t.Promo, out)

    def redeem_promo(self, user_id: int, code: str, *, key: str) -> _t.Balance:
        """Redeems a code for a user (grants its bonus); returns the balance after."""
        out = ffi.new("vg_balance *")
        with self._h as ctx:
            _call.ok(lib.vg_promo_redeem(out, ctx, user_id, _t.cstring(code), _t.cstring(key)),
                     ctx)
        return _t.from_c(_t.Balance, out)

    # --- figures ------------------------------------------------------------------------

    def admin_stats(self) -> _t.AdminStats:
        """The administrators' figures, read in one transaction."""
        out = ffi.new("vg_admin_stats *")
        out.version = _constants.get("VG_ADMIN_STATS_VERSION")
        with self._h as ctx:
            _call.ok(lib.vg_admin_stats_get(out, ctx), ctx)
        return _t.admin_stats_from_c(out)

    @staticmethod
    def order_state_name(state: Union[_t.OrderState, int]) -> Optional[str]:
        raw = lib.vg_order_state_name(int(state))
        return None if raw == ffi.NULL else _t.text(raw)
