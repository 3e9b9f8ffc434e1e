# SPDX-License-Identifier: MIT
"""One engine shared by many threads at once: the C context is thread-safe, the binding
keeps no state of its own that could race."""
import threading
from concurrent.futures import ThreadPoolExecutor

import vidgo
from vidgo import errors

THREADS = 16
HOLDS = 12


def test_parallel_holds_on_one_engine_add_up(engine):
    users = [engine.users.add_verified(f"t{i}@example.com", "pro") for i in range(4)]
    for uid in users:
        engine.credits.grant(uid, 1000, key="seed")
    start = {uid: engine.credits.balance(uid).available for uid in users}
    price = engine.plans.service("image_512").credits
    barrier = threading.Barrier(THREADS)

    def work(n):
        barrier.wait()
        uid = users[n % len(users)]
        captured = 0
        for i in range(HOLDS):
            hold = engine.credits.hold(uid, "image_512", key=f"h-{n}-{i}")
            if i % 3 == 0:
                engine.credits.release(hold, key=f"r-{n}-{i}")
            else:
                engine.credits.capture(hold, key=f"c-{n}-{i}")
                captured += 1
        return uid, captured

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(work, range(THREADS)))
    spent = {uid: 0 for uid in users}
    for uid, captured in results:
        spent[uid] += captured * price
    for uid in users:
        balance = engine.credits.balance(uid)
        assert balance.held == 0
        assert balance.available == start[uid] - spent[uid]
        debits = [e for e in engine.credits.history(uid) if e.type == vidgo.LedgerType.DEBIT]
        assert len(debits) * price == spent[uid]
    assert engine.check() == []


def test_parallel_insufficient_credits_never_overdraw(engine):
    uid = engine.users.add_verified("poor@example.com", "starter")
    available = engine.credits.balance(uid).available
    price = engine.plans.service("image_512").credits
    outcomes = []

    def work(n):
        try:
            engine.credits.hold(uid, "image_512", key=f"p-{n}")
            outcomes.append("held")
        except errors.InsufficientCredits:
            outcomes.append("refused")

    threads = [threading.Thread(target=work, args=(n,)) for n in range(THREADS * 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("held") == available // price
    assert engine.credits.balance(uid).available == available % price


def test_many_threads_read_while_a_worker_runs(engine, pro_user):
    worker = engine.jobs.start_worker(idle_ms=10)
    jobs = [engine.jobs.submit(pro_user, "image_512", f"a small object number {i}", key=f"j{i}")
            for i in range(4)]

    def read(_):
        for _ in range(20):
            engine.plans.list()
            engine.credits.balance(pro_user)
        return True

    with ThreadPoolExecutor(8) as pool:
        assert all(pool.map(read, range(8)))
    for job in jobs:
        assert engine.jobs.wait(job.id, timeout=30).state == vidgo.JobState.SUCCEEDED
    worker.stop()
