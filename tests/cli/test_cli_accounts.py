# SPDX-License-Identifier: MIT
"""`vidgo user ...`: accounts end to end through the program, e-mail through a mail
directory and through a real SMTP server on loopback."""
import email
import email.policy
import os
import re
import socket
import threading
import time

import pytest

PASSWORD = "correct horse battery\n"


def messages(mail_dir):
    """The messages in a mail directory, oldest first, parsed."""
    names = sorted(n for n in os.listdir(mail_dir) if n.endswith(".eml"))
    out = []
    for name in names:
        with open(os.path.join(mail_dir, name), "rb") as f:
            out.append(email.message_from_binary_file(f, policy=email.policy.default))
    return out


def text_of(message):
    return message.get_body(preferencelist=("plain",)).get_content()


def code_in(message):
    found = re.search(r"(?<!\d)\d{6}(?!\d)", text_of(message))
    assert found, text_of(message)
    return found.group(0)


@pytest.fixture
def accounts(vidgo, tmp_path):
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    vidgo.mail_dir = str(mail_dir)
    vidgo.env = {"VIDGO_MAIL_DIR": str(mail_dir)}
    return vidgo


def test_register_verify_login_refresh_me_logout_through_the_program(accounts):
    v = accounts
    user = v.json("user", "register", "Mei@Example.com", "--lang", "ja", input=PASSWORD, env=v.env)
    assert user["email"] == "mei@example.com" and user["verified"] is False
    assert user["plan"] == "demo"
    [mail] = messages(v.mail_dir)
    assert mail["To"] == "mei@example.com"
    assert "VidGo" in str(mail["Subject"])
    code = code_in(mail)

    wrong = "%06d" % ((int(code) + 1) % 1000000)
    err = v.json("user", "verify", "mei@example.com", input=wrong + "\n", expect=1, env=v.env)
    assert err["error"]["name"] == "VG_ECODE_INVALID"
    assert v.json("user", "verify", "mei@example.com", input=code + "\n", env=v.env)["verified"]

    session = v.json("user", "login", "mei@example.com", input=PASSWORD, env=v.env)
    assert session["refresh_token"].startswith("vgr_")
    me = v.json("user", "me", input=session["access_token"] + "\n", env=v.env)
    assert me["email"] == "mei@example.com" and me["session_id"] == session["session_id"]

    fresh = v.json("user", "refresh", input=session["refresh_token"] + "\n", env=v.env)
    assert fresh["refresh_token"] != session["refresh_token"]
    again = v.json("user", "refresh", input=session["refresh_token"] + "\n", expect=1, env=v.env)
    assert again["error"]["name"] == "VG_ETOKEN_REVOKED"
    gone = v.json("user", "me", input=fresh["access_token"] + "\n", expect=1, env=v.env)
    assert gone["error"]["name"] == "VG_ETOKEN_REVOKED"

    other = v.json("user", "login", "mei@example.com", input=PASSWORD, env=v.env)
    assert v.json("user", "logout", input=other["refresh_token"] + "\n", env=v.env)["ok"]
    out = v.json("user", "me", input=other["access_token"] + "\n", expect=1, env=v.env)
    assert out["error"]["name"] == "VG_ETOKEN_REVOKED"


def test_forgot_and_reset_through_the_program(accounts):
    v = accounts
    v.json("user", "register", "bo@example.com", input=PASSWORD, env=v.env)
    v.json("user", "verify", "bo@example.com", input=code_in(messages(v.mail_dir)[0]) + "\n",
           env=v.env)
    session = v.json("user", "login", "bo@example.com", input=PASSWORD, env=v.env)
    assert v.json("user", "forgot", "nobody@example.com", env=v.env) == {"ok": True}
    assert len(messages(v.mail_dir)) == 1
    assert v.json("user", "forgot", "bo@example.com", env=v.env) == {"ok": True}
    reset_mail = messages(v.mail_dir)[1]
    token = re.search(r"vgp_[A-Za-z0-9_-]{43}", text_of(reset_mail)).group(0)
    user = v.json("user", "reset", input=token + "\nA brand new secret\n", env=v.env)
    assert user["email"] == "bo@example.com"
    err = v.json("user", "me", input=session["access_token"] + "\n", expect=1, env=v.env)
    assert err["error"]["name"] == "VG_ETOKEN_REVOKED"
    err = v.json("user", "login", "bo@example.com", input=PASSWORD, expect=1, env=v.env)
    assert err["error"]["name"] == "VG_EAUTH_FAILED"
    v.json("user", "login", "bo@example.com", input="A brand new secret\n", env=v.env)


def test_failed_logins_are_limited_with_a_retry_time_and_secrets_never_echo(accounts):
    v = accounts
    for _ in range(5):
        done = v.run("--json", "user", "login", "ghost@example.com", "--caller", "203.0.113.9",
                     input="guessing-password-1\n", env=v.env)
        assert done.returncode == 1
        assert "guessing-password-1" not in done.stdout + done.stderr
    err = v.json("user", "login", "ghost@example.com", input="guessing-password-1\n", expect=1,
                 env=v.env)
    assert err["error"]["name"] == "VG_ERATE_LIMITED"
    assert 0 < err["error"]["retry_after_s"] <= 900
    assert "try again in" in err["error"]["message"]


def test_secrets_are_refused_on_the_command_line_and_a_disabled_account_cannot_sign_in(accounts):
    v = accounts
    done = v.run("user", "register", "cy@example.com", "correct horse battery", env=v.env)
    assert done.returncode == 2
    done = v.run("user", "login", "cy@example.com", input="", env=v.env)
    assert done.returncode == 2 and "standard input" in done.stderr
    v.json("user", "register", "cy@example.com", input=PASSWORD, env=v.env)
    v.json("user", "verify", "cy@example.com", input=code_in(messages(v.mail_dir)[0]) + "\n",
           env=v.env)
    assert v.json("user", "deactivate", "cy@example.com", env=v.env)["active"] is False
    err = v.json("user", "login", "cy@example.com", input=PASSWORD, expect=1, env=v.env)
    assert err["error"]["name"] == "VG_EACCOUNT_DISABLED"
    assert v.json("user", "activate", "cy@example.com", env=v.env)["active"] is True
    v.json("user", "login", "cy@example.com", input=PASSWORD, env=v.env)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_register_through_a_real_smtp_server_and_nothing_is_created_when_it_is_down(vidgo):
    aiosmtpd_controller = pytest.importorskip("aiosmtpd.controller")
    received = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.append((envelope.rcpt_tos, envelope.content))
            return "250 OK"

    port = free_port()
    smtp_env = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port), "VIDGO_SMTP_TLS": "none",
                "EMAIL_FROM": "noreply@vidgo.test"}
    # the server is not there yet: refused, and no account is left behind
    err = vidgo.json("user", "register", "dan@example.com", "--lang", "ko", input=PASSWORD,
                     expect=4, env=smtp_env)
    assert err["error"]["name"] == "VG_EEMAIL_SEND"
    err = vidgo.json("user", "login", "dan@example.com", input=PASSWORD, expect=1, env=smtp_env)
    assert err["error"]["name"] == "VG_EAUTH_FAILED"

    controller = aiosmtpd_controller.Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        vidgo.json("user", "register", "dan@example.com", "--lang", "ko", input=PASSWORD,
                   env=smtp_env)
        deadline = time.time() + 10
        while not received and time.time() < deadline:
            time.sleep(0.05)
    finally:
        controller.stop()
    [(rcpt, content)] = received
    assert rcpt == ["dan@example.com"]
    message = email.message_from_bytes(content, policy=email.policy.default)
    assert message["From"].addresses[0].addr_spec == "noreply@vidgo.test"
    assert re.search(r"[\uac00-\ud7a3]", str(message["Subject"])), message["Subject"]  # Hangul
    code = code_in(message)
    user = vidgo.json("user", "verify", "dan@example.com", input=code + "\n", env=smtp_env)
    assert user["verified"] is True
