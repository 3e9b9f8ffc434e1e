# SPDX-License-Identifier: MIT
"""What the pipeline's tests against the loopback provider fakes share: the four fakes
(tests/fakes/, $VIDGO_FAKES_DIR), a fresh PostgreSQL database when asked, a runner for the
real `vidgo` program ($VIDGO_BIN) that checks every output for the API keys, and the check
of what each job cost in the user's ledger."""
import json
import os
import re
import subprocess
import sys
import time
import uuid

import pytest

FAKES = os.environ.get("VIDGO_FAKES_DIR") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "fakes")
sys.path.insert(0, FAKES)
from fake_gemini import FakeGemini  # noqa: E402
from fake_goenhance import HD_PATH, VE_PATH, FakeGoEnhance  # noqa: E402
from fake_http import Reply  # noqa: E402
from fake_leonardo import CREATES, FakeLeonardo  # noqa: E402
from fake_runway import FakeRunway  # noqa: E402

# None of these may ever show in an output, a log line or the store.
LEONARDO_KEY = "leo-SECRET-4f1d2c3b-key-0123456789"
GEMINI_KEY = "fake-gemini-test-key-not-real-9876543210"
RUNWAY_KEY = "key_SECRET_runway_0a1b2c3d4e5f6a7b"
GOENHANCE_KEY = "goe-SECRET-enhance-key-5566778899"
KEYS = (LEONARDO_KEY, GEMINI_KEY, RUNWAY_KEY, GOENHANCE_KEY)
SECRET = "5e" * 32

FAST_RUNWAY = ["RUNNING:0.5", "SUCCEEDED"]
FAST_GOENHANCE = ["processing", "success"]
FINAL = ("succeeded", "failed", "cancelled")


class Leonardo(FakeLeonardo):
    """The Leonardo fake with what these tests add around it (without changing it):
    - `before_create`: replies given to the next create requests instead of the fake's own
      (e.g. a 429 or two before it accepts);
    - `fail_words`: a job whose prompt holds one of them ends FAILED (others succeed);
    - `create_delay`, `poll_delay`: seconds each create's (poll's) answer is held back (a
      created job exists meanwhile);
    - `after_create`: called (with the prompt) once a create made its job, before it answers;
    - `creates`: (time.monotonic(), prompt) of every create that reached the fake itself;
    - `inflight`: creates being answered now."""

    def reset(self, polls_to_complete=2):
        super().reset(polls_to_complete)
        self.before_create = []
        self.fail_words = ()
        self.create_delay = 0.0
        self.poll_delay = 0.0
        self.after_create = None
        self.creates = []
        self.inflight = 0

    def _new_job(self, kind, prompt, **extra):
        job = super()._new_job(kind, prompt, **extra)
        if any(w in prompt for w in self.fail_words):
            job["mode"] = "failed"
        return job

    def _handle(self, r):
        name, _ = self._route(r)
        if name not in CREATES:
            reply = super()._handle(r)
            if name == "poll" and self.poll_delay:
                time.sleep(self.poll_delay)
            return reply
        with self.lock:
            early = self.before_create.pop(0) if self.before_create else None
        if early is not None:
            return early
        try:
            prompt = json.loads(r.body).get("prompt", "")
        except ValueError:
            prompt = ""
        with self.lock:
            self.creates.append((time.monotonic(), prompt))
            self.inflight += 1
        try:
            reply = super()._handle(r)
            if self.after_create:
                self.after_create(prompt)
            if self.create_delay and reply.status < 400:
                time.sleep(self.create_delay)
            return reply
        finally:
            with self.lock:
                self.inflight -= 1

    def created_prompts(self):
        with self.lock:
            return [p for _, p in self.creates]


class Gemini(FakeGemini):
    """The Gemini fake; `enhance_mode` (e.g. "empty") applies to enhancement calls only."""

    enhance_mode = None

    def _generate(self, h, body, mode):
        moderation = body.get("generationConfig", {}).get("responseMimeType") == \
            "application/json"
        if not moderation and self.enhance_mode:
            mode = self.enhance_mode
        return super()._generate(h, body, mode)


class Fakes:
    def __init__(self):
        self.leonardo = Leonardo(LEONARDO_KEY).start()
        self.gemini = Gemini(GEMINI_KEY).start()
        self.runway = FakeRunway(RUNWAY_KEY).start()
        self.goenhance = FakeGoEnhance(GOENHANCE_KEY).start()

    def reset(self):
        self.leonardo.reset()
        g = self.gemini
        with g.lock:
            g.mode = "ok"
            g.enhance_mode = None
            del g.requests[:]
            del g.violations[:]
        self.runway.reset()
        self.runway.script = list(FAST_RUNWAY)
        self.goenhance.reset()
        self.goenhance.script = list(FAST_GOENHANCE)

    def stop(self):
        for fake in (self.leonardo, self.gemini, self.runway, self.goenhance):
            fake.stop()

    def env(self):
        return {"LEONARDO_API_KEY": LEONARDO_KEY,
                "VIDGO_LEONARDO_BASE_URL": self.leonardo.base_url,
                "GEMINI_API_KEY": GEMINI_KEY, "VIDGO_GEMINI_BASE_URL": self.gemini.base_url,
                "RUNWAY_API_KEY": RUNWAY_KEY, "VIDGO_RUNWAY_BASE_URL": self.runway.base_url,
                "GOENHANCE_API_KEY": GOENHANCE_KEY,
                "VIDGO_GOENHANCE_BASE_URL": self.goenhance.base_url,
                # GoEnhance's enhance endpoints are not public: the fake's stand-ins
                "VIDGO_GOENHANCE_HD_ENHANCE_PATH": HD_PATH,
                "VIDGO_GOENHANCE_VIDEO_ENHANCE_PATH": VE_PATH,
                "VIDGO_PROVIDER_MODE": "remote"}

    def violations(self):
        """What a real provider would have refused, from every fake."""
        return (list(self.leonardo.violations) + list(self.gemini.violations) +
                list(self.runway.violations) + list(self.goenhance.violations))

    def moderation_calls(self):
        """Gemini generateContent calls that asked for a JSON verdict (moderation)."""
        return [r for r in self.gemini.requests
                if r["path"].endswith(":generateContent") and r["json"] and
                r["json"].get("generationConfig", {}).get("responseMimeType") ==
                "application/json"]

    def enhance_calls(self):
        return [r for r in self.gemini.requests
                if r["path"].endswith(":generateContent") and r["json"] and
                r["json"].get("generationConfig", {}).get("responseMimeType") !=
                "application/json"]


# ---- stores -------------------------------------------------------------------------------

def vidgo_binary():
    binary = os.environ.get("VIDGO_BIN")
    if not binary:
        pytest.fail("VIDGO_BIN is not set (run through `meson test`)")
    return binary


def pg_admin_url():
    """$VIDGO_TEST_PG_URL, or a skip (a failure when $VIDGO_REQUIRE_PG is 1)."""
    url = os.environ.get("VIDGO_TEST_PG_URL")
    if not url:
        if os.environ.get("VIDGO_REQUIRE_PG") == "1":
            pytest.fail("VIDGO_REQUIRE_PG=1 but VIDGO_TEST_PG_URL is not set")
        pytest.skip("VIDGO_TEST_PG_URL is not set (the postgresql:// URL of a server where "
                    "the tests may create databases)")
    return url


def psql(url, sql):
    p = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", url, "-c", sql],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr


def with_database(url, db):
    """The URL with its database replaced (query string kept)."""
    m = re.match(r"^(postgres(?:ql)?://[^/?]*)(/[^?]*)?(\?.*)?$", url)
    assert m, "cannot read the database of %r" % url
    return m.group(1) + "/" + db + (m.group(3) or "")


class PgDatabase:
    """A fresh database on the server of $VIDGO_TEST_PG_URL, dropped at the end."""

    def __init__(self):
        self.admin = pg_admin_url()
        self.name = "vgpipe_%d_%s" % (os.getpid(), uuid.uuid4().hex[:10])
        psql(self.admin, "CREATE DATABASE %s TEMPLATE template0 ENCODING 'UTF8'" % self.name)
        self.url = with_database(self.admin, self.name)

    def drop(self):
        psql(self.admin, "DROP DATABASE IF EXISTS %s WITH (FORCE)" % self.name)


# ---- the program ---------------------------------------------------------------------------

class Vidgo:
    """Runs `vidgo` on one store with the fakes' settings; every output is checked for keys."""

    def __init__(self, db, cwd, extra_env=None):
        self.binary = vidgo_binary()
        self.db = db
        self.cwd = str(cwd)
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("VIDGO_", "LEONARDO_", "GEMINI_", "RUNWAY_", "GOENHANCE_",
                                    "POLLO_")) and k not in ("DATABASE_URL",)}
        env.update({"VIDGO_SECRET": SECRET, "VIDGO_DB": db,
                    "VIDGO_ASSETS_DIR": os.path.join(self.cwd, "assets")})
        env.update(extra_env or {})
        self.env = env
        self.outputs = []  # (args, stdout, stderr) of every run
        self.spawned = []

    def check_no_key(self, args, out, err):
        for key in KEYS:
            for text in (out, err):
                assert key not in text, ("a key shows in the output", args, text[-2000:])
                assert key[4:-4] not in text, ("part of a key shows", args, text[-2000:])

    def run(self, *args, timeout=120):
        p = subprocess.run([self.binary, *args], cwd=self.cwd, env=self.env,
                           capture_output=True, text=True, timeout=timeout)
        self.outputs.append((args, p.stdout, p.stderr))
        self.check_no_key(args, p.stdout, p.stderr)
        assert "Sanitizer" not in p.stderr and "runtime error" not in p.stderr, p.stderr
        return p

    def json(self, *args, expect=0, timeout=120):
        p = self.run("--json", *args, timeout=timeout)
        assert p.returncode == expect, (args, p.returncode, p.stdout[-3000:], p.stderr[-3000:])
        return json.loads(p.stdout)

    def spawn(self, *args):
        """A process left running (a worker); stdout and stderr go to files in cwd."""
        tag = uuid.uuid4().hex[:8]
        out = open(os.path.join(self.cwd, "proc-%s.out" % tag), "w+")
        err = open(os.path.join(self.cwd, "proc-%s.err" % tag), "w+")
        p = subprocess.Popen([self.binary, *args], cwd=self.cwd, env=self.env, stdout=out,
                             stderr=err)
        p.log_files = (out, err)
        p.args_given = args
        self.spawned.append(p)
        return p

    def reap(self):
        """Kills what spawn() started and is still running (a test that failed midway)."""
        for p in self.spawned:
            if p.poll() is None:
                p.kill()
                p.wait(timeout=30)

    def collect(self, p):
        """Reads a finished spawned process's outputs (and checks them for keys)."""
        out, err = p.log_files
        texts = []
        for f in (out, err):
            f.flush()
            f.seek(0)
            texts.append(f.read())
            f.close()
        self.outputs.append((p.args_given, texts[0], texts[1]))
        self.check_no_key(p.args_given, texts[0], texts[1])
        return texts

    # ---- the commands the tests use ----

    def init(self):
        return self.json("init")

    def add_user(self, email, plan):
        return self.json("user", "add", email, "--plan", plan)

    def generate(self, email, prompt=None, service="video_720p", key=None, expect=None,
                 extra=()):
        """Submits; returns the job's JSON (or the refusal's when it has no id)."""
        args = ["generate", "--user", email, "--service", service,
                "--key", key or "k-" + uuid.uuid4().hex]
        if prompt is not None:
            args += ["--prompt", prompt]
        p = self.run("--json", *args, *extra)
        doc = json.loads(p.stdout)
        if expect is not None:
            assert p.returncode == expect, (p.returncode, p.stdout, p.stderr)
        else:
            assert p.returncode in (0, 1), (p.returncode, p.stdout, p.stderr)
        doc["_key"] = args[args.index("--key") + 1]
        return doc

    def work(self, *extra, timeout=120):
        """Runs one worker until no job is left unfinished."""
        p = self.run("worker", "--until-idle", "--max-poll-ms", "150", "--idle-ms", "20",
                     *extra, timeout=timeout)
        assert p.returncode == 0, (p.stdout, p.stderr)
        return p

    def job(self, job_id):
        return self.json("job", "show", str(job_id))

    def jobs(self, email=None, active=False):
        args = ["job", "list", "--limit", "1000"]
        if email:
            args += ["--user", email]
        if active:
            args.append("--active")
        return self.json(*args)

    def balance(self, email):
        return self.json("credits", "balance", email)

    def history(self, email):
        return self.json("credits", "history", email, "--limit", "1000")

    def check(self):
        doc = self.json("check")
        assert doc["ok"] is True and doc["problem_count"] == 0, doc
        return doc


def debits_of(history, key):
    """The ledger rows that settled the hold of the job submitted with idempotency key."""
    ref = "generate:" + key[:100]
    return [r for r in history if r.get("reference") == ref and r["type"] != "open"]


def assert_settled_fairly(v, email, submitted, start_total):
    """The ledger invariants (`vidgo check`) and "charged exactly once for a delivered
    result, never for a failed one": each succeeded job has one debit of its price (0 and
    one free use for a demo user's), every other job none, and the balance fell by exactly
    their sum with nothing left held. `submitted`: what Vidgo.generate returned."""
    v.check()
    history = v.history(email)
    spent = 0
    for sub in submitted:
        job = v.job(sub["id"])
        assert job["state"] in FINAL, job
        rows = debits_of(history, sub["_key"])
        if job["state"] == "succeeded":
            assert job["charged"] is True, job
            assert [r["type"] for r in rows] == ["debit"], (job, rows)
            assert -rows[0]["amount"] == (0 if job["free_use"] else job["price"]), rows
            assert rows[0]["free_uses"] == (-1 if job["free_use"] else 0), rows
            spent += -rows[0]["amount"]
        else:
            assert job["charged"] is False, job
            assert rows == [], (job, rows)
    balance = v.balance(email)
    assert balance["held"] == 0 and balance["free_uses_held"] == 0, balance
    assert balance["total"] == start_total - spent, (balance, start_total, spent)
    return balance


def wait_until(predicate, timeout=30, step=0.05, what="a condition"):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("timed out waiting for %s" % what)


