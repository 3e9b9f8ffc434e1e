# SPDX-License-Identifier: MIT
"""Workers that die: several `vidgo worker` processes ($VIDGO_BIN) share one store (SQLite,
and PostgreSQL when $VIDGO_TEST_PG_URL is set) against the loopback provider fakes while
the test SIGKILLs them at random moments and while a create is on the wire, so that jobs
are caught queued, submitted (the answer lost with its worker) and polling (and, by chance,
finishing: final but not yet settled); fresh workers with a 2 s lease then finish
everything. At the end: every job final, no job created twice at Leonardo, no credit lost
or made (`vidgo check`, each balance = initial - 5 x succeeded jobs, one debit per
delivered job). And with two workers and no crash: each job processed once, Pro jobs sent
to the provider before the Starter jobs submitted with them, and aged Starter jobs before
newer Pro jobs. VIDGO_CRASH_SEED=N replays a run's random choices (the timing still
varies)."""
import os
import random
import signal
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pipeline_support import (FINAL, PgDatabase, Vidgo, assert_settled_fairly,  # noqa: E402
                              wait_until)

PRICE = 5  # video_720p
LEASE = ["--lease-s", "2", "--max-poll-ms", "300", "--idle-ms", "50"]
CONSONANTS, VOWELS = "bcdfghjklmnprstvz", "aeiou"


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path, fakes):
    db = PgDatabase() if request.param == "postgresql" else None  # skips without
    # $VIDGO_TEST_PG_URL (fails without it when $VIDGO_REQUIRE_PG is 1)
    v = Vidgo(db.url if db else str(tmp_path / "store.db"), tmp_path, fakes.env())
    try:
        v.init()
        yield v
    finally:
        v.reap()
        if db:
            db.drop()


def word(rng):
    return "".join(rng.choice(CONSONANTS) + rng.choice(VOWELS) for _ in range(3))


def unique_prompt(rng, n, doomed=False):
    """A prompt that shares no word with any other: no cache hit, no near-duplicate."""
    tag = "job%02d%s" % (n, word(rng))
    words = " ".join(word(rng) for _ in range(6))
    return "%s %s%s" % (tag, words, " doomed" if doomed else ""), tag


def add_users(v, plans):
    """Users of the given plans, each with 30 purchased credits on top of their plan's; returns
    {email: (plan, total)}."""
    users = {}
    for i, plan in enumerate(plans):
        email = "%s%d@example.com" % (plan.replace("_", ""), i)
        v.add_user(email, plan)
        doc = v.json("credits", "grant", email, "30", "--kind", "purchased", "--key",
                     "grant-" + email)
        users[email] = (plan, doc["total"])
    return users


def creates_of(fakes, tag):
    """Leonardo creates (that reached the fake) for a job's unique tag."""
    return [p for p in fakes.leonardo.created_prompts() if tag in p.split()]


def runway_creates_of(fakes, tag):
    return [r for r in fakes.runway.seen("POST", "/v1/") if tag.encode() in r.body]


def check_final_state(v, fakes, users, submitted):
    """Every job final; no provider job made twice; each user charged exactly for what was
    delivered (and the ledger's invariants). Returns the succeeded jobs per user and the
    tags of jobs created twice at Leonardo (which no_job_created_twice refuses)."""
    assert v.jobs(active=True) == []
    succeeded = {email: 0 for email in users}
    twice = []
    for sub in submitted:
        job = v.job(sub["id"])
        assert job["state"] in FINAL, job
        made = creates_of(fakes, sub["_tag"])
        if len(made) > 1:
            twice.append(sub["_tag"])
        assert len(runway_creates_of(fakes, sub["_tag"])) <= 1, sub["_tag"]
        if not sub["_doomed"]:
            # Leonardo can be reconciled: a crash never costs the user the result
            assert job["state"] == "succeeded" and job["provider"] == "leonardo", job
            assert len(made) >= 1
        if job["state"] == "succeeded":
            succeeded[sub["_email"]] += 1
    for email, (plan, total) in users.items():
        mine = [s for s in submitted if s["_email"] == email]
        balance = assert_settled_fairly(v, email, mine, total)
        assert balance["total"] == total - PRICE * succeeded[email], (email, balance)
    return succeeded, twice


def no_job_created_twice(twice):
    """Last, after every other check: no job was created twice at Leonardo."""
    assert not twice, "jobs created twice at Leonardo: %s" % ", ".join(twice)


class Workers:
    """`vidgo worker` processes of one store."""

    def __init__(self, v, extra=()):
        self.v = v
        self.extra = list(extra)
        self.procs = []
        self.started = 0
        self.kills = 0

    def start(self, n=1):
        for _ in range(n):
            self.started += 1
            self.procs.append(self.v.spawn("worker", "--name", "w%d" % self.started,
                                           *LEASE, *self.extra))

    def kill(self, proc):
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        self.v.collect(proc)
        self.procs.remove(proc)
        self.kills += 1

    def kill_all(self):
        for proc in list(self.procs):
            self.kill(proc)


def states_now(v):
    return {j["state"] for j in v.jobs(active=True)}


def run_chaos(v, fakes, rng, emails, n_jobs, doomed_every, max_kills):
    """Submits n_jobs (3 workers start after the first third), SIGKILLing workers at random
    moments and whenever a create is on the wire (then all of them: the sender is among
    them), starting new ones each time; then two fresh workers finish everything. Returns
    the submitted jobs, the states seen at the kills, the kills during a create, and the
    kills."""
    workers = Workers(v)
    submitted, seen_states, inflight_kills = [], set(), 0
    for n in range(n_jobs):
        if n == n_jobs // 3:
            workers.start(3)  # with a queue already waiting
        email = emails[n % len(emails)]
        doomed = n % doomed_every == doomed_every // 2  # Leonardo fails it: to Runway
        prompt, tag = unique_prompt(rng, n, doomed)
        sub = v.generate(email, prompt, expect=0)
        sub.update(_tag=tag, _email=email, _doomed=doomed)
        submitted.append(sub)
        if n % 4 == 3 and workers.procs:  # a kill now and then while jobs still come in
            seen_states |= states_now(v)
            workers.kill(rng.choice(workers.procs))
            workers.start()

    deadline = time.monotonic() + 25
    while time.monotonic() < deadline and workers.kills < max_kills:
        if inflight_kills < 2 or rng.random() < 0.5:
            try:
                wait_until(lambda: fakes.leonardo.inflight > 0, timeout=3, step=0.01)
            except AssertionError:
                if not v.jobs(active=True):
                    break
                continue
            seen_states |= states_now(v)
            inflight_kills += 1
            workers.kill_all()
            workers.start(3)
        else:
            time.sleep(rng.uniform(0.05, 1.0))
            seen_states |= states_now(v)
            workers.kill(rng.choice(workers.procs))
            workers.start()
    workers.kill_all()

    # new workers finish everything (after the dead ones' leases ran out)
    finishers = [v.spawn("worker", "--until-idle", "--name", "finisher%d" % i, *LEASE)
                 for i in range(2)]
    for proc in finishers:
        assert proc.wait(timeout=120) == 0, v.collect(proc)
        v.collect(proc)
    return submitted, seen_states, inflight_kills, workers.kills


@pytest.mark.parametrize("n_jobs", [30, 9])
def test_killed_workers_never_pay_twice_nor_lose_credit(store, fakes, n_jobs):
    """30 jobs: many generations at once (the known reconcile bug may show, see
    no_job_created_twice); 9 jobs: fewer than Leonardo's listing holds, so a job created
    twice is a failure whatever the cause."""
    v = store
    seed = int(os.environ.get("VIDGO_CRASH_SEED", "0")) or random.randrange(1, 1 << 30)
    rng = random.Random(seed)
    note = "VIDGO_CRASH_SEED=%d" % seed
    fakes.leonardo.polls_to_complete = 3 if n_jobs > 10 else 8
    fakes.leonardo.fail_words = ("doomed",)
    fakes.leonardo.create_delay = 0.3
    fakes.leonardo.poll_delay = 0.05
    users = add_users(v, ["pro", "pro_plus", "starter", "starter", "pro", "starter"])

    submitted, seen_states, inflight_kills, kills = run_chaos(
        v, fakes, rng, sorted(users), n_jobs, 9 if n_jobs > 10 else 5, 14 if n_jobs > 10 else 8)

    print("chaos: %s, %d kills (%d during a create), states seen at kills %s" % (
        note, kills, inflight_kills, sorted(seen_states)))
    assert {"queued", "polling"} <= seen_states, (seen_states, note)
    assert "submitted" in seen_states and inflight_kills > 0, (seen_states, note)
    # a worker died with a create's answer on the wire: the next one reconciled
    assert fakes.leonardo.seen("me") and fakes.leonardo.seen("user_generations"), note
    assert kills >= 6, (kills, note)
    succeeded, twice = check_final_state(v, fakes, users, submitted)
    assert sum(succeeded.values()) >= n_jobs - sum(1 for s in submitted if s["_doomed"]), note
    v.check()
    no_job_created_twice(twice)


def test_two_workers_take_each_job_once_pro_first(store, fakes):
    v = store
    rng = random.Random(7)
    fakes.leonardo.create_delay = 0.05
    users = add_users(v, ["starter", "pro", "starter", "pro_plus"])
    by_plan = {}
    for email, (plan, _) in users.items():
        by_plan.setdefault("priority" if plan in ("pro", "pro_plus") else "starter",
                           []).append(email)
    # submitted together, alternating, so every Starter job is older than a Pro job
    submitted = []
    for n in range(24):
        cls = "starter" if n % 2 == 0 else "priority"
        email = by_plan[cls][(n // 2) % len(by_plan[cls])]
        prompt, tag = unique_prompt(rng, n)
        sub = v.generate(email, prompt, expect=0)
        assert sub["priority"] is (cls == "priority"), sub
        sub.update(_tag=tag, _email=email, _doomed=False, _class=cls)
        submitted.append(sub)

    workers = [v.spawn("worker", "--until-idle", "--name", "pair%d" % i,
                       "--max-poll-ms", "200", "--idle-ms", "20") for i in range(2)]
    for proc in workers:
        assert proc.wait(timeout=120) == 0
        v.collect(proc)

    _, twice = check_final_state(v, fakes, users, submitted)
    assert twice == []
    for sub in submitted:
        assert len(creates_of(fakes, sub["_tag"])) == 1, sub["_tag"]
    # the order in which the jobs reached the provider: all 12 Pro jobs first (give or take
    # the one a second worker may send while the first sends the last Pro job)
    order = []
    for prompt in fakes.leonardo.created_prompts():
        (sub,) = [s for s in submitted if s["_tag"] in prompt.split()]
        order.append(sub["_class"])
    first_starter = order.index("starter")
    assert first_starter >= 12 - 1, order
    assert order[:11] == ["priority"] * 11, order


def test_a_starter_job_waiting_past_the_aging_time_goes_before_newer_pro_jobs(store, fakes):
    """No starvation: with `--aging-s 1`, Starter jobs that waited over a second count as
    priority jobs, and among those the oldest go first."""
    v = store
    rng = random.Random(11)
    users = add_users(v, ["starter", "pro"])
    (starter,) = [e for e, (plan, _) in users.items() if plan == "starter"]
    (pro,) = [e for e, (plan, _) in users.items() if plan == "pro"]
    submitted = []
    for n, email in enumerate([starter] * 3 + [None] + [pro] * 3):
        if email is None:
            time.sleep(1.5)
            continue
        prompt, tag = unique_prompt(rng, n)
        sub = v.generate(email, prompt, expect=0)
        sub.update(_tag=tag, _email=email, _doomed=False)
        submitted.append(sub)
    v.work("--aging-s", "1")
    order = []
    for prompt in fakes.leonardo.created_prompts():
        (sub,) = [s for s in submitted if s["_tag"] in prompt.split()]
        order.append(sub["_email"])
    assert order == [starter] * 3 + [pro] * 3, order
    _, twice = check_final_state(v, fakes, users, submitted)
    assert twice == []
