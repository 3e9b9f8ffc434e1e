# SPDX-License-Identifier: MIT
"""Builds a vg_config from the keywords of vidgo.open(), with the callbacks it needs alive."""
from __future__ import annotations

import dataclasses
import datetime as _dt
import sys
import time
import traceback
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple, Union

from . import types as _t
from ._ffi import ffi, lib
from .errors import check


@dataclasses.dataclass(frozen=True)
class PaymentsConfig:
    """vg_config.payments. None = the environment (ECPAY_*, PADDLE_WEBHOOK_SECRET, ...)."""
    ecpay_merchant_id: Optional[str] = None
    ecpay_hash_key: Optional[str] = None
    ecpay_hash_iv: Optional[str] = None
    ecpay_stage: bool = False
    paddle_webhook_secret: Optional[str] = None
    paddle_tolerance_s: int = 0
    sandbox: bool = False
    order_ttl_s: int = 0


@dataclasses.dataclass(frozen=True)
class ProviderConfig:
    """One entry of vg_config.providers[]. None = the provider's environment variables."""
    api_key: Optional[str] = None
    base_url: Optional[str] = None


# Keywords copied as they are into the vg_config field of the same name.
_INT_FIELDS = ("store_pool_size", "busy_timeout_ms", "hold_ttl_s", "bonus_ttl_days",
               "regrant_ttl_days", "access_ttl_s", "refresh_ttl_s", "hash_concurrency",
               "pwhash_opslimit", "pwhash_memlimit", "smtp_timeout_ms", "provider_timeout_ms")
_STR_FIELDS = ("lang", "smtp_url", "smtp_user", "smtp_password", "smtp_ca_path", "mail_dir",
               "email_from", "reset_url", "provider_ca_path", "assets_dir",
               "pollo_webhook_secret")
_OTHER = ("create", "readonly", "sync_normal", "flags", "clock", "log", "log_level", "secret",
          "expired_refund", "email_sender", "smtp_tls", "providers", "provider_mode",
          "payments")
KEYWORDS = frozenset(_INT_FIELDS + _STR_FIELDS + _OTHER)


def _report(where: str) -> None:
    """A callback raised: print it (the C caller cannot receive a Python exception)."""
    print(f"vidgo: exception in the {where} callback (ignored):", file=sys.stderr)
    traceback.print_exc()


def _str(value: Optional[str], keep: List[Any]) -> Any:
    if value is None:
        return ffi.NULL
    buf = ffi.new("char[]", _t.cstring(str(value)))
    keep.append(buf)
    return buf


def make_log_callback(fn: Callable[[_t.LogLevel, str], Any]) -> Any:
    def log(level: int, message: Any, payload: Any) -> None:
        try:
            try:
                lvl: Any = _t.LogLevel(level)
            except ValueError:
                lvl = level
            fn(lvl, ffi.string(message).decode("utf-8", "replace"))
        except BaseException:  # noqa: BLE001 - nothing may cross back into C
            _report("log")

    return ffi.callback("vg_log_fn", log)


def make_clock_callback(fn: Callable[[], Any]) -> Any:
    def clock(payload: Any) -> int:
        try:
            value = fn()
            if isinstance(value, int):
                return value
            return _t.to_vg_time(value)
        except BaseException:  # noqa: BLE001
            _report("clock")
            return time.time_ns() // 1000

    return ffi.callback("vg_clock_fn", clock)


def make_email_callback(fn: Callable[[_t.Email], Any]) -> Any:
    def send(email: Any, errbuf: Any, size: int, payload: Any) -> int:
        try:
            fn(_t.from_c(_t.Email, email))
            return 0
        except BaseException as exc:  # noqa: BLE001
            reason = (str(exc) or type(exc).__name__).encode("utf-8", "replace")[: size - 1]
            ffi.memmove(errbuf, reason + b"\0", len(reason) + 1)
            return 1

    return ffi.callback("vg_email_fn", send)


class FakeClock:
    """A clock for ``vidgo.open(clock=...)`` that only moves when told (tests, demos)."""

    def __init__(self, start: Union[_dt.datetime, str, int]) -> None:
        import threading

        self._lock = threading.Lock()
        if isinstance(start, int):
            self._now = start
        elif isinstance(start, str):
            self._now = _t.parse_time(start)
        else:
            self._now = _t.to_vg_time(start)

    def __call__(self) -> int:
        with self._lock:
            return self._now

    def now(self) -> _dt.datetime:
        value = _t.from_vg_time(self())
        assert value is not None
        return value

    def set(self, when: Union[_dt.datetime, str]) -> None:
        with self._lock:
            self._now = _t.parse_time(when) if isinstance(when, str) else _t.to_vg_time(when)

    def advance(self, seconds: float = 0, **delta: float) -> None:
        """Moves forward by seconds (and/or timedelta keywords: days=, hours=, ...)."""
        step = _dt.timedelta(seconds=seconds, **delta)
        with self._lock:
            self._now += (step.days * 86400 + step.seconds) * 1_000_000 + step.microseconds


def _flags(options: Dict[str, Any]) -> int:
    if "flags" in options:
        return int(options["flags"])
    flags = 0
    if options.get("create", True):
        flags |= int(_t.OpenFlags.CREATE)
    if options.get("readonly", False):
        flags |= int(_t.OpenFlags.READONLY)
    if options.get("sync_normal", False):
        flags |= int(_t.OpenFlags.SYNC_NORMAL)
    return flags


def _secret(value: Union[bytes, str], keep: List[Any]) -> Tuple[Any, int]:
    if isinstance(value, str):
        try:
            value = bytes.fromhex(value)
        except ValueError:
            raise ValueError("secret: give bytes, or a hex string") from None
    buf = ffi.new("unsigned char[]", bytes(value))
    keep.append(buf)
    return buf, len(value)


def _providers(cfg: Any, value: Mapping[str, Any], keep: List[Any]) -> None:
    for name, settings in value.items():
        index = lib.vg_provider_index(_t.cstring(name))
        if index < 0:
            raise ValueError(f"providers: unknown provider {name!r}")
        if isinstance(settings, str):
            settings = ProviderConfig(api_key=settings)
        elif isinstance(settings, Mapping):
            settings = ProviderConfig(**settings)
        cfg.providers[index].api_key = _str(settings.api_key, keep)
        cfg.providers[index].base_url = _str(settings.base_url, keep)


def _payments(cfg: Any, value: Union[PaymentsConfig, Mapping[str, Any]], keep: List[Any]) -> None:
    if isinstance(value, Mapping):
        value = PaymentsConfig(**value)
    p = cfg.payments
    p.ecpay_merchant_id = _str(value.ecpay_merchant_id, keep)
    p.ecpay_hash_key = _str(value.ecpay_hash_key, keep)
    p.ecpay_hash_iv = _str(value.ecpay_hash_iv, keep)
    p.ecpay_stage = int(bool(value.ecpay_stage))
    p.paddle_webhook_secret = _str(value.paddle_webhook_secret, keep)
    p.paddle_tolerance_s = int(value.paddle_tolerance_s)
    p.sandbox = int(bool(value.sandbox))
    p.order_ttl_s = int(value.order_ttl_s)


def build(path: Optional[str], options: Dict[str, Any]) -> Tuple[Any, List[Any], List[Any]]:
    """Returns (the vg_config *, what must live until vg_open returns, what must live as
    long as the context: the callbacks)."""
    unknown = set(options) - KEYWORDS
    if unknown:
        raise TypeError(f"vidgo.open() got unknown keyword(s): {', '.join(sorted(unknown))}")
    keep: List[Any] = []
    callbacks: List[Any] = []
    cfg = ffi.new("vg_config *")
    check(lib.vg_config_init(cfg, lib.vg_config_version()))
    cfg.store = _str(path, keep)
    cfg.flags = _flags(options)
    for name in _INT_FIELDS:
        if options.get(name) is not None:
            setattr(cfg, name, int(options[name]))
    for name in _STR_FIELDS:
        if options.get(name) is not None:
            setattr(cfg, name, _str(options[name], keep))
    if options.get("clock") is not None:
        cb = make_clock_callback(options["clock"])
        callbacks.append(cb)
        cfg.clock = cb
    if options.get("log") is not None:
        cb = make_log_callback(options["log"])
        callbacks.append(cb)
        cfg.log = cb
    if options.get("log_level") is not None:
        cfg.log_level = int(_t.to_enum(_t.LogLevel, options["log_level"]))
    if options.get("secret") is not None:
        cfg.secret, cfg.secret_len = _secret(options["secret"], keep)
    if options.get("expired_refund") is not None:
        cfg.expired_refund = int(_t.to_enum(_t.ExpiredRefund, options["expired_refund"]))
    if options.get("email_sender") is not None:
        cb = make_email_callback(options["email_sender"])
        callbacks.append(cb)
        cfg.email_sender = cb
    if options.get("smtp_tls") is not None:
        cfg.smtp_tls = int(_t.to_enum(_t.SmtpTls, options["smtp_tls"]))
    if options.get("providers") is not None:
        _providers(cfg, options["providers"], keep)
    if options.get("provider_mode") is not None:
        cfg.provider_mode = int(_t.to_enum(_t.ProviderMode, options["provider_mode"]))
    if options.get("payments") is not None:
        _payments(cfg, options["payments"], keep)
    return cfg, keep, callbacks
