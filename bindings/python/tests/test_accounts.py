# SPDX-License-Identifier: MIT
"""engine.accounts and engine.users: the whole sign-up, sign-in and reset flow."""
import pytest

import vidgo
from vidgo import errors

from conftest import PASSWORD


def test_register_verify_login_refresh_verify_token_logout(engine, mailbox):
    uid = engine.accounts.register("Mei@Example.com ", PASSWORD, lang="ja", caller="10.0.0.1")
    email = mailbox.last("mei@example.com", "verify")
    assert email.lang == "ja" and email.from_ and "MIME-Version" in email.mime
    assert not engine.users.get(uid).verified
    engine.accounts.verify("mei@example.com", mailbox.code("mei@example.com"))
    user = engine.users.find("MEI@example.com")
    assert (user.id, user.verified, user.plan) == (uid, True, "demo")
    assert engine.accounts.lang(uid) == "ja"

    session = engine.accounts.login("mei@example.com", PASSWORD, caller="10.0.0.1")
    assert session.user_id == uid and session.refresh_token.startswith("vgr_")
    assert session.access_expires_at < session.refresh_expires_at
    claims = engine.accounts.verify_token(session.access_token)
    assert (claims.user_id, claims.plan, claims.session_id) == (uid, "demo", session.session_id)

    fresh = engine.accounts.refresh(session.refresh_token)
    assert fresh.refresh_token != session.refresh_token
    with pytest.raises(errors.TokenRevoked):  # the spent token revokes its session
        engine.accounts.refresh(session.refresh_token)
    with pytest.raises(errors.TokenError):
        engine.accounts.verify_token(fresh.access_token)

    again = engine.accounts.login("mei@example.com", PASSWORD)
    engine.accounts.logout(again.refresh_token)
    with pytest.raises(errors.TokenRevoked):
        engine.accounts.verify_token(again.access_token)


def test_resend_forgot_reset(engine, mailbox):
    engine.accounts.register("dan@example.com", PASSWORD)
    engine.accounts.resend("dan@example.com")
    engine.accounts.verify("dan@example.com", mailbox.code("dan@example.com"))
    engine.accounts.forgot("dan@example.com")
    engine.accounts.forgot("nobody@example.com")  # answers alike
    uid = engine.accounts.reset(mailbox.reset_token("dan@example.com"), "a brand new password")
    assert uid == engine.users.find("dan@example.com").id
    with pytest.raises(errors.AuthFailed):
        engine.accounts.login("dan@example.com", PASSWORD)
    engine.accounts.login("dan@example.com", "a brand new password")


def test_disable_enable_and_revoke_all(engine, mailbox):
    uid = engine.accounts.register("eve@example.com", PASSWORD)
    engine.accounts.verify("eve@example.com", mailbox.code("eve@example.com"))
    engine.accounts.login("eve@example.com", PASSWORD)
    engine.accounts.login("eve@example.com", PASSWORD)
    assert engine.accounts.revoke_all(uid) == 2
    engine.accounts.disable(uid)
    assert not engine.users.get(uid).active
    with pytest.raises(errors.AccountDisabled):
        engine.accounts.login("eve@example.com", PASSWORD)
    engine.accounts.enable(uid)
    engine.accounts.login("eve@example.com", PASSWORD)


def test_add_verified_users(engine):
    uid = engine.users.add_verified(" Ann@Example.com", "starter")
    user = engine.accounts.get(uid)
    assert (user.email, user.plan, user.verified, user.active) == ("ann@example.com", "starter",
                                                                   True, True)
    assert user.created_at.tzinfo is not None
    with pytest.raises(errors.EmailTaken):
        engine.accounts.add_verified("ann@example.com")
    with pytest.raises(errors.NotFound):
        engine.users.find("nobody@example.com")


def test_failed_logins_are_rate_limited_with_retry_after(engine, mailbox):
    engine.users.add_verified("limit@example.com")
    with pytest.raises(errors.RateLimited) as caught:
        for _ in range(50):
            with pytest.raises(errors.AuthFailed):
                engine.accounts.login("limit@example.com", "wrong password!", caller="1.2.3.4")
    assert caught.value.retry_after >= 1
    assert isinstance(caught.value, vidgo.VidgoError)
