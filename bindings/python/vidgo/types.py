# SPDX-License-Identifier: MIT
"""Enums and the frozen dataclasses results come back as, with their conversion from C.

Enum values are read from the loaded library (``vg_constant``); only the member names are
written here, and ``tests/test_types.py`` checks that every enum of the headers has its
Python enum with exactly the same members. Dataclass fields are named like the C fields
they come from (the test checks those exist), and convert by their annotation: ``str`` from
char arrays and ``const char *``, ``datetime`` in UTC from ``vg_time`` (``None`` for 0,
which the library uses for "none"/"never"), ``bool`` from flags, enums from their ints.
"""
from __future__ import annotations

import dataclasses
import datetime as _dt
import enum
import typing
from typing import Any, Callable, Dict, List, Optional, Tuple, Type, TypeVar

from . import constants as _constants
from ._ffi import ffi, lib

_c = _constants.get

# --- enums ------------------------------------------------------------------------------


class LogLevel(enum.IntEnum):
    DEBUG = _c("VG_LOG_DEBUG")
    INFO = _c("VG_LOG_INFO")
    WARN = _c("VG_LOG_WARN")
    ERROR = _c("VG_LOG_ERROR")
    NONE = _c("VG_LOG_NONE")


class OpenFlags(enum.IntFlag):
    CREATE = _c("VG_OPEN_CREATE")
    READONLY = _c("VG_OPEN_READONLY")
    SYNC_NORMAL = _c("VG_OPEN_SYNC_NORMAL")


class ExpiredRefund(enum.IntEnum):
    FORFEIT = _c("VG_EXPIRED_REFUND_FORFEIT")
    REGRANT = _c("VG_EXPIRED_REFUND_REGRANT")


class SmtpTls(enum.IntEnum):
    REQUIRED = _c("VG_SMTP_TLS_REQUIRED")
    TRY = _c("VG_SMTP_TLS_TRY")
    NONE = _c("VG_SMTP_TLS_NONE")


class ProviderId(enum.IntEnum):
    LOCAL = _c("VG_PROVIDER_LOCAL")
    GEMINI = _c("VG_PROVIDER_GEMINI")
    LEONARDO = _c("VG_PROVIDER_LEONARDO")
    RUNWAY = _c("VG_PROVIDER_RUNWAY")
    GOENHANCE = _c("VG_PROVIDER_GOENHANCE")
    POLLO = _c("VG_PROVIDER_POLLO")


class ProviderMode(enum.IntEnum):
    AUTO = _c("VG_PROVIDERS_AUTO")
    LOCAL = _c("VG_PROVIDERS_LOCAL")
    REMOTE = _c("VG_PROVIDERS_REMOTE")


class ServiceKind(enum.IntEnum):
    VIDEO = _c("VG_SERVICE_VIDEO")
    IMAGE = _c("VG_SERVICE_IMAGE")
    EFFECT = _c("VG_SERVICE_EFFECT")


class CreditKind(enum.IntEnum):
    PURCHASED = _c("VG_CREDIT_PURCHASED")
    BONUS = _c("VG_CREDIT_BONUS")


class HoldState(enum.IntEnum):
    OPEN = _c("VG_HOLD_OPEN")
    CAPTURED = _c("VG_HOLD_CAPTURED")
    RELEASED = _c("VG_HOLD_RELEASED")
    EXPIRED = _c("VG_HOLD_EXPIRED")
    REFUNDED = _c("VG_HOLD_REFUNDED")


class LedgerType(enum.IntEnum):
    OPEN = _c("VG_LEDGER_OPEN")
    GRANT = _c("VG_LEDGER_GRANT")
    DEBIT = _c("VG_LEDGER_DEBIT")
    REFUND = _c("VG_LEDGER_REFUND")
    WEEKLY_RESET = _c("VG_LEDGER_WEEKLY_RESET")
    EXPIRY = _c("VG_LEDGER_EXPIRY")
    FORFEIT = _c("VG_LEDGER_FORFEIT")
    PLAN_CHANGE = _c("VG_LEDGER_PLAN_CHANGE")


class CacheQuantize(enum.IntEnum):
    AUTO = _c("VG_CACHE_QUANTIZE_AUTO")
    OFF = _c("VG_CACHE_QUANTIZE_OFF")
    ON = _c("VG_CACHE_QUANTIZE_ON")


class CacheMatch(enum.IntEnum):
    MISS = _c("VG_CACHE_MISS")
    EXACT = _c("VG_CACHE_EXACT")
    SEMANTIC = _c("VG_CACHE_SEMANTIC")


class TaskKind(enum.IntEnum):
    TEXT_TO_IMAGE = _c("VG_TASK_TEXT_TO_IMAGE")
    TEXT_TO_VIDEO = _c("VG_TASK_TEXT_TO_VIDEO")
    IMAGE_TO_VIDEO = _c("VG_TASK_IMAGE_TO_VIDEO")
    STYLE_TRANSFER = _c("VG_TASK_STYLE_TRANSFER")
    HD_ENHANCE = _c("VG_TASK_HD_ENHANCE")
    VIDEO_ENHANCE = _c("VG_TASK_VIDEO_ENHANCE")
    VIDEO_UPSCALE = _c("VG_TASK_VIDEO_UPSCALE")


class TaskState(enum.IntEnum):
    PENDING = _c("VG_TASK_PENDING")
    RUNNING = _c("VG_TASK_RUNNING")
    SUCCEEDED = _c("VG_TASK_SUCCEEDED")
    FAILED = _c("VG_TASK_FAILED")
    CANCELLED = _c("VG_TASK_CANCELLED")

    @property
    def final(self) -> bool:
        return self in (TaskState.SUCCEEDED, TaskState.FAILED, TaskState.CANCELLED)


class WebhookKeyMode(enum.IntEnum):
    RAW = _c("VG_WEBHOOK_KEY_RAW")
    BASE64 = _c("VG_WEBHOOK_KEY_BASE64")


class JobState(enum.IntEnum):
    QUEUED = _c("VG_JOB_QUEUED")
    SUBMITTED = _c("VG_JOB_SUBMITTED")
    POLLING = _c("VG_JOB_POLLING")
    SUCCEEDED = _c("VG_JOB_SUCCEEDED")
    FAILED = _c("VG_JOB_FAILED")
    CANCELLED = _c("VG_JOB_CANCELLED")

    @property
    def final(self) -> bool:
        return self in (JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED)


class OrderKind(enum.IntEnum):
    PACKAGE = _c("VG_ORDER_PACKAGE")
    SUBSCRIPTION = _c("VG_ORDER_SUBSCRIPTION")


class OrderState(enum.IntEnum):
    CREATED = _c("VG_ORDER_CREATED")
    PENDING = _c("VG_ORDER_PENDING")
    PAID = _c("VG_ORDER_PAID")
    FULFILLED = _c("VG_ORDER_FULFILLED")
    FAILED = _c("VG_ORDER_FAILED")
    EXPIRED = _c("VG_ORDER_EXPIRED")
    REFUNDED = _c("VG_ORDER_REFUNDED")


class SubscriptionState(enum.IntEnum):
    NONE = _c("VG_SUBSCRIPTION_NONE")
    ACTIVE = _c("VG_SUBSCRIPTION_ACTIVE")
    PAST_DUE = _c("VG_SUBSCRIPTION_PAST_DUE")
    CANCELED = _c("VG_SUBSCRIPTION_CANCELED")
    EXPIRED = _c("VG_SUBSCRIPTION_EXPIRED")


#: C enum type -> (Python enum, prefix of its members' C names). vg_status is vidgo.errors.
ENUMS: Dict[str, Tuple[Type[enum.IntEnum], str]] = {
    "vg_log_level": (LogLevel, "VG_LOG_"),
    "vg_expired_refund": (ExpiredRefund, "VG_EXPIRED_REFUND_"),
    "vg_smtp_tls": (SmtpTls, "VG_SMTP_TLS_"),
    "vg_provider_id": (ProviderId, "VG_PROVIDER_"),
    "vg_provider_mode": (ProviderMode, "VG_PROVIDERS_"),
    "vg_service_kind": (ServiceKind, "VG_SERVICE_"),
    "vg_credit_kind": (CreditKind, "VG_CREDIT_"),
    "vg_hold_state": (HoldState, "VG_HOLD_"),
    "vg_ledger_type": (LedgerType, "VG_LEDGER_"),
    "vg_cache_quantize": (CacheQuantize, "VG_CACHE_QUANTIZE_"),
    "vg_cache_match": (CacheMatch, "VG_CACHE_"),
    "vg_task_kind": (TaskKind, "VG_TASK_"),
    "vg_task_state": (TaskState, "VG_TASK_"),
    "vg_webhook_key_mode": (WebhookKeyMode, "VG_WEBHOOK_KEY_"),
    "vg_job_state": (JobState, "VG_JOB_"),
    "vg_order_kind": (OrderKind, "VG_ORDER_"),
    "vg_order_state": (OrderState, "VG_ORDER_"),
    "vg_subscription_state": (SubscriptionState, "VG_SUBSCRIPTION_"),
}

E = TypeVar("E", bound=enum.IntEnum)


def to_enum(cls: Type[E], value: Any) -> E:
    """Accepts a member, its int value, or its name in any case ("local", "LOCAL")."""
    if isinstance(value, cls):
        return value
    if isinstance(value, str):
        try:
            return cls[value.upper().replace("-", "_")]
        except KeyError:
            names = ", ".join(m.name.lower() for m in cls)
            raise ValueError(f"{value!r} is not one of {names}") from None
    return cls(int(value))


# --- time -------------------------------------------------------------------------------

_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)


def from_vg_time(value: int) -> Optional[_dt.datetime]:
    """vg_time (microseconds since the epoch) -> aware datetime in UTC; 0 -> None."""
    if not value:
        return None
    return _EPOCH + _dt.timedelta(microseconds=int(value))


def to_vg_time(value: Any) -> int:
    """datetime (naive = UTC), seconds as float, or None/0 -> vg_time microseconds."""
    if value is None:
        return 0
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=_dt.timezone.utc)
        delta = value - _EPOCH
        return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds
    if isinstance(value, _dt.date):
        return to_vg_time(_dt.datetime(value.year, value.month, value.day))
    if isinstance(value, str):
        return parse_time(value)
    if isinstance(value, float):
        return int(round(value * 1_000_000))
    raise TypeError(f"expected a datetime, got {type(value).__name__}")


def parse_time(text: str) -> int:
    """RFC 3339 text -> vg_time, by vg_time_parse."""
    from .errors import check

    out = ffi.new("vg_time *")
    check(lib.vg_time_parse(out, text.encode("utf-8")))
    return int(out[0])


def format_time(value: Any) -> str:
    """A datetime (or vg_time int) as RFC 3339 in UTC, by vg_time_format."""
    from .errors import check

    t = value if isinstance(value, int) else to_vg_time(value)
    size = lib.vg_time_text_size()
    buf = ffi.new("char[]", size)
    check(lib.vg_time_format(buf, size, t))
    return ffi.string(buf).decode("ascii")


# --- conversion from and to C structs ---------------------------------------------------


def cstring(value: Any) -> Any:
    """str/bytes -> NUL-terminated bytes for a `const char *` argument; None -> NULL."""
    if value is None:
        return ffi.NULL
    if isinstance(value, str):
        value = value.encode("utf-8")
    elif not isinstance(value, (bytes, bytearray)):
        raise TypeError(f"expected str, got {type(value).__name__}")
    if b"\0" in value:
        raise ValueError("text arguments may not contain NUL characters")
    return bytes(value)


def text(value: Any) -> str:
    """A char array or a `const char *` -> str ("" for NULL)."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if value == ffi.NULL:
        return ""
    return ffi.string(value).decode("utf-8", "replace")


def lang_tags() -> List[str]:
    """The language tags in the order of every per-language array ("en", "ja", ...)."""
    out: List[str] = []
    i = 0
    while True:
        tag = lib.vg_lang_tag(i)
        if tag == ffi.NULL:
            return out
        out.append(ffi.string(tag).decode("ascii"))
        i += 1


LANGS: List[str] = lang_tags()


def _display_names(value: Any) -> Dict[str, str]:
    return {LANGS[i]: text(ffi.string(value[i])) for i in range(len(LANGS))}


def _c_name(f: "dataclasses.Field[Any]") -> str:
    return f.metadata.get("c", f.name)


_SPECS: Dict[Tuple[type, str], List[Tuple[str, str, Callable[[Any], Any]]]] = {}


def _reader(hint: Any, ctype: Any) -> Callable[[Any], Any]:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Union and type(None) in args:
        inner = [a for a in args if a is not type(None)][0]
        if inner is _dt.datetime:
            return from_vg_time
        if inner is str:
            return lambda v: None if v == ffi.NULL else text(v)
        return _reader(inner, ctype)
    if hint is str:
        if ctype.kind == "array":
            return lambda v: ffi.string(v).decode("utf-8", "replace")
        return text
    if hint is bool:
        return bool
    if hint is int:
        return int
    if hint is float:
        return float
    if hint is _dt.datetime:
        return from_vg_time
    if isinstance(hint, type) and issubclass(hint, enum.IntEnum):
        def read_enum(v: Any, cls: Any = hint) -> Any:
            try:
                return cls(v)
            except ValueError:
                return int(v)  # a value newer than this binding
        return read_enum
    if origin is dict:
        return _display_names
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        nested: type = hint

        def read_nested(v: Any) -> Any:
            return from_c(nested, v)
        return read_nested
    raise TypeError(f"no conversion for {hint!r}")


def _spec(cls: type, ctype_name: str) -> List[Tuple[str, str, Callable[[Any], Any]]]:
    key = (cls, ctype_name)
    spec = _SPECS.get(key)
    if spec is None:
        hints = typing.get_type_hints(cls)
        cfields = dict(ffi.typeof(ctype_name).fields)
        spec = []
        for f in dataclasses.fields(cls):
            if f.metadata.get("python_only"):
                continue
            cname = _c_name(f)
            reader = f.metadata.get("read") or _reader(hints[f.name], cfields[cname].type)
            spec.append((f.name, cname, reader))
        _SPECS[key] = spec
    return spec


T = TypeVar("T")


def from_c(cls: Type[T], cdata: Any) -> T:
    """Builds a dataclass from a C struct (or a pointer to one) of the same field names."""
    ctype = ffi.typeof(cdata)
    if ctype.kind == "pointer":
        ctype = ctype.item
    values = {name: read(getattr(cdata, cname)) for name, cname, read in
              _spec(cls, ctype.cname)}
    return cls(**values)  # type: ignore[call-arg]


def to_c(obj: Any, cdata: Any, keep: List[Any]) -> None:
    """Writes a dataclass's fields into a C struct of the same field names. Strings for
    `const char *` fields are allocated and appended to `keep`, which must outlive the call."""
    ctype = ffi.typeof(cdata)
    if ctype.kind == "pointer":
        ctype = ctype.item
    cfields = dict(ctype.fields)
    hints = typing.get_type_hints(type(obj))
    for f in dataclasses.fields(obj):
        if f.metadata.get("python_only") or f.metadata.get("read_only"):
            continue
        cname = _c_name(f)
        ftype = cfields[cname].type
        value = getattr(obj, f.name)
        hint = hints[f.name]
        if typing.get_origin(hint) is dict:  # display names by language
            for i, tag in enumerate(LANGS):
                raw = cstring((value or {}).get(tag, ""))
                if len(raw) >= ftype.item.length:
                    raise ValueError(f"{f.name}[{tag}] is longer than {ftype.item.length - 1} bytes")
                getattr(cdata, cname)[i] = raw
        elif hint == Optional[_dt.datetime] or hint is _dt.datetime:
            setattr(cdata, cname, to_vg_time(value))
        elif value is None:
            if ftype.kind == "pointer":
                setattr(cdata, cname, ffi.NULL)
        elif isinstance(value, (str, bytes)):
            raw = cstring(value)
            if ftype.kind == "array":
                if len(raw) >= ftype.length:
                    raise ValueError(f"{f.name} is longer than {ftype.length - 1} bytes")
                setattr(cdata, cname, raw)
            else:
                buf = ffi.new("char[]", raw)
                keep.append(buf)
                setattr(cdata, cname, buf)
        elif isinstance(value, (bool, enum.IntEnum)):
            setattr(cdata, cname, int(value))
        else:
            setattr(cdata, cname, value)


# --- results ----------------------------------------------------------------------------

_NO_DEFAULT: Any = dataclasses.MISSING


def _meta(default: Any = _NO_DEFAULT, **kw: Any) -> Any:
    return dataclasses.field(default=default, metadata=kw)


@dataclasses.dataclass(frozen=True)
class Plan:
    """A plan (tier). ``display_name`` maps a language tag to the plan's name in it."""
    name: str
    rank: int
    price_twd: int
    weekly_credits: int
    free_uses: int
    topup_discount_pct: int
    max_resolution: int
    max_fps: int
    watermark: bool
    priority_queue: bool
    effects: bool
    paid: bool
    active: bool
    display_name: Dict[str, str]


@dataclasses.dataclass(frozen=True)
class Service:
    """A service with its price in credits."""
    name: str
    kind: ServiceKind
    credits: int
    api_cost_micro_usd: int
    min_plan: str
    subscribers_only: bool
    resolution: int
    max_duration_s: int
    provider: str
    internal: bool
    active: bool
    display_name: Dict[str, str]


@dataclasses.dataclass(frozen=True)
class Package:
    """A top-up package of purchased credits."""
    name: str
    credits: int
    price_twd: int
    active: bool
    display_name: Dict[str, str]


@dataclasses.dataclass(frozen=True)
class PackageOffer:
    """A package as offered to a plan: its list price less the plan's discount."""
    package: Package
    discount_pct: int
    price_twd: int


@dataclasses.dataclass(frozen=True)
class Access:
    """The answer of an access check. ``reason`` is 0 or the refusing status code."""
    allowed: bool
    reason: int
    price: int
    free_use: bool
    watermark: bool
    cache_only: bool
    priority: bool

    @property
    def reason_key(self) -> Optional[str]:
        """The refusal's stable name ("VG_EPLAN_TOO_LOW"), None when allowed."""
        from .errors import error_name

        return error_name(self.reason) if self.reason else None

    def raise_for_reason(self) -> None:
        """Raises the refusal as its exception (AccessDenied subclasses); no-op if allowed."""
        from .errors import class_for, error_name, strerror

        if self.reason:
            key = error_name(self.reason)
            text_ = strerror(self.reason)
            raise class_for(self.reason, key)(self.reason, key, text_, text_)


@dataclasses.dataclass(frozen=True)
class User:
    id: int
    email: str
    plan: str
    verified: bool
    active: bool
    created_at: Optional[_dt.datetime]


@dataclasses.dataclass(frozen=True)
class Balance:
    """A wallet: credits in each bucket (not held), held, and what is due next."""
    user_id: int
    subscription: int
    purchased: int
    bonus: int
    held: int
    available: int
    total: int
    free_uses: int
    free_uses_held: int
    next_reset: Optional[_dt.datetime]
    next_bonus_expiry: Optional[_dt.datetime]
    next_bonus_expiry_amount: int
    ledger_seq: int


@dataclasses.dataclass(frozen=True)
class Hold:
    """A hold of credits, with the wallet's balance after the call."""
    id: int
    user_id: int
    service: str
    reference: str
    price: int
    from_bonus: int
    from_subscription: int
    from_purchased: int
    free_use: bool
    state: HoldState
    forfeited: int
    created_at: Optional[_dt.datetime]
    expires_at: Optional[_dt.datetime]
    settled_at: Optional[_dt.datetime]
    balance: Balance


@dataclasses.dataclass(frozen=True)
class LedgerEntry:
    """One row of a wallet's hash-chained ledger."""
    seq: int
    at: Optional[_dt.datetime]
    effective_at: Optional[_dt.datetime]
    type: LedgerType
    amount: int
    bonus: int
    subscription: int
    purchased: int
    free_uses: int
    bonus_after: int
    subscription_after: int
    purchased_after: int
    total_after: int
    free_uses_after: int
    service: str
    reference: str
    idempotency_key: str
    hold_id: int


@dataclasses.dataclass(frozen=True)
class MaintenanceReport:
    users: int
    weekly_resets: int
    expiries: int
    holds_expired: int


@dataclasses.dataclass(frozen=True)
class Session:
    """A signed-in session: a short-lived access token and a rotating refresh token."""
    user_id: int
    session_id: int
    access_token: str
    refresh_token: str
    access_expires_at: Optional[_dt.datetime]
    refresh_expires_at: Optional[_dt.datetime]


@dataclasses.dataclass(frozen=True)
class Claims:
    """The claims of a verified access token."""
    user_id: int
    session_id: int
    plan: str
    jti: str
    issued_at: Optional[_dt.datetime]
    expires_at: Optional[_dt.datetime]


@dataclasses.dataclass(frozen=True)
class Email:
    """A message the library asks a host's ``email_sender`` to deliver."""
    kind: str
    lang: str
    from_: str = _meta("", c="from")
    to: str = ""
    subject: str = ""
    text: str = ""
    html: str = ""
    mime: str = ""


@dataclasses.dataclass(frozen=True)
class StoreEvent:
    id: int
    at: Optional[_dt.datetime]
    kind: str
    detail: str


@dataclasses.dataclass(frozen=True)
class Problem:
    """One problem found by Engine.check()."""
    check: str
    subject: str
    detail: str


# --- cache ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class CacheScope:
    """What must be equal for a cached result to answer a request."""
    service: str
    resolution: int = 0
    style: Optional[str] = None
    input_hash: Optional[str] = None


@dataclasses.dataclass(frozen=True)
class CacheEntry:
    id: int
    scope: str
    prompt: str
    result: str
    fingerprint: str
    owner_id: int
    owner_only: bool
    cost_micro_usd: int
    hits: int
    created_at: Optional[_dt.datetime]
    expires_at: Optional[_dt.datetime]
    last_hit_at: Optional[_dt.datetime]


@dataclasses.dataclass(frozen=True)
class CacheHit:
    """How a lookup was answered; ``entry`` is the entry served, else the best candidate."""
    match: CacheMatch
    similarity: float
    runner_up: float
    threshold: float
    gate_rejected: bool
    shadow: bool
    entry: CacheEntry

    @property
    def hit(self) -> bool:
        return self.match != CacheMatch.MISS


@dataclasses.dataclass(frozen=True)
class CacheStats:
    exact_hits: int
    semantic_hits: int
    misses: int
    gate_rejections: int
    shadow_hits: int
    saved_micro_usd: int
    entries: int
    scopes: int
    bytes_per_entry: int
    scan_path: str


@dataclasses.dataclass(frozen=True)
class Comparison:
    """Two prompts compared as a lookup would compare them."""
    similarity: float
    gate_agrees: bool


# --- providers --------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ProviderTask:
    """What a provider is asked to make (``vg_provider_task``)."""
    kind: TaskKind
    prompt: Optional[str] = None
    negative_prompt: Optional[str] = None
    model: Optional[str] = None
    style: Optional[str] = None
    resolution: int = 0
    width: int = 0
    height: int = 0
    duration_s: int = 0
    seed: int = 0
    input_url: Optional[str] = None
    input_image: Optional[bytes] = _meta(python_only=True, default=None)
    input_image_mime: Optional[str] = None
    input_job_id: Optional[str] = None
    webhook_url: Optional[str] = None


@dataclasses.dataclass(frozen=True)
class ProviderJob:
    """A provider job as last seen; keep provider, job_id and kind to poll it again."""
    provider: str
    job_id: str
    kind: TaskKind
    state: TaskState
    percent: int = -1
    poll_after_ms: int = 0
    media_type: str = ""
    result_url: str = ""
    thumbnail_url: str = ""
    model: str = ""
    width: int = 0
    height: int = 0
    duration_s: int = 0
    api_cost_micro: int = -1
    api_cost_unit: str = ""
    failure_code: str = ""
    failure: str = ""
    placeholder: bool = False


@dataclasses.dataclass(frozen=True)
class ProviderCapability:
    provider: str
    kind: TaskKind
    rank: int
    model: str
    services: Tuple[str, ...] = _meta((), read=lambda v: tuple(text(v).split()))
    max_resolution: int = 0
    max_duration_s: int = 0


@dataclasses.dataclass(frozen=True)
class ProviderInfo:
    """How a provider is configured (and, after a check, whether it answered)."""
    name: str
    has_key: bool
    key_source: str
    key_masked: str
    base_url: str
    serves: bool
    breaker_open: bool
    checked: bool
    reachable: bool
    latency_ms: int
    status: int
    detail: str


@dataclasses.dataclass(frozen=True)
class Moderation:
    blocked: bool
    reason: str
    message: str
    provider: str
    detail: str


@dataclasses.dataclass(frozen=True)
class Enhanced:
    """An enhanced prompt and the provider that wrote it."""
    prompt: str
    provider: str


# --- generation -------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Job:
    """A generation job as stored."""
    id: int
    user_id: int
    service: str
    kind: TaskKind
    state: JobState
    priority: bool
    percent: int
    prompt: str
    enhanced_prompt: str
    lang: str
    resolution: int
    duration_s: int
    fps: int
    style: str
    input_job_id: int
    is_public: bool
    price: int
    free_use: bool
    charged: bool
    watermark: bool
    cache_hit: bool
    similarity: float
    leader_id: int
    provider: str
    fallback: bool
    attempts: int
    media_type: str
    result_url: str
    thumbnail_url: str
    width: int
    height: int
    result_duration_s: int
    placeholder: bool
    api_cost_micro_usd: int
    error: int
    message: str
    detail: str
    created_at: Optional[_dt.datetime]
    updated_at: Optional[_dt.datetime]
    finished_at: Optional[_dt.datetime]

    @property
    def final(self) -> bool:
        return JobState(self.state).final

    @property
    def error_key(self) -> Optional[str]:
        """The stable name of the failure ("VG_EMODERATION_BLOCKED"), None when none."""
        from .errors import error_name

        return error_name(self.error) if self.error else None

    def raise_for_error(self) -> None:
        """Raises the job's failure as its exception (ModerationBlocked, PaidOnly,
        JobCancelled, ...), with ``message`` (in the user's language) as its text and the
        job in ``.job``; does nothing for a job without an error."""
        from .errors import class_for, error_name, strerror

        if self.error:
            key = error_name(self.error)
            user = self.message or strerror(self.error, self.lang or None)
            err = class_for(self.error, key)(self.error, key, self.detail or user, user)
            err.job = self  # type: ignore[attr-defined]
            raise err


@dataclasses.dataclass(frozen=True)
class Topic:
    topic: str
    title: str
    count: int


@dataclasses.dataclass(frozen=True)
class Example:
    """One example of the inspiration gallery."""
    id: int
    topic: str
    lang: str
    title: str
    prompt: str
    service: str
    media_type: str
    result_url: str
    thumbnail_url: str
    job_id: int
    created_at: Optional[_dt.datetime]


# --- payments ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Order:
    id: int
    number: str
    user_id: int
    kind: OrderKind
    item: str
    state: OrderState
    provider: str
    currency: str
    amount_minor: int
    discount_pct: int
    credits: int
    provider_ref: str
    failure: str
    created_at: Optional[_dt.datetime]
    paid_at: Optional[_dt.datetime]
    fulfilled_at: Optional[_dt.datetime]
    expires_at: Optional[_dt.datetime]


@dataclasses.dataclass(frozen=True)
class EcpayForm:
    """ECPay's AIO checkout form: POST ``fields`` (name, value) to ``action`` from the
    user's browser."""
    action: str
    fields: Tuple[Tuple[str, str], ...]


@dataclasses.dataclass(frozen=True)
class EcpayCallbackResult:
    """What vg_ecpay_callback answered: the reply ECPay expects, and the order."""
    reply: str
    order: Optional[Order]


@dataclasses.dataclass(frozen=True)
class WebhookResult:
    event_id: str
    event_type: str
    duplicate: bool
    ignored: bool
    order_id: int
    user_id: int


@dataclasses.dataclass(frozen=True)
class Subscription:
    user_id: int
    plan: str
    state: SubscriptionState
    provider: str
    provider_ref: str
    next_plan: str
    started_at: Optional[_dt.datetime]
    period_start: Optional[_dt.datetime]
    period_end: Optional[_dt.datetime]


@dataclasses.dataclass(frozen=True)
class Promo:
    """A promotion code. ``redeemed`` and ``created_at`` are set by the library."""
    code: str
    bonus_credits: int
    bonus_ttl_days: int = 0
    valid_from: Optional[_dt.datetime] = None
    valid_until: Optional[_dt.datetime] = None
    max_redemptions: int = 0
    per_user: int = 0
    plans: str = ""
    active: bool = True
    redeemed: int = _meta(read_only=True, default=0)
    created_at: Optional[_dt.datetime] = _meta(read_only=True, default=None)


@dataclasses.dataclass(frozen=True)
class RevenueRow:
    currency: str
    amount_minor: int
    orders: int


@dataclasses.dataclass(frozen=True)
class ServiceSpend:
    service: str
    credits: int
    uses: int


@dataclasses.dataclass(frozen=True)
class AdminStats:
    """The administrators' figures."""
    users_by_plan: Dict[str, int]
    active_subscriptions: int
    revenue: Tuple[RevenueRow, ...]
    credits_granted: int
    spent: Tuple[ServiceSpend, ...]
    api_cost_micro_usd: int
    cache_saved_micro_usd: int
    cache_hits: int


def admin_stats_from_c(s: Any) -> AdminStats:
    plans = {ffi.string(s.plans[i].plan).decode(): int(s.plans[i].users)
             for i in range(min(s.plan_count, len(s.plans)))}
    revenue = tuple(RevenueRow(ffi.string(s.revenue[i].currency).decode(),
                               int(s.revenue[i].amount_minor), int(s.revenue[i].orders))
                    for i in range(min(s.currency_count, len(s.revenue))))
    spent = tuple(ServiceSpend(ffi.string(s.spent[i].service).decode(), int(s.spent[i].credits),
                               int(s.spent[i].uses))
                  for i in range(min(s.service_count, len(s.spent))))
    return AdminStats(plans, int(s.active_subscriptions), revenue, int(s.credits_granted), spent,
                      int(s.api_cost_micro_usd), int(s.cache_saved_micro_usd), int(s.cache_hits))


__all__ = [name for name, value in list(globals().items())
           if not name.startswith("_") and isinstance(value, type)
           and (dataclasses.is_dataclass(value) or issubclass(value, enum.Enum))]
__all__ += ["ENUMS", "LANGS", "from_vg_time", "to_vg_time", "parse_time", "format_time",
            "to_enum", "from_c", "to_c", "lang_tags"]
