# SPDX-License-Identifier: MIT
"""One exception hierarchy for every libvidgo status code, and the one function that raises it.

Every failing call raises a :class:`VidgoError` subclass picked by the code's stable name
(``vg_error_name``) from :data:`BY_KEY`, a data table that names every code of
``include/vidgo/errors.h``. A code this table does not know (a newer library) falls back to
the base class of its domain (codes come in blocks of 100), then to :class:`VidgoError`.

Each error carries:

- ``code``: the ``vg_status`` (negative int), the truth;
- ``key``: its stable name, e.g. ``"VG_EINSUFFICIENT_CREDITS"``;
- ``message``: what failed, for developers (the call's own message from
  ``vg_error_last()`` on this thread, else ``vg_ctx_errmsg``, else the user text);
- ``user_message``: ``vg_strerror(code, lang)`` in the engine's language, for people.
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Type

from ._ffi import ffi, lib


class VidgoError(Exception):
    """A libvidgo call failed with a vg_status code."""

    def __init__(self, code: int, key: str, message: str, user_message: str = "") -> None:
        super().__init__(code, key, message)
        self.code = code
        self.key = key
        self.message = message
        self.user_message = user_message or message

    def __str__(self) -> str:
        return f"{self.key}: {self.message}" if self.message else self.key

    def __reduce__(self) -> Any:
        return (self.__class__, (self.code, self.key, self.message, self.user_message))


# --- General ------------------------------------------------------------------------------

class InternalError(VidgoError):
    """VG_ERROR: an unexpected internal failure."""


class InvalidArgument(VidgoError, ValueError):
    """An argument is NULL, empty, malformed, out of range, or not UTF-8."""


class OutOfMemory(VidgoError, MemoryError):
    """VG_ENOMEM."""


class NotFound(VidgoError, LookupError):
    """The named object (user, job, hold, plan, service, ...) does not exist."""


class AlreadyExists(VidgoError):
    """VG_EEXISTS: the object to create already exists."""


class Unsupported(VidgoError):
    """VG_EUNSUPPORTED: not built in, not supported by the backend or the provider."""


class InvalidState(VidgoError):
    """The object is not in a state that allows the operation."""


class VersionError(VidgoError):
    """VG_EVERSION: a versioned struct has a version this library does not know."""


class ConfigError(VidgoError):
    """VG_ECONFIG: the configuration is invalid (the message names the field)."""


class Cancelled(VidgoError):
    """VG_ECANCELLED."""


class Timeout(VidgoError, TimeoutError):
    """VG_ETIMEOUT: did not finish in time. ``job`` holds the last state when waiting."""

    job: Any = None


class IOFailure(VidgoError):
    """VG_EIO: a file or socket operation failed."""


class BufferTooSmall(InvalidArgument):
    """VG_EBUFSIZE (the binding sizes its buffers; seeing this is a bug)."""


class ClosedError(VidgoError, ValueError):
    """The engine (or cache, generator, worker) was closed; raised by the binding itself."""

    def __init__(self, what: str = "engine") -> None:
        super().__init__(-9, "VG_ESTATE", f"the {what} is closed")


# --- Store --------------------------------------------------------------------------------

class StoreError(VidgoError):
    """The storage backend failed."""


class StoreOpenError(StoreError):
    """VG_ESTORE_OPEN: missing, a directory, no permission."""


class StoreCorrupt(StoreError):
    """VG_ESTORE_CORRUPT."""


class StoreVersionError(StoreError):
    """VG_ESTORE_VERSION: the store's schema is newer than this library."""


class StoreBusy(StoreError):
    """VG_EBUSY: locked by another writer past the timeout."""


class StoreConflict(StoreError):
    """VG_ECONFLICT: a transaction conflicted (already retried)."""


class StoreReadOnly(StoreError):
    """VG_ESTORE_READONLY."""


class ConstraintError(StoreError):
    """VG_ECONSTRAINT."""


class StoreConnectError(StoreError):
    """VG_ESTORE_CONNECT: the database server cannot be reached or refused the login."""


# --- Plans and access ---------------------------------------------------------------------

class PlanUnknown(NotFound, InvalidArgument):
    """VG_EPLAN_UNKNOWN."""


class ServiceUnknown(NotFound, InvalidArgument):
    """VG_ESERVICE_UNKNOWN (also an unknown package when ordering)."""


class AccessDenied(VidgoError):
    """The user may not use this (plan too low, subscribers only, resolution, demo rules)."""


class PlanTooLow(AccessDenied):
    """VG_EPLAN_TOO_LOW."""


class SubscribersOnly(AccessDenied):
    """VG_ESUBSCRIBERS_ONLY."""


class ResolutionNotAllowed(AccessDenied):
    """VG_ERESOLUTION."""


class DemoCacheOnly(AccessDenied):
    """VG_EDEMO_CACHE_ONLY."""


class DemoUsedUp(AccessDenied):
    """VG_EDEMO_USED_UP."""


class ParameterNotAllowed(AccessDenied, InvalidArgument):
    """VG_EPARAMETER: a generation parameter (duration, style, ...) is not allowed."""


# --- Credits ------------------------------------------------------------------------------

class CreditsError(VidgoError):
    """A wallet failure."""


class InsufficientCredits(CreditsError, AccessDenied):
    """VG_EINSUFFICIENT_CREDITS: total credits minus holds is below the price."""


class IdempotencyConflict(VidgoError):
    """VG_EIDEMPOTENCY_CONFLICT: the key was used for a different request."""


class HoldSettled(CreditsError, InvalidState):
    """VG_EHOLD_SETTLED."""


class HoldExpired(CreditsError, InvalidState):
    """VG_EHOLD_EXPIRED."""


class LedgerTampered(CreditsError):
    """VG_ELEDGER_TAMPERED."""


class InvariantViolation(CreditsError):
    """VG_EINVARIANT: a stored balance breaks an invariant (see Engine.check)."""


# --- Accounts -----------------------------------------------------------------------------

class AccountError(VidgoError):
    """An account, sign-in or session failure."""


class EmailInvalid(AccountError, InvalidArgument):
    """VG_EEMAIL_INVALID."""


class EmailTaken(AccountError, AlreadyExists):
    """VG_EEMAIL_TAKEN."""


class PasswordPolicy(AccountError, InvalidArgument):
    """VG_EPASSWORD_POLICY."""


class AuthFailed(AccountError):
    """VG_EAUTH_FAILED: wrong e-mail or password (deliberately not saying which)."""


class NotVerified(AccountError, AccessDenied):
    """VG_ENOT_VERIFIED."""


class VerificationFailed(AccountError):
    """A verification code was refused."""


class CodeInvalid(VerificationFailed):
    """VG_ECODE_INVALID."""


class CodeExpired(VerificationFailed):
    """VG_ECODE_EXPIRED: expired, replaced, or never sent."""


class CodeExhausted(VerificationFailed):
    """VG_ECODE_EXHAUSTED: too many wrong tries."""


class RateLimited(AccountError):
    """VG_ERATE_LIMITED; ``retry_after`` is the seconds to wait (vg_error_retry_after)."""

    retry_after: int = 0


class TokenError(AccountError):
    """A token was refused."""


class TokenInvalid(TokenError):
    """VG_ETOKEN_INVALID."""


class TokenExpired(TokenError):
    """VG_ETOKEN_EXPIRED."""


class TokenRevoked(TokenError):
    """VG_ETOKEN_REVOKED."""


class AccountDisabled(AccountError, AccessDenied):
    """VG_EACCOUNT_DISABLED."""


class EmailSendError(AccountError):
    """VG_EEMAIL_SEND: the e-mail could not be sent; nothing was changed."""


# --- Similarity cache ---------------------------------------------------------------------

class CacheError(VidgoError):
    """A similarity-cache failure."""


class CacheMiss(CacheError):
    """VG_ECACHE_MISS."""


class DimensionMismatch(CacheError, InvalidArgument):
    """VG_EDIMENSION."""


class InvalidPrompt(CacheError, InvalidArgument):
    """The prompt is empty or too long."""


class PromptEmpty(InvalidPrompt):
    """VG_EPROMPT_EMPTY."""


class PromptTooLong(InvalidPrompt):
    """VG_EPROMPT_TOO_LONG."""


# --- Providers ----------------------------------------------------------------------------

class ProviderError(VidgoError):
    """A provider (Gemini, Leonardo, Runway, GoEnhance, Pollo) failed."""


class ProviderAuthError(ProviderError):
    """VG_EPROVIDER_AUTH: the provider refused the API key."""


class ProviderRateLimited(ProviderError):
    """VG_EPROVIDER_RATE: HTTP 429."""


class ProviderUnavailable(ProviderError):
    """VG_EPROVIDER_UNAVAILABLE: HTTP 5xx."""


class NetworkError(ProviderUnavailable):
    """VG_ENETWORK: DNS, connection refused, TLS."""


class CircuitOpen(ProviderUnavailable):
    """VG_ECIRCUIT_OPEN: calls are paused after repeated failures."""


class ProviderTimeout(ProviderError, TimeoutError):
    """VG_EPROVIDER_TIMEOUT."""


class ProviderResponseError(ProviderError):
    """VG_EPROVIDER_RESPONSE: malformed or too large."""


class ProviderRejected(ProviderError):
    """VG_EPROVIDER_REJECTED: the request was refused as invalid."""


class OutcomeUnknown(ProviderError):
    """VG_EOUTCOME_UNKNOWN: the request may or may not have been acted upon."""


class NoApiKey(ProviderError, ConfigError):
    """VG_ENO_API_KEY."""


# --- Generation ---------------------------------------------------------------------------

class GenerationError(VidgoError):
    """A generation failure."""


class ModerationBlocked(GenerationError):
    """VG_EMODERATION_BLOCKED."""


class JobStateError(GenerationError, InvalidState):
    """VG_EJOB_STATE."""


class JobFailed(GenerationError):
    """VG_EJOB_FAILED: the generation failed; the credits were returned."""


class JobCancelled(GenerationError):
    """VG_EJOB_CANCELLED."""


class PaidOnly(GenerationError, AccessDenied):
    """VG_EPAID_ONLY."""


class InputAssetError(GenerationError, InvalidArgument):
    """VG_EINPUT_ASSET: the input image or asset is missing or unusable."""


# --- Payments -----------------------------------------------------------------------------

class PaymentError(VidgoError):
    """A payment failure."""


class SignatureError(PaymentError):
    """VG_ESIGNATURE: a callback's or webhook's signature does not verify."""


class ReplayError(SignatureError):
    """VG_EREPLAY: a signed message is too old, from the future, or already processed."""


class AmountMismatch(PaymentError):
    """VG_EAMOUNT_MISMATCH."""


class MerchantMismatch(PaymentError):
    """VG_EMERCHANT_MISMATCH."""


class OrderStateError(PaymentError, InvalidState):
    """VG_EORDER_STATE."""


class PromoError(PaymentError):
    """A promotion code was refused."""


class PromoInvalid(PromoError, NotFound):
    """VG_EPROMO_INVALID."""


class PromoExpired(PromoError):
    """VG_EPROMO_EXPIRED."""


class PromoUsed(PromoError):
    """VG_EPROMO_USED."""


class CurrencyError(PaymentError, InvalidArgument):
    """VG_ECURRENCY."""


#: Every status code of include/vidgo/errors.h, by name, with the class it raises.
BY_KEY: Dict[str, Type[VidgoError]] = {
    "VG_ERROR": InternalError,
    "VG_EINVAL": InvalidArgument,
    "VG_ENOMEM": OutOfMemory,
    "VG_ENOTFOUND": NotFound,
    "VG_EEXISTS": AlreadyExists,
    "VG_EUTF8": InvalidArgument,
    "VG_ERANGE": InvalidArgument,
    "VG_EUNSUPPORTED": Unsupported,
    "VG_ESTATE": InvalidState,
    "VG_EVERSION": VersionError,
    "VG_ECONFIG": ConfigError,
    "VG_ECANCELLED": Cancelled,
    "VG_ETIMEOUT": Timeout,
    "VG_EIO": IOFailure,
    "VG_EBUFSIZE": BufferTooSmall,
    "VG_ESTORE": StoreError,
    "VG_ESTORE_OPEN": StoreOpenError,
    "VG_ESTORE_CORRUPT": StoreCorrupt,
    "VG_ESTORE_VERSION": StoreVersionError,
    "VG_EBUSY": StoreBusy,
    "VG_ECONFLICT": StoreConflict,
    "VG_ESTORE_READONLY": StoreReadOnly,
    "VG_ECONSTRAINT": ConstraintError,
    "VG_ESTORE_CONNECT": StoreConnectError,
    "VG_EPLAN_UNKNOWN": PlanUnknown,
    "VG_ESERVICE_UNKNOWN": ServiceUnknown,
    "VG_EPLAN_TOO_LOW": PlanTooLow,
    "VG_ESUBSCRIBERS_ONLY": SubscribersOnly,
    "VG_ERESOLUTION": ResolutionNotAllowed,
    "VG_EDEMO_CACHE_ONLY": DemoCacheOnly,
    "VG_EDEMO_USED_UP": DemoUsedUp,
    "VG_EPARAMETER": ParameterNotAllowed,
    "VG_EINSUFFICIENT_CREDITS": InsufficientCredits,
    "VG_EIDEMPOTENCY_CONFLICT": IdempotencyConflict,
    "VG_EHOLD_SETTLED": HoldSettled,
    "VG_EHOLD_EXPIRED": HoldExpired,
    "VG_ELEDGER_TAMPERED": LedgerTampered,
    "VG_EINVARIANT": InvariantViolation,
    "VG_EEMAIL_INVALID": EmailInvalid,
    "VG_EEMAIL_TAKEN": EmailTaken,
    "VG_EPASSWORD_POLICY": PasswordPolicy,
    "VG_EAUTH_FAILED": AuthFailed,
    "VG_ENOT_VERIFIED": NotVerified,
    "VG_ECODE_INVALID": CodeInvalid,
    "VG_ECODE_EXPIRED": CodeExpired,
    "VG_ECODE_EXHAUSTED": CodeExhausted,
    "VG_ERATE_LIMITED": RateLimited,
    "VG_ETOKEN_INVALID": TokenInvalid,
    "VG_ETOKEN_EXPIRED": TokenExpired,
    "VG_ETOKEN_REVOKED": TokenRevoked,
    "VG_EACCOUNT_DISABLED": AccountDisabled,
    "VG_EEMAIL_SEND": EmailSendError,
    "VG_ECACHE_MISS": CacheMiss,
    "VG_EDIMENSION": DimensionMismatch,
    "VG_EPROMPT_EMPTY": PromptEmpty,
    "VG_EPROMPT_TOO_LONG": PromptTooLong,
    "VG_EPROVIDER": ProviderError,
    "VG_EPROVIDER_AUTH": ProviderAuthError,
    "VG_EPROVIDER_RATE": ProviderRateLimited,
    "VG_EPROVIDER_UNAVAILABLE": ProviderUnavailable,
    "VG_EPROVIDER_TIMEOUT": ProviderTimeout,
    "VG_EPROVIDER_RESPONSE": ProviderResponseError,
    "VG_EPROVIDER_REJECTED": ProviderRejected,
    "VG_ENETWORK": NetworkError,
    "VG_ECIRCUIT_OPEN": CircuitOpen,
    "VG_EOUTCOME_UNKNOWN": OutcomeUnknown,
    "VG_ENO_API_KEY": NoApiKey,
    "VG_EMODERATION_BLOCKED": ModerationBlocked,
    "VG_EJOB_STATE": JobStateError,
    "VG_EJOB_FAILED": JobFailed,
    "VG_EJOB_CANCELLED": JobCancelled,
    "VG_EPAID_ONLY": PaidOnly,
    "VG_EINPUT_ASSET": InputAssetError,
    "VG_ESIGNATURE": SignatureError,
    "VG_EAMOUNT_MISMATCH": AmountMismatch,
    "VG_EMERCHANT_MISMATCH": MerchantMismatch,
    "VG_EORDER_STATE": OrderStateError,
    "VG_EPROMO_INVALID": PromoInvalid,
    "VG_EPROMO_EXPIRED": PromoExpired,
    "VG_EPROMO_USED": PromoUsed,
    "VG_EREPLAY": ReplayError,
    "VG_ECURRENCY": CurrencyError,
}

#: The base class of each domain (-code // 100), for codes newer than BY_KEY.
BY_DOMAIN: Dict[int, Type[VidgoError]] = {
    0: VidgoError, 1: StoreError, 2: AccessDenied, 3: CreditsError, 4: AccountError,
    5: CacheError, 6: ProviderError, 7: GenerationError, 8: PaymentError,
}


def error_name(code: int) -> str:
    """The stable name of a code ("VG_EINVAL"); "VG_EUNKNOWN" for an unknown one."""
    return ffi.string(lib.vg_error_name(code)).decode("ascii")


def strerror(code: int, lang: Optional[str] = None) -> str:
    """The user-facing description of a code in a language (None: English)."""
    tag = lang.encode() if lang else ffi.NULL
    return ffi.string(lib.vg_strerror(code, tag)).decode("utf-8")


def class_for(code: int, key: Optional[str] = None) -> Type[VidgoError]:
    """The exception class a code raises."""
    key = key or error_name(code)
    cls = BY_KEY.get(key)
    if cls is None:
        cls = BY_DOMAIN.get(-code // 100, VidgoError) if code < 0 else VidgoError
    return cls


def make_error(code: int, ctx: Any = None, lang: Optional[str] = None) -> VidgoError:
    """Builds the exception of a failure just returned on this thread (reads its message
    and, for VG_ERATE_LIMITED, its retry-after before any other libvidgo call)."""
    message = ""
    if lib.vg_error_last_code() == code:
        message = ffi.string(lib.vg_error_last()).decode("utf-8", "replace")
    retry_after = lib.vg_error_retry_after()
    if not message and ctx is not None and ctx != ffi.NULL and lib.vg_ctx_errcode(ctx) == code:
        message = ffi.string(lib.vg_ctx_errmsg(ctx)).decode("utf-8", "replace")
    if lang is None and ctx is not None and ctx != ffi.NULL:
        lang = ffi.string(lib.vg_ctx_lang(ctx)).decode("ascii")
    key = error_name(code)
    user = strerror(code, lang)
    err = class_for(code, key)(code, key, message or user, user)
    if isinstance(err, RateLimited):
        err.retry_after = retry_after
    return err


def check(rc: int, ctx: Any = None, lang: Optional[str] = None) -> int:
    """Returns rc when it is VG_OK (0), else raises the VidgoError subclass of the code."""
    if rc == 0:
        return rc
    raise make_error(rc, ctx, lang)


def last_error() -> Optional[VidgoError]:
    """The last failure on the calling thread as an exception (not raised), or None: for
    failures before a context exists. A successful call does not clear it."""
    code = lib.vg_error_last_code()
    return None if code == 0 else make_error(code)


def clear_last_error() -> None:
    """Forgets the calling thread's last failure (vg_error_clear)."""
    lib.vg_error_clear()


def all_codes() -> "list[int]":
    """Every status code the loaded library knows, VG_OK first (vg_error_code_at)."""
    return [lib.vg_error_code_at(i) for i in range(lib.vg_error_count())]


__all__ = [name for name, value in list(globals().items())
           if isinstance(value, type) and issubclass(value, VidgoError)]
__all__ += ["BY_KEY", "BY_DOMAIN", "error_name", "strerror", "class_for", "check", "all_codes",
            "last_error", "clear_last_error", "make_error"]
