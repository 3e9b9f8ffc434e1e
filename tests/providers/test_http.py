# SPDX-License-Identifier: MIT
"""The HTTP layer of the provider clients (lib/providers/http.c) against a scripted loopback
server (tests/fakes/fake_http.py), through the http_driver ($VIDGO_HTTP_DRIVER): statuses,
retries and Retry-After, the paid-job rule, the size cap, the circuit breaker, and the key
that never shows."""
import email.utils
import json
import os
import subprocess
import sys
import time

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "fakes"))
from fake_http import FakeHTTP, Reply, free_port  # noqa: E402

SECRET = "k3y-Zq81-DO-NOT-LEAK-7d0a"
SECRET_LINE = "x-goog-api-key: " + SECRET
PATH = "/v1/thing"


def run(url, *options, timeout=60):
    binary = os.environ.get("VIDGO_HTTP_DRIVER")
    if not binary:
        pytest.fail("VIDGO_HTTP_DRIVER is not set (run through `meson test`)")
    env = dict(os.environ, TEST_SECRET=SECRET_LINE)
    done = subprocess.run([binary, "--secret-env", "TEST_SECRET", "--base-delay", "10",
                           "--max-delay", "2000", *options, url],
                          env=env, capture_output=True, text=True, timeout=timeout)
    output = done.stdout + done.stderr
    assert done.returncode in (0, 1), output  # not a crash or a sanitizer's report
    assert SECRET not in output, output
    calls = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert calls, output
    return calls


@pytest.fixture
def server():
    with FakeHTTP() as fake:
        yield fake


# ---- statuses ------------------------------------------------------------------------------

def test_success_returns_body_and_sends_the_request_as_given(server):
    server.script(PATH, Reply(200, body=b'{"ok": true}'))
    [call] = run(server.url(PATH), "--method", "POST", "--body", '{"a": 1}',
                 "--header", "X-Extra: yes")
    assert call["status"] == "VG_OK" and call["http"] == 200 and call["attempts"] == 1
    assert call["body"] == '{"ok": true}'
    [req] = server.requests
    assert req.method == "POST" and req.path == PATH and req.body == b'{"a": 1}'
    assert req.headers["x-goog-api-key"] == SECRET
    assert req.headers["content-type"] == "application/json"
    assert req.headers["x-extra"] == "yes"


def test_get_sends_no_body(server):
    server.script(PATH, Reply(200, body=b"[]"))
    [call] = run(server.url(PATH))
    assert call["status"] == "VG_OK"
    assert server.requests[0].method == "GET" and server.requests[0].body == b""


def test_401_is_auth_and_not_retried(server):
    server.script(PATH, Reply(401, body=b'{"error": "bad key"}'))
    [call] = run(server.url(PATH))
    assert call["status"] == "VG_EPROVIDER_AUTH" and call["attempts"] == 1
    assert call["body"] == '{"error": "bad key"}'
    assert "fake" in call["error"] and "401" in call["error"]
    assert server.count() == 1


@pytest.mark.parametrize("status", [400, 404])
def test_other_4xx_is_rejected_and_not_retried(server, status):
    server.script(PATH, Reply(status))
    [call] = run(server.url(PATH), "--method", "POST", "--body", "{}")
    assert call["status"] == "VG_EPROVIDER_REJECTED" and call["http"] == status
    assert server.count() == 1


# ---- retries -------------------------------------------------------------------------------

def test_429_with_retry_after_seconds_waits_then_succeeds(server):
    server.script(PATH, Reply(429, headers={"Retry-After": "1"}), Reply(200, body=b"ok"))
    [call] = run(server.url(PATH), "--base-delay", "10")
    assert call["status"] == "VG_OK" and call["attempts"] == 2
    assert len(call["waits_ms"]) == 1 and call["waits_ms"][0] >= 1000
    assert server.count() == 2


def test_retry_after_as_http_date_is_honoured(server):
    when = email.utils.formatdate(time.time() + 4, usegmt=True)
    server.script(PATH, Reply(503, headers={"Retry-After": when}), Reply(200))
    [call] = run(server.url(PATH), "--max-delay", "10000")
    assert call["status"] == "VG_OK" and call["attempts"] == 2
    assert 2000 <= call["waits_ms"][0] <= 5000


def test_retry_after_beyond_max_delay_stops_retrying(server):
    server.script(PATH, Reply(429, headers={"Retry-After": "60"}), Reply(200))
    [call] = run(server.url(PATH), "--max-delay", "2000")
    assert call["status"] == "VG_EPROVIDER_RATE" and call["attempts"] == 1
    assert call["waits_ms"] == []
    assert server.count() == 1


def test_500_then_200_succeeds(server):
    server.script(PATH, Reply(500), Reply(200, body=b"fine"))
    [call] = run(server.url(PATH))
    assert call["status"] == "VG_OK" and call["attempts"] == 2 and call["body"] == "fine"


def test_500_forever_is_unavailable_after_max_attempts_with_capped_jitter(server):
    server.script(PATH, Reply(500))
    [call] = run(server.url(PATH), "--attempts", "4", "--base-delay", "100",
                 "--max-delay", "250")
    assert call["status"] == "VG_EPROVIDER_UNAVAILABLE" and call["attempts"] == 4
    assert server.count() == 4
    waits = call["waits_ms"]
    assert len(waits) == 3
    assert 0 <= waits[0] <= 100 and 0 <= waits[1] <= 200 and 0 <= waits[2] <= 250


def test_unpaid_timeout_is_retried_then_timeout(server):
    server.script(PATH, Reply(200, delay=2))
    [call] = run(server.url(PATH), "--timeout", "300", "--attempts", "2")
    assert call["status"] == "VG_EPROVIDER_TIMEOUT" and call["attempts"] == 2
    assert server.count() == 2


def test_slow_drip_beyond_total_timeout_times_out(server):
    server.script(PATH, Reply(200, body=b"x" * 50, drip=0.05))
    [call] = run(server.url(PATH), "--timeout", "500", "--attempts", "1")
    assert call["status"] == "VG_EPROVIDER_TIMEOUT"


def test_slow_drip_within_timeout_arrives_whole(server):
    server.script(PATH, Reply(200, body=b"abcdef", drip=0.02))
    [call] = run(server.url(PATH), "--timeout", "5000")
    assert call["status"] == "VG_OK" and call["body"] == "abcdef"


# ---- paid jobs -----------------------------------------------------------------------------

def test_paid_500_is_outcome_unknown_after_exactly_one_request(server):
    server.script(PATH, Reply(500), Reply(200))
    [call] = run(server.url(PATH), "--method", "POST", "--body", "{}", "--paid")
    assert call["status"] == "VG_EOUTCOME_UNKNOWN" and call["attempts"] == 1
    assert server.count() == 1


def test_paid_timeout_is_outcome_unknown_after_exactly_one_request(server):
    server.script(PATH, Reply(200, delay=2))
    [call] = run(server.url(PATH), "--method", "POST", "--body", "{}", "--paid",
                 "--timeout", "400")
    assert call["status"] == "VG_EOUTCOME_UNKNOWN" and call["attempts"] == 1
    assert "not resent" in call["error"]
    time.sleep(0.2)
    assert server.count() == 1


def test_paid_503_is_retried(server):
    server.script(PATH, Reply(503), Reply(200, body=b'{"id": "job-1"}'))
    [call] = run(server.url(PATH), "--method", "POST", "--body", "{}", "--paid")
    assert call["status"] == "VG_OK" and call["attempts"] == 2
    assert server.count() == 2


def test_paid_429_is_retried(server):
    server.script(PATH, Reply(429), Reply(200))
    [call] = run(server.url(PATH), "--method", "POST", "--body", "{}", "--paid")
    assert call["status"] == "VG_OK" and call["attempts"] == 2


def test_paid_to_a_closed_port_is_retried_then_network():
    url = "http://127.0.0.1:%d%s" % (free_port(), PATH)
    [call] = run(url, "--method", "POST", "--body", "{}", "--paid", "--attempts", "3")
    assert call["status"] == "VG_ENETWORK" and call["attempts"] == 3 and call["http"] == 0
    assert len(call["waits_ms"]) == 2


def test_dropped_connection_is_outcome_unknown_for_a_paid_request(server):
    server.script(PATH, Reply(close=True), Reply(200))
    [call] = run(server.url(PATH), "--method", "POST", "--body", "{}", "--paid")
    assert call["status"] == "VG_EOUTCOME_UNKNOWN" and call["attempts"] == 1
    assert server.count() == 1


def test_dropped_connection_is_retried_for_an_unpaid_request(server):
    server.script(PATH, Reply(close=True), Reply(close=True), Reply(200, body=b"ok"))
    [call] = run(server.url(PATH), "--attempts", "4")
    assert call["status"] == "VG_OK" and call["attempts"] == 3
    assert server.count() == 3


def test_dropped_connection_forever_ends_in_network(server):
    server.script(PATH, Reply(close=True))
    [call] = run(server.url(PATH), "--attempts", "2")
    assert call["status"] == "VG_ENETWORK" and call["attempts"] == 2


# ---- bodies --------------------------------------------------------------------------------

def test_oversized_body_is_a_response_error(server):
    server.script(PATH, Reply(200, oversize=5000))
    [call] = run(server.url(PATH), "--max-body", "1000")
    assert call["status"] == "VG_EPROVIDER_RESPONSE" and call["attempts"] == 1
    assert call["body"] is None
    assert "larger than the limit" in call["error"]


def test_body_at_the_limit_is_accepted(server):
    server.script(PATH, Reply(200, oversize=1000))
    [call] = run(server.url(PATH), "--max-body", "1000")
    assert call["status"] == "VG_OK" and len(call["body"]) == 1000


def test_truncated_body_is_a_clear_response_error(server):
    server.script(PATH, Reply(200, body=b'{"id": "j', truncate=20))
    [call] = run(server.url(PATH), "--attempts", "2")
    assert call["status"] == "VG_EPROVIDER_RESPONSE" and call["attempts"] == 2
    assert "cut short" in call["error"]


def test_malformed_chunked_body_is_a_clear_response_error(server):
    server.script(PATH, Reply(200, bad_chunks=True))
    [call] = run(server.url(PATH), "--attempts", "1")
    assert call["status"] == "VG_EPROVIDER_RESPONSE"
    assert "malformed" in call["error"]


def test_truncated_body_of_a_paid_request_is_outcome_unknown(server):
    server.script(PATH, Reply(200, body=b'{"id": "j', truncate=20))
    [call] = run(server.url(PATH), "--method", "POST", "--body", "{}", "--paid")
    assert call["status"] == "VG_EOUTCOME_UNKNOWN" and server.count() == 1


# ---- the circuit breaker -------------------------------------------------------------------

def statuses(calls):
    return [c["status"] for c in calls]


def test_breaker_opens_after_failures_and_sends_nothing_while_open(server):
    server.script(PATH, Reply(500))
    calls = run(server.url(PATH), "--attempts", "1", "--breaker-failures", "3",
                "--breaker-cooldown", "10000", "--fake-clock", "0", "--calls", "5")
    assert statuses(calls) == ["VG_EPROVIDER_UNAVAILABLE"] * 3 + ["VG_ECIRCUIT_OPEN"] * 2
    assert calls[3]["attempts"] == 0 and calls[3]["http"] == 0
    assert server.count() == 3


def test_breaker_probe_after_cooldown_closes_it_on_success(server):
    # the fake clock moves 4 s after each call; the breaker opens at t=4 until t=14
    server.script(PATH, Reply(500), Reply(500), Reply(200))
    calls = run(server.url(PATH), "--attempts", "1", "--breaker-failures", "2",
                "--breaker-cooldown", "10000", "--fake-clock", "4000", "--calls", "6")
    assert statuses(calls) == ["VG_EPROVIDER_UNAVAILABLE"] * 2 + ["VG_ECIRCUIT_OPEN"] * 2 + \
        ["VG_OK"] * 2
    assert server.count() == 4


def test_breaker_failed_probe_reopens_it_for_another_cooldown(server):
    server.script(PATH, Reply(500), Reply(500), Reply(500), Reply(200))
    calls = run(server.url(PATH), "--attempts", "1", "--breaker-failures", "2",
                "--breaker-cooldown", "10000", "--fake-clock", "4000", "--calls", "8")
    assert statuses(calls) == ["VG_EPROVIDER_UNAVAILABLE"] * 2 + ["VG_ECIRCUIT_OPEN"] * 2 + \
        ["VG_EPROVIDER_UNAVAILABLE"] + ["VG_ECIRCUIT_OPEN"] * 2 + ["VG_OK"]
    assert server.count() == 4


def test_breaker_ignores_4xx(server):
    server.script(PATH, Reply(404))
    calls = run(server.url(PATH), "--breaker-failures", "2", "--fake-clock", "0",
                "--calls", "4")
    assert statuses(calls) == ["VG_EPROVIDER_REJECTED"] * 4
    assert server.count() == 4


def test_breaker_success_resets_the_count(server):
    server.script(PATH, Reply(500), Reply(200), Reply(500), Reply(200))
    calls = run(server.url(PATH), "--attempts", "1", "--breaker-failures", "2",
                "--fake-clock", "0", "--calls", "4")
    assert "VG_ECIRCUIT_OPEN" not in statuses(calls)


# ---- Retry-After parsing -------------------------------------------------------------------

@pytest.mark.parametrize("value, low, high", [
    ("120", 120, 120), (" 7 ", 7, 7), ("0", 0, 0), ("soon", -1, -1), ("-3", -1, -1),
    ("1.5", -1, -1), ("", -1, -1),
    ("Wed, 21 Oct 2015 07:28:00 GMT", 0, 0),  # in the past: no wait
])
def test_retry_after_parsing(value, low, high):
    binary = os.environ["VIDGO_HTTP_DRIVER"]
    done = subprocess.run([binary, "--retry-after", value, "http://unused/"],
                          capture_output=True, text=True, timeout=30)
    assert low <= float(done.stdout) <= high, done.stdout


def test_retry_after_date_in_the_future():
    binary = os.environ["VIDGO_HTTP_DRIVER"]
    when = email.utils.formatdate(time.time() + 100, usegmt=True)
    done = subprocess.run([binary, "--retry-after", when, "http://unused/"],
                          capture_output=True, text=True, timeout=30)
    assert 98 <= float(done.stdout) <= 101


# ---- the key never shows -------------------------------------------------------------------

@pytest.mark.parametrize("reply", [
    Reply(200, body=b"ok"), Reply(401), Reply(500), Reply(429, headers={"Retry-After": "0"}),
    Reply(close=True), Reply(200, oversize=3000), Reply(200, bad_chunks=True),
    Reply(200, delay=1),
], ids=["ok", "401", "500", "429", "dropped", "oversized", "bad-chunks", "timeout"])
def test_secret_is_sent_but_never_shown_at_debug_level(server, reply):
    server.script(PATH, reply)
    binary = os.environ["VIDGO_HTTP_DRIVER"]
    env = dict(os.environ, TEST_SECRET=SECRET_LINE)
    done = subprocess.run([binary, "--secret-env", "TEST_SECRET", "--base-delay", "1",
                           "--attempts", "2", "--max-body", "2000", "--timeout", "300",
                           "--method", "POST", "--body", "{}", "--paid",
                           server.url(PATH + "?key=" + SECRET)],
                          env=env, capture_output=True, text=True, timeout=60)
    output = done.stdout + done.stderr
    assert done.returncode in (0, 1), output
    assert server.requests and server.requests[0].headers["x-goog-api-key"] == SECRET
    assert "log 0: http fake: POST " + server.url(PATH) + " -> " in done.stderr
    assert SECRET not in output
    assert "key=" not in output
