# SPDX-License-Identifier: MIT
"""engine.accounts and engine.users: sign-up with an e-mailed code, sign-in, sessions,
password reset, and user records (include/vidgo/accounts.h, include/vidgo/users.h).

Every call here may block (argon2id hashing, sending e-mail); the GIL is released meanwhile.
Passwords, codes and tokens are passed to the library and never kept by the binding.
"""
from __future__ import annotations

from typing import Any, Optional

from . import _call
from . import constants as _constants
from . import types as _t
from ._ffi import ffi, lib


class Users(_call.Group):
    """User records as the wallet and access rules see them."""

    __slots__ = ()

    def add_verified(self, email: str, plan: str = "demo") -> int:
        """Creates a verified, active user on a plan without the password flow (the
        administrator's shortcut) and opens its wallet. Returns the new id."""
        out = ffi.new("int64_t *")
        with self._h as ctx:
            _call.ok(lib.vg_user_add_verified(out, ctx, _t.cstring(email), _t.cstring(plan)), ctx)
        return int(out[0])

    def _new(self) -> Any:
        out = ffi.new("vg_user *")
        _call.ok(lib.vg_user_init(out, _constants.get("VG_USER_VERSION")))
        return out

    def get(self, user_id: int) -> _t.User:
        """A user by id; raises NotFound."""
        out = self._new()
        with self._h as ctx:
            _call.ok(lib.vg_user_get(out, ctx, user_id), ctx)
        return _t.from_c(_t.User, out)

    def find(self, email: str) -> _t.User:
        """A user by e-mail address (normalised first); raises NotFound."""
        out = self._new()
        with self._h as ctx:
            _call.ok(lib.vg_user_find(out, ctx, _t.cstring(email)), ctx)
        return _t.from_c(_t.User, out)


class Accounts(_call.Group):
    """Registration, verification, sign-in, sessions and password reset."""

    __slots__ = ()

    def register(self, email: str, password: str, *, lang: Optional[str] = None,
                 caller: Optional[str] = None) -> int:
        """Creates an unverified account on the demo plan and e-mails a 6-digit code in
        ``lang`` (None: the engine's). ``caller`` is the rate-limit key of whoever asks
        (e.g. the client's IP address). Returns the new user id."""
        out = ffi.new("int64_t *")
        with self._h as ctx:
            _call.ok(lib.vg_account_register(out, ctx, _t.cstring(email), _t.cstring(password),
                                             _t.cstring(lang), _t.cstring(caller)), ctx)
        return int(out[0])

    def verify(self, email: str, code: str) -> None:
        """Checks a verification code; raises CodeInvalid, CodeExhausted, CodeExpired, or
        InvalidState when the address is already verified."""
        with self._h as ctx:
            _call.ok(lib.vg_account_verify(ctx, _t.cstring(email), _t.cstring(code)), ctx)

    def resend(self, email: str) -> None:
        """Sends a new code (replacing the previous one); RateLimited after 5 an hour."""
        with self._h as ctx:
            _call.ok(lib.vg_account_resend(ctx, _t.cstring(email)), ctx)

    def login(self, email: str, password: str, *, caller: Optional[str] = None) -> _t.Session:
        """Signs in; raises AuthFailed, NotVerified, AccountDisabled or RateLimited."""
        out = ffi.new("vg_session *")
        with self._h as ctx:
            _call.ok(lib.vg_account_login(out, ctx, _t.cstring(email), _t.cstring(password),
                                          _t.cstring(caller)), ctx)
        return _t.from_c(_t.Session, out)

    def refresh(self, refresh_token: str) -> _t.Session:
        """Exchanges a refresh token for a new session pair (the token presented is spent;
        presenting it again revokes the whole session)."""
        out = ffi.new("vg_session *")
        with self._h as ctx:
            _call.ok(lib.vg_session_refresh(out, ctx, _t.cstring(refresh_token)), ctx)
        return _t.from_c(_t.Session, out)

    def verify_token(self, access_token: str) -> _t.Claims:
        """Verifies an access token and returns its claims; raises TokenInvalid,
        TokenExpired, TokenRevoked or AccountDisabled."""
        out = ffi.new("vg_claims *")
        with self._h as ctx:
            _call.ok(lib.vg_session_verify(out, ctx, _t.cstring(access_token)), ctx)
        return _t.from_c(_t.Claims, out)

    def logout(self, refresh_token: str) -> None:
        """Revokes the session of a refresh token (its access tokens stop working too)."""
        with self._h as ctx:
            _call.ok(lib.vg_session_logout(ctx, _t.cstring(refresh_token)), ctx)

    def revoke_all(self, user_id: int) -> int:
        """Revokes every session of a user; returns how many."""
        out = ffi.new("int *")
        with self._h as ctx:
            _call.ok(lib.vg_session_revoke_all(out, ctx, user_id), ctx)
        return int(out[0])

    def forgot(self, email: str, *, caller: Optional[str] = None) -> None:
        """Starts a password reset (e-mails a single-use token if the account exists;
        answers alike either way)."""
        with self._h as ctx:
            _call.ok(lib.vg_account_forgot(ctx, _t.cstring(email), _t.cstring(caller)), ctx)

    def reset(self, reset_token: str, new_password: str) -> int:
        """Sets a new password with a reset token; revokes every session. Returns the user id."""
        out = ffi.new("int64_t *")
        with self._h as ctx:
            _call.ok(lib.vg_account_reset(out, ctx, _t.cstring(reset_token),
                                          _t.cstring(new_password)), ctx)
        return int(out[0])

    def set_active(self, user_id: int, active: bool) -> None:
        """Enables or disables an account (disabling revokes its sessions)."""
        with self._h as ctx:
            _call.ok(lib.vg_account_set_active(ctx, user_id, 1 if active else 0), ctx)

    def enable(self, user_id: int) -> None:
        self.set_active(user_id, True)

    def disable(self, user_id: int) -> None:
        self.set_active(user_id, False)

    def lang(self, user_id: int) -> str:
        """The language of a user's e-mails."""
        size = _constants.get("VG_LANG_TAG_SIZE")
        buf = ffi.new("char[]", size)
        with self._h as ctx:
            _call.ok(lib.vg_account_lang(buf, ctx, user_id), ctx)
        return ffi.string(buf).decode("ascii")

    # Users' calls are reachable from here too.

    def add_verified(self, email: str, plan: str = "demo") -> int:
        """See :meth:`Users.add_verified`."""
        return Users(self._engine).add_verified(email, plan)

    def get(self, user_id: int) -> _t.User:
        return Users(self._engine).get(user_id)

    def find(self, email: str) -> _t.User:
        return Users(self._engine).find(email)
