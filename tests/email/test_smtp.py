# SPDX-License-Identifier: MIT
"""The built-in SMTP sender against real servers on loopback (aiosmtpd, and raw sockets that
misbehave), through the mail_send driver ($VIDGO_MAIL_SEND); and the mail directory."""
import email
import email.policy
import os
import socket
import ssl
import stat
import subprocess
import threading
import time
import warnings

import pytest

# Some servers here require AUTH without TLS on purpose.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")

aiosmtpd = pytest.importorskip("aiosmtpd", reason="pip install aiosmtpd (scripts/install-deps.sh)")
from aiosmtpd.controller import Controller  # noqa: E402
from aiosmtpd.smtp import AuthResult  # noqa: E402

CODE = "739104"
TOKEN = "vgr_Q2x9-Tk7_mZ"
USER = "mailer-user"
PASSWORD = "S3cr3t-Pa55w0rd!"
TO = "user@example.com"

SUBJECTS = {
    "verify": {
        "en": "Your VidGo verification code",
        "ja": "【VidGo】メールアドレスの確認コード",
        "zh-TW": "您的 VidGo 電子郵件驗證碼",
        "ko": "[VidGo] 이메일 인증 코드",
        "es": "Tu código de verificación de VidGo",
    },
    "reset": {
        "en": "Reset your VidGo password",
        "ja": "【VidGo】パスワード再設定のご案内",
        "zh-TW": "重設您的 VidGo 密碼",
        "ko": "[VidGo] 비밀번호 재설정 안내",
        "es": "Restablece tu contraseña de VidGo",
    },
}
MAIL_ENV = ("SMTP_HOST", "SMTP_PORT", "SMTP_USER", "SMTP_PASSWORD", "EMAIL_FROM",
            "VIDGO_SMTP_TLS", "VIDGO_MAIL_DIR", "VIDGO_APP_URL")


# ---- the driver ----------------------------------------------------------------------------

def run_driver(*args, env=None, timeout=60):
    binary = os.environ.get("VIDGO_MAIL_SEND")
    if not binary:
        pytest.fail("VIDGO_MAIL_SEND is not set (run through `meson test`)")
    full_env = {k: v for k, v in os.environ.items() if k not in MAIL_ENV}
    full_env.update(env or {})
    return subprocess.run([binary, *args], env=full_env, capture_output=True, text=True,
                          timeout=timeout)


def send(url, *options, kind="verify", lang="en", secret=CODE, env=None, timeout=60):
    args = ["--smtp-url", url, *options, kind, lang, TO, secret]
    return run_driver(*args, env=env, timeout=timeout)


def assert_sent(done):
    assert done.returncode == 0, (done.stdout, done.stderr)
    assert done.stdout.strip() == "VG_OK"


def assert_send_failed(done, url, *words):
    """VG_EEMAIL_SEND with a clear message, and no secret anywhere in the output."""
    output = done.stdout + done.stderr
    assert done.returncode == 1, output  # a failure, not a crash or a sanitizer's report
    assert done.stdout.startswith("VG_EEMAIL_SEND: cannot send e-mail via " + url + ": "), output
    for word in words:
        assert word.lower() in done.stdout.lower(), (word, output)
    for secret in (CODE, TOKEN, PASSWORD, USER):
        assert secret not in output, (secret, output)
    assert "\n" not in done.stdout.strip()


# ---- servers -------------------------------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Recorder:
    """An aiosmtpd handler that keeps every message; rcpt_reply refuses recipients."""

    def __init__(self, rcpt_reply=None):
        self.messages = []
        self.rcpt_reply = rcpt_reply
        self.logins = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append({
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "content": envelope.original_content,
            "starttls": session.ssl is not None,
            "authenticated": session.authenticated,
        })
        return "250 Message accepted for delivery"

    def authenticator(self, server, session, envelope, mechanism, auth_data):
        self.logins.append((mechanism, auth_data.login, auth_data.password))
        ok = auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode()
        return AuthResult(success=ok, handled=False)  # aiosmtpd answers 535 on failure


class Server:
    """A real SMTP server (aiosmtpd) on a free loopback port."""

    def __init__(self, handler=None, ssl_context=None, **smtp):
        self.handler = handler or Recorder()
        self.port = free_port()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # AUTH without TLS is what some tests want
            self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port,
                                         ssl_context=ssl_context, **smtp)
            self.controller.start()

    def url(self, scheme="smtp"):
        return f"{scheme}://127.0.0.1:{self.port}"

    @property
    def messages(self):
        return self.handler.messages

    def stop(self):
        self.controller.stop()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class RawServer:
    """A loopback server that misbehaves: 'close' at once, 'greet' then close, or 'silent'."""

    def __init__(self, behaviour):
        self.behaviour = behaviour
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def url(self):
        return f"smtp://127.0.0.1:{self.port}"

    def _serve(self):
        self.sock.settimeout(0.2)
        while not self.done.is_set():
            try:
                conn, _ = self.sock.accept()
            except (socket.timeout, OSError):
                continue
            if self.behaviour == "greet":
                conn.sendall(b"220 mail.example.com ESMTP ready\r\n")
                time.sleep(0.1)
            elif self.behaviour == "silent":
                self.done.wait(30)
            conn.close()

    def stop(self):
        self.done.set()
        self.thread.join(5)
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


@pytest.fixture
def server():
    with Server() as s:
        yield s


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1 and localhost, made with `openssl`."""
    d = tmp_path_factory.mktemp("tls")
    cert, key = d / "cert.pem", d / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=localhost", "-keyout", str(key), "-out", str(cert),
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                   check=True, capture_output=True)
    return cert, key


def server_tls_context(certificate):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(certificate[0]), str(certificate[1]))
    return context


def parsed(message):
    return email.message_from_bytes(message["content"], policy=email.policy.default)


# ---- delivery ------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["verify", "reset"])
@pytest.mark.parametrize("lang", ["en", "ja", "zh-TW", "ko", "es"])
def test_the_message_arrives_in_each_language(server, kind, lang):
    secret = CODE if kind == "verify" else TOKEN
    done = send(server.url(), "--tls", "none", kind=kind, lang=lang, secret=secret)
    assert_sent(done)
    assert len(server.messages) == 1
    m = server.messages[0]
    assert m["mail_from"] == "noreply@vidgo.ai"
    assert m["rcpt_tos"] == [TO]
    msg = parsed(m)
    assert msg["Subject"] == SUBJECTS[kind][lang]
    assert msg["To"] == TO
    assert msg["From"].addresses[0].addr_spec == "noreply@vidgo.ai"
    assert msg["From"].addresses[0].display_name == "VidGo"
    assert msg["Message-ID"].endswith("@vidgo.ai>")
    assert msg["MIME-Version"] == "1.0"
    assert msg.get_content_type() == "multipart/alternative"
    parts = {p.get_content_type(): p for p in msg.iter_parts()}
    assert set(parts) == {"text/plain", "text/html"}
    for part in parts.values():
        assert part.get_content_charset() == "utf-8"
        assert part["Content-Transfer-Encoding"] == "base64"
        assert secret in part.get_content()
    assert f'<html lang="{lang}">' in parts["text/html"].get_content()
    assert b"\n" not in m["content"].replace(b"\r\n", b"")  # CRLF only


def test_the_log_names_the_kind_language_and_a_masked_recipient(server):
    done = send(server.url(), "--tls", "none", kind="verify", lang="ko")
    assert_sent(done)
    line = f"sent the verify e-mail (ko) to u***@example.com via {server.url()}"
    assert line in done.stderr
    assert CODE not in done.stderr and TO not in done.stderr


def test_the_reset_link_arrives_when_a_reset_url_is_set(server):
    done = send(server.url(), "--tls", "none", "--reset-url", "https://app.example/reset?x=1",
                kind="reset", secret=TOKEN)
    assert_sent(done)
    parts = {p.get_content_type(): p for p in parsed(server.messages[0]).iter_parts()}
    assert f"https://app.example/reset?x=1&token={TOKEN}" in parts["text/plain"].get_content()
    assert f'href="https://app.example/reset?x=1&amp;token={TOKEN}"' in \
        parts["text/html"].get_content()


def test_a_sender_name_in_another_script_is_encoded(server):
    done = send(server.url(), "--tls", "none", "--from", "VidGo サポート <support@vidgo.example>")
    assert_sent(done)
    m = server.messages[0]
    assert m["mail_from"] == "support@vidgo.example"
    sender = parsed(m)["From"].addresses[0]
    assert (sender.display_name, sender.addr_spec) == ("VidGo サポート", "support@vidgo.example")


def test_tls_try_sends_in_clear_when_the_server_has_no_starttls(server):
    assert_sent(send(server.url(), "--tls", "try"))
    assert not server.messages[0]["starttls"]


def test_smtp_host_and_port_come_from_the_environment(server):
    done = run_driver("verify", "es", TO, CODE,
                      env={"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(server.port),
                           "VIDGO_SMTP_TLS": "none"})
    assert_sent(done)
    assert server.messages[0]["rcpt_tos"] == [TO]
    assert f"via smtp://127.0.0.1:{server.port}" in done.stderr


# ---- authentication -----------------------------------------------------------------------

@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
def test_auth_with_user_and_password(mechanism):
    handler = Recorder()
    other = "LOGIN" if mechanism == "PLAIN" else "PLAIN"
    with Server(handler, authenticator=handler.authenticator, auth_required=True,
                auth_require_tls=False, auth_exclude_mechanism=[other]) as s:
        done = send(s.url(), "--tls", "none", "--user", USER, env={"SMTP_PASSWORD": PASSWORD})
        assert_sent(done)
        assert handler.logins == [(mechanism, USER.encode(), PASSWORD.encode())]
        assert s.messages[0]["authenticated"]


def test_the_user_may_come_from_the_environment():
    handler = Recorder()
    with Server(handler, authenticator=handler.authenticator, auth_required=True,
                auth_require_tls=False) as s:
        done = send(s.url(), "--tls", "none", env={"SMTP_USER": USER, "SMTP_PASSWORD": PASSWORD})
        assert_sent(done)
        assert handler.logins[0][1:] == (USER.encode(), PASSWORD.encode())


def test_a_wrong_password_fails_without_showing_it():
    handler = Recorder()
    with Server(handler, authenticator=handler.authenticator, auth_required=True,
                auth_require_tls=False) as s:
        done = send(s.url(), "--tls", "none", "--user", USER,
                    env={"SMTP_PASSWORD": PASSWORD + "-wrong"})
        assert_send_failed(done, s.url(), "refused the SMTP user name or password")
        assert PASSWORD not in done.stdout + done.stderr
        assert not s.messages


# ---- TLS -----------------------------------------------------------------------------------

def test_starttls_required_with_the_certificate_trusted(certificate):
    with Server(tls_context=server_tls_context(certificate), require_starttls=True) as s:
        done = send(s.url(), "--tls", "required", "--ca", str(certificate[0]))
        assert_sent(done)
        assert s.messages[0]["starttls"]
        assert s.messages[0]["rcpt_tos"] == [TO]


def test_starttls_with_auth_and_the_default_tls_mode(certificate):
    handler = Recorder()
    with Server(handler, tls_context=server_tls_context(certificate), require_starttls=True,
                authenticator=handler.authenticator, auth_required=True) as s:
        done = send(s.url(), "--ca", str(certificate[0]), "--user", USER,
                    env={"SMTP_PASSWORD": PASSWORD})
        assert_sent(done)
        assert s.messages[0]["starttls"] and s.messages[0]["authenticated"]


def test_an_untrusted_certificate_fails_clearly(certificate):
    system_ca = "/etc/ssl/certs/ca-certificates.crt"  # the system's, where it is known
    options = ["--ca", system_ca] if os.path.exists(system_ca) else []
    with Server(tls_context=server_tls_context(certificate), require_starttls=True) as s:
        done = send(s.url(), "--tls", "required", *options)
        assert_send_failed(done, s.url(), "certificate", "not trusted")
        assert not s.messages


@pytest.mark.parametrize("tls", ["required", "none"])
def test_smtps_is_tls_from_the_start(certificate, tls):
    with Server(ssl_context=server_tls_context(certificate)) as s:
        done = send(s.url("smtps"), "--tls", tls, "--ca", str(certificate[0]))
        assert_sent(done)
        assert s.messages[0]["rcpt_tos"] == [TO]
        assert f"via smtps://127.0.0.1:{s.port}" in done.stderr


def test_tls_required_against_a_server_without_starttls_fails_clearly(server):
    done = send(server.url(), "--tls", "required")
    assert_send_failed(done, server.url(), "STARTTLS")
    assert not server.messages


# ---- faults --------------------------------------------------------------------------------

def test_a_refused_connection_fails_clearly():
    url = f"smtp://127.0.0.1:{free_port()}"
    done = send(url, "--tls", "none", "--user", USER, env={"SMTP_PASSWORD": PASSWORD})
    assert_send_failed(done, url, "connect", "Connection refused")


@pytest.mark.parametrize("behaviour", ["close", "greet"])
def test_a_server_that_drops_the_connection_fails(behaviour):
    with RawServer(behaviour) as s:
        done = send(s.url(), "--tls", "try", "--user", USER, env={"SMTP_PASSWORD": PASSWORD},
                    kind="reset", secret=TOKEN)
        assert_send_failed(done, s.url())


def test_a_silent_server_times_out():
    with RawServer("silent") as s:
        started = time.monotonic()
        done = send(s.url(), "--tls", "none", "--timeout", "700")
        assert time.monotonic() - started < 20
        assert_send_failed(done, s.url(), "timed out")


def test_a_recipient_refused_with_550_fails():
    with Server(Recorder(rcpt_reply="550 5.1.1 No such user here")) as s:
        done = send(s.url(), "--tls", "none", "--user", USER, env={"SMTP_PASSWORD": PASSWORD})
        assert_send_failed(done, s.url(), "550", "No such user here")
        assert not s.messages


def test_a_bad_smtp_url_is_refused_before_sending():
    done = send("http://someone:" + PASSWORD + "@127.0.0.1:25", "--tls", "none")
    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith("VG_ECONFIG: config.smtp_url must start with smtp://")
    assert PASSWORD not in done.stdout + done.stderr


# ---- the mail directory --------------------------------------------------------------------

def test_a_mail_directory_gets_one_private_eml_file(tmp_path):
    done = run_driver("--mail-dir", str(tmp_path), "verify", "zh-TW", TO, CODE)
    assert_sent(done)
    files = list(tmp_path.iterdir())
    assert len(files) == 1
    path = files[0]
    assert path.name.endswith(".eml") and not path.name.startswith(".")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    data = path.read_bytes()
    assert b"\n" not in data.replace(b"\r\n", b"")
    msg = email.message_from_bytes(data, policy=email.policy.default)
    assert msg["Subject"] == SUBJECTS["verify"]["zh-TW"]
    assert msg["To"] == TO
    parts = {p.get_content_type(): p.get_content() for p in msg.iter_parts()}
    assert CODE in parts["text/plain"] and CODE in parts["text/html"]
    assert f"mail directory {tmp_path}" in done.stderr


def test_the_mail_directory_may_come_from_the_environment(tmp_path):
    done = run_driver("verify", "en", TO, CODE, env={"VIDGO_MAIL_DIR": str(tmp_path)})
    assert_sent(done)
    assert len([p for p in tmp_path.iterdir() if p.suffix == ".eml"]) == 1


def test_nothing_configured_fails_with_econfig():
    done = run_driver("verify", "en", TO, CODE)
    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith("VG_ECONFIG: no way to send e-mail is configured")
