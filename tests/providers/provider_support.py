# SPDX-License-Identifier: MIT
"""What the provider tests (test_<provider>.py) share: running the provider driver
($VIDGO_PROVIDER_DRIVER) with every output checked for the keys, reading its JSON lines, and
the cases that are the same for every paid job API (the circuit breaker, the faults of a
create and of a poll), each with the assertion the tests make on it.

A test file makes one Driver for its provider and runs every command through it:

    DRIVER = Driver("runway", KEY, key_var="RUNWAY_API_KEY",
                    base_var="VIDGO_RUNWAY_BASE_URL")
    j = one(DRIVER.run(fake, "submit", "runway", "text_to_video", "--prompt", "x"))
"""
import json
import os
import subprocess
import sys

import pytest

FAKES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fakes")
if FAKES not in sys.path:
    sys.path.insert(0, FAKES)

UNREACHABLE = "http://127.0.0.1:9"  # the discard port: nothing answers there
SHORT_TIMEOUT = {"VIDGO_TEST_PROVIDER_TIMEOUT_MS": "300"}
SLOW_FAULTS = ("timeout", "drip")  # the faults a client sees only when its time runs out
_SAME = object()


def fake_fixtures(make):
    """A test module's fixtures: `server`, one fake (make()) for all its tests, and `fake`,
    that server reset for each test. Use: server, fake = fake_fixtures(lambda: FakeX(KEY))."""
    @pytest.fixture(scope="module")
    def server():
        with make() as f:
            yield f

    @pytest.fixture
    def fake(server):
        server.reset()
        return server

    return server, fake


def driver_binary():
    binary = os.environ.get("VIDGO_PROVIDER_DRIVER")
    if not binary:
        pytest.fail("VIDGO_PROVIDER_DRIVER is not set (run through `meson test`)")
    return binary


def check_clean_exit(p):
    """The driver ended cleanly: a sanitizer's report (ASan, LeakSanitizer, UBSan) fails the
    test whatever was printed."""
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    assert "Sanitizer" not in p.stderr and "runtime error" not in p.stderr, p.stderr[-3000:]


class Driver:
    """Runs the driver at DEBUG level for one provider against a fake (None: an address
    nothing answers); its key and every secret show nowhere in any output, whatever
    happened.

    key_var, base_var: the variables of the key and of the base URL; strip: other variables
    (or prefixes, ending in "_") taken out of the environment; timeout_ms: the client's
    timeout ($VIDGO_TEST_PROVIDER_TIMEOUT_MS, None: the client's own); secrets: more strings
    that must never show."""

    def __init__(self, provider, key, key_var, base_var, strip=(), timeout_ms=None,
                 secrets=()):
        self.provider = provider
        self.key = key
        self.key_var = key_var
        self.base_var = base_var
        self.strip = (key_var, base_var, "VIDGO_TEST_PROVIDER_", "VIDGO_PROVIDER_MODE") + \
            tuple(strip)
        self.timeout_ms = timeout_ms
        self.secrets = (key,) + tuple(secrets)

    def _stripped(self, name):
        return any(name.startswith(s) if s.endswith("_") else name == s for s in self.strip)

    def run(self, fake, *args, key=_SAME, env=None, secrets=(), timeout=60):
        key = self.key if key is _SAME else key
        e = {k: v for k, v in os.environ.items() if not self._stripped(k)}
        e[self.base_var] = fake.base_url if fake else UNREACHABLE
        if self.timeout_ms is not None:
            e["VIDGO_TEST_PROVIDER_TIMEOUT_MS"] = str(self.timeout_ms)
        if key is not None:
            e[self.key_var] = key
        e.update(env or {})
        p = subprocess.run([driver_binary(), "--debug", *args], env=e, capture_output=True,
                           text=True, timeout=timeout)
        for s in self.secrets + ((key,) if key else ()) + tuple(secrets):
            assert s not in p.stdout and s not in p.stderr, (s, p.stdout, p.stderr)
        check_clean_exit(p)
        return p


def outputs(p):
    """The driver's answers: one JSON object a line of stdout."""
    assert p.stdout, p.stderr
    return [json.loads(line) for line in p.stdout.splitlines()]


def one(p):
    """The driver's only answer."""
    out = outputs(p)
    assert len(out) == 1, p.stdout
    return out[0]


def sleeps(p):
    """The milliseconds the client slept between attempts (the driver logs each)."""
    return [int(line.split()[1]) for line in p.stderr.splitlines() if line.startswith("sleep ")]


def assert_retried_after_retry_after(p):
    """Three retries after a 429, each waiting at least the Retry-After: 1 the fakes send."""
    s = sleeps(p)
    assert len(s) == 3 and all(ms >= 1000 for ms in s), p.stderr


# ---- the circuit breaker --------------------------------------------------------------------
# Every provider's calls go through one breaker (lib/providers/http.c): five failed calls (of
# four attempts each) open it for 30 s; then it lets one probe through, and a success closes
# it. A case: the driver's --repeat and --clock-step-ms (how far the clock moves between
# calls), the failing poll requests (None: every one), the statuses, the poll requests seen.

FAILED, OPEN, OK = "VG_EPROVIDER_UNAVAILABLE", "VG_ECIRCUIT_OPEN", "VG_OK"
BREAKER = [
    pytest.param(7, 0, None, [FAILED] * 5 + [OPEN] * 2, 5 * 4,
                 id="opens_after_five_failed_calls_and_sends_nothing"),
    pytest.param(7, 31000, 5 * 4, [FAILED] * 5 + [OK] * 2, 5 * 4 + 2,
                 id="lets_a_probe_through_after_a_31_s_cooldown_and_closes"),
    pytest.param(9, 10000, 5 * 4, [FAILED] * 5 + [OPEN] * 2 + [OK] * 2, 5 * 4 + 2,
                 id="stays_open_during_the_cooldown_then_a_probe_closes_it"),
]


def breaker_args(repeat, step):
    return ("--repeat", str(repeat)) + (("--clock-step-ms", str(step)) if step else ())


def assert_breaker(p, statuses, polls_seen, expected_polls, running):
    """The statuses of the repeated polls, the requests that reached the provider, and, once
    a probe succeeded, the breaker's closing logged and the job read in its `running` state."""
    out = outputs(p)
    assert [o["status"] for o in out] == statuses
    assert polls_seen == expected_polls
    if statuses[-1] == OK:
        assert "circuit breaker closed" in p.stderr
        assert out[-1]["state"] == running, out[-1]


# ---- faults of the APIs whose fakes share fake_jobs' kinds (Runway, GoEnhance, Pollo) ---------
# The paid-job rule: a create is resent only when the server cannot have acted on it (429,
# 503), never once it may have (500, or an answer lost or spoilt after the job was made).
# A case: the fault, for how many requests (None: all), the status, the create requests seen,
# the jobs the fake made.

CREATE_FAULTS = [
    ("unauthorized", None, "VG_EPROVIDER_AUTH", 1, 0),
    ("rate_limited", None, "VG_EPROVIDER_RATE", 4, 0),
    ("rate_limited", 1, "VG_OK", 2, 1),
    ("unavailable", 2, "VG_OK", 3, 1),
    ("unavailable", None, "VG_EPROVIDER_UNAVAILABLE", 4, 0),
    ("server_error", 1, "VG_EOUTCOME_UNKNOWN", 1, 0),
    ("lost", None, "VG_EOUTCOME_UNKNOWN", 1, 1),
    ("timeout", None, "VG_EOUTCOME_UNKNOWN", 1, 1),
    ("drip", None, "VG_EOUTCOME_UNKNOWN", 1, 1),
    ("truncated", None, "VG_EOUTCOME_UNKNOWN", 1, 1),
    ("malformed", None, "VG_EOUTCOME_UNKNOWN", 1, 1),
    ("oversized", None, "VG_EOUTCOME_UNKNOWN", 1, 1),
]


# A case: the fault, for how many requests, the status, the poll requests seen (a poll is
# retried up to three times after a 429, a 5xx, a timeout, a lost or a cut answer).
POLL_FAULTS = [
    ("unauthorized", None, "VG_EPROVIDER_AUTH", 1),
    ("rate_limited", None, "VG_EPROVIDER_RATE", 4),
    ("unavailable", None, "VG_EPROVIDER_UNAVAILABLE", 4),
    ("server_error", None, "VG_EPROVIDER_UNAVAILABLE", 4),
    ("rate_limited", 1, "VG_OK", 2),
    ("unavailable", 1, "VG_OK", 2),
    ("server_error", 1, "VG_OK", 2),
    ("timeout", 1, "VG_OK", 2),
    ("truncated", 1, "VG_OK", 2),
    ("timeout", None, "VG_EPROVIDER_TIMEOUT", 4),
    ("drip", None, "VG_EPROVIDER_TIMEOUT", 4),
    ("truncated", None, "VG_EPROVIDER_RESPONSE", 4),
    ("malformed", None, "VG_EPROVIDER_RESPONSE", 1),
    ("oversized", None, "VG_EPROVIDER_RESPONSE", 1),
]


def fault_env(kind):
    """The driver's environment under a fault: a short timeout for the slow ones."""
    return SHORT_TIMEOUT if kind in SLOW_FAULTS else {}


NOT_RESENT = ("not resubmitted", "not resent")


def assert_create_fault(p, creates_seen, jobs, kind, times, status, creates, made,
                        not_resent=NOT_RESENT):
    """A create under a fault of CREATE_FAULTS: its status, the creates that reached the
    server, the jobs it holds (never two; the answered one when it succeeded), the waits a
    429 asks for, and an outcome unknown said not to be resent (in one of the words of
    `not_resent`, None: the client does not say)."""
    answer = one(p)
    assert answer["status"] == status, answer
    assert creates_seen == creates
    assert len(jobs) == made
    if status == "VG_OK":
        assert list(jobs) == [answer["job_id"]]
    if status == "VG_EOUTCOME_UNKNOWN" and not_resent:
        assert any(w in answer["message"] for w in not_resent), answer
    if kind == "rate_limited" and times is None:
        assert_retried_after_retry_after(p)


def assert_poll_fault(p, polls_seen, status, polls, running="running"):
    """A poll under a fault of POLL_FAULTS (of a running job): its status, the polls that
    reached the server with a wait before each retry, and, once the fault passed, the job's
    state. Returns the answer."""
    answer = one(p)
    assert answer["status"] == status, answer
    assert polls_seen == polls
    assert len(sleeps(p)) == polls - 1, p.stderr
    if status == "VG_OK":
        assert answer["state"] == running, answer
    return answer
