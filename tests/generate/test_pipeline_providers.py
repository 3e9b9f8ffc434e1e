# SPDX-License-Identifier: MIT
"""Every branch of the generation pipeline, end to end: the real `vidgo` program
($VIDGO_BIN: generate, worker, job, credits, check) against the loopback fakes of Gemini,
Leonardo, Runway and GoEnhance (tests/fakes/), one SQLite store per test. Each test ends
with the ledger's invariants (`vidgo check`) and "charged exactly once for a delivered
result, never for a failed one" read from the user's ledger; no output ever shows a key."""
import json
import os
import signal
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pipeline_support import (KEYS, Reply, Vidgo, assert_settled_fairly,  # noqa: E402
                              wait_until)

SNEAKER = "A red sneaker spinning on a white table, studio light"
SNEAKER_NEAR = "A red sneaker spinning on a white table, soft studio light"
TEAPOT = "A blue ceramic teapot pouring tea in slow motion"
STARTER_CREDITS = 25


@pytest.fixture
def v(tmp_path, fakes):
    vidgo = Vidgo(str(tmp_path / "store.db"), tmp_path, fakes.env())
    vidgo.init()
    try:
        yield vidgo
    finally:
        vidgo.reap()
    # nothing a worker or a submit printed, and nothing the store keeps, holds a key
    with open(str(tmp_path / "store.db"), "rb") as f:
        stored = f.read()
    for key in KEYS:
        assert key.encode() not in stored


def starter(v, email="ann@example.com"):
    v.add_user(email, "starter")
    return email


def leonardo_video_creates(fakes):
    return fakes.leonardo.seen("create_text_video")


# ---- miss, hit, enhancement ------------------------------------------------------------

def test_a_miss_is_made_by_leonardo_and_charged_once(v, fakes):
    user = starter(v)
    job = v.generate(user, TEAPOT)
    assert job["state"] == "queued" and job["price"] == 5 and job["charged"] is False
    held = v.balance(user)
    assert (held["held"], held["available"]) == (5, STARTER_CREDITS - 5)

    v.work()
    done = v.job(job["id"])
    assert done["state"] == "succeeded", done
    assert (done["provider"], done["fallback"], done["attempts"]) == ("leonardo", False, 1)
    creates = leonardo_video_creates(fakes)
    assert len(creates) == 1
    (gid,) = [j for j in fakes.leonardo.jobs]
    assert done["result_url"] == "https://cdn.fake-leonardo.test/%s/video.mp4" % gid
    assert done["thumbnail_url"] == "https://cdn.fake-leonardo.test/%s/thumb.jpg" % gid
    assert (done["media_type"], done["width"], done["height"]) == ("video", 1280, 720)
    assert fakes.leonardo.count("GET", "/generations/" + gid) >= 2  # PENDING, then COMPLETE
    body = json.loads(creates[0].body)
    assert (body["model"], body["resolution"]) == ("MOTION2", "RESOLUTION_720")
    assert_settled_fairly(v, user, [job], STARTER_CREDITS)


def test_a_miss_records_what_the_provider_charged(v, fakes):
    """The create answer's cost (the fake's "dollars" mode: cost.amount in USD) is the
    job's API cost."""
    user = starter(v)
    job = v.generate(user, TEAPOT)
    v.work()
    done = v.job(job["id"])
    assert done["state"] == "succeeded"
    assert done["api_cost_micro_usd"] > 0


def test_an_image_miss_is_made_by_leonardo(v, fakes):
    user = starter(v)
    job = v.generate(user, "A bottle of olive oil on a rustic wooden board", service="image_512")
    v.work()
    done = v.job(job["id"])
    assert done["state"] == "succeeded", done
    assert (done["provider"], done["media_type"]) == ("leonardo", "image")
    assert len(fakes.leonardo.seen("create_image")) == 1
    assert done["result_url"].startswith("https://cdn.fake-leonardo.test/")
    assert done["result_url"].endswith("/image.png")
    assert_settled_fairly(v, user, [job], STARTER_CREDITS)


def test_the_same_and_a_near_prompt_are_served_from_the_cache(v, fakes):
    user = starter(v)
    first = v.generate(user, SNEAKER)
    v.work()
    made = v.job(first["id"])
    assert made["state"] == "succeeded"

    same = v.generate(user, SNEAKER, expect=0)
    near = v.generate(user, SNEAKER_NEAR, expect=0)
    for hit in (same, near):
        # served at submit: no worker needed, no second generation at the fake
        assert hit["state"] == "succeeded" and hit["cache_hit"] is True, hit
        assert hit["result_url"] == made["result_url"]
        assert hit["api_cost_micro_usd"] == 0 and hit["charged"] is True
    assert same["similarity"] == pytest.approx(1.0)
    assert 0 < near["similarity"] <= 1
    v.work()
    assert len(leonardo_video_creates(fakes)) == 1
    # the user gets what they paid for each time: three debits of 5
    assert_settled_fairly(v, user, [first, same, near], STARTER_CREDITS)


def test_the_generator_gets_the_enhanced_prompt(v, fakes):
    user = starter(v)
    job = v.generate(user, TEAPOT)
    assert job["prompt"] == TEAPOT
    assert job["enhanced_prompt"] == "Enhanced: " + TEAPOT  # the fake's enhancement
    v.work()
    shown = v.job(job["id"])
    assert (shown["prompt"], shown["enhanced_prompt"]) == (TEAPOT, "Enhanced: " + TEAPOT)
    (create,) = leonardo_video_creates(fakes)
    assert json.loads(create.body)["prompt"] == "Enhanced: " + TEAPOT
    (enhance,) = fakes.enhance_calls()
    sent = "".join(p.get("text", "") for p in enhance["json"]["contents"][0]["parts"])
    assert TEAPOT in sent
    assert_settled_fairly(v, user, [job], STARTER_CREDITS)


def test_a_failed_enhancement_falls_back_to_the_users_prompt(v, fakes):
    user = starter(v)
    fakes.gemini.enhance_mode = "empty"  # moderation answers; the enhancement has no text
    job = v.generate(user, TEAPOT)
    assert job["state"] == "queued" and job["enhanced_prompt"] == "", job
    assert len(fakes.enhance_calls()) == 1
    v.work()
    (create,) = leonardo_video_creates(fakes)
    assert json.loads(create.body)["prompt"] == TEAPOT
    assert v.job(job["id"])["state"] == "succeeded"
    assert_settled_fairly(v, user, [job], STARTER_CREDITS)


# ---- moderation ---------------------------------------------------------------------------

@pytest.mark.parametrize("prompt", [
    "A knife attack in a shopping mall, product placement",   # the verdict says violence
    "trigger-block a sneaker ad",                              # promptFeedback.blockReason
    "trigger-finish a sneaker ad",                             # finishReason SAFETY
])
def test_a_blocked_prompt_costs_nothing_and_is_remembered(v, fakes, prompt):
    user = starter(v)
    first = v.generate(user, prompt, expect=1)
    assert first["state"] == "failed" and first["error"] == "VG_EMODERATION_BLOCKED", first
    assert first["message"] and first["charged"] is False
    assert len(fakes.moderation_calls()) == 1
    assert fakes.enhance_calls() == []
    # the same prompt again: refused by the block cache, without a moderation call
    again = v.generate(user, prompt, expect=1, extra=("--lang", "es"))
    assert again["error"] == "VG_EMODERATION_BLOCKED"
    assert again["message"] and again["message"] != first["message"]  # in Spanish
    assert len(fakes.moderation_calls()) == 1
    v.work()
    assert fakes.leonardo.requests == []  # nothing reached the generator
    assert_settled_fairly(v, user, [first, again], STARTER_CREDITS)


def test_moderation_down_records_nothing_and_holds_nothing(v, fakes):
    user = starter(v)
    fakes.gemini.mode = "unauthorized"
    p = v.run("--json", "generate", "--user", user, "--service", "video_720p", "--prompt",
              TEAPOT, "--key", "k-down")
    assert p.returncode == 4, (p.stdout, p.stderr)
    assert json.loads(p.stdout)["error"]["name"] == "VG_EPROVIDER_AUTH"
    assert v.jobs(user) == []
    assert fakes.leonardo.requests == []
    balance = v.balance(user)
    assert (balance["held"], balance["total"]) == (0, STARTER_CREDITS)
    v.check()


# ---- provider failures --------------------------------------------------------------------

def test_a_failed_leonardo_video_falls_back_to_runway_once(v, fakes):
    user = starter(v)
    fakes.leonardo.job_mode = "failed"
    job = v.generate(user, TEAPOT)
    v.work()
    done = v.job(job["id"])
    assert done["state"] == "succeeded", done
    assert (done["provider"], done["fallback"]) == ("runway", True)
    assert done["result_url"].startswith("https://cdn.fake-runway.test/tasks/")
    assert len(leonardo_video_creates(fakes)) == 1
    (create,) = fakes.runway.seen("POST", "/v1/")
    assert create.path == "/v1/text_to_video"
    assert json.loads(create.body)["promptText"] == "Enhanced: " + TEAPOT
    # the user pays the price of what they asked for (video_720p), once
    assert done["price"] == 5 and done["service"] == "video_720p"
    assert_settled_fairly(v, user, [job], STARTER_CREDITS)
    debits = [r for r in v.history(user) if r["type"] == "debit"]
    assert [(r["service"], r["amount"]) for r in debits] == [("video_720p", -5)]


def test_when_leonardo_and_runway_both_fail_nothing_is_charged(v, fakes):
    user = starter(v)
    fakes.leonardo.job_mode = "failed"
    fakes.runway.script = ["RUNNING:0.5", "FAILED"]
    job = v.generate(user, TEAPOT)
    v.work()
    done = v.job(job["id"])
    assert done["state"] == "failed" and done["error"] == "VG_EJOB_FAILED", done
    assert done["message"]
    assert done["fallback"] is True
    assert len(leonardo_video_creates(fakes)) == 1
    assert len(fakes.runway.seen("POST", "/v1/")) == 1  # the fallback is used once
    assert_settled_fairly(v, user, [job], STARTER_CREDITS)


def test_a_job_pending_forever_times_out_uncharged(v, fakes):
    user = starter(v)
    fakes.leonardo.job_mode = "pending_forever"
    job = v.generate(user, TEAPOT)
    started = time.monotonic()
    v.work("--job-timeout-s", "2")
    assert time.monotonic() - started < 30
    done = v.job(job["id"])
    assert done["state"] == "failed" and done["error"] == "VG_ETIMEOUT", done
    assert len(leonardo_video_creates(fakes)) == 1
    assert len(fakes.leonardo.seen("delete")) == 1  # cancelled at the provider
    assert fakes.leonardo.jobs == {}  # (the fake forgets a job it deleted)
    assert_settled_fairly(v, user, [job], STARTER_CREDITS)


def test_a_rate_limited_create_is_retried_and_paid_once(v, fakes):
    """One 429 (Retry-After: 1): the HTTP layer waits and sends again."""
    user = starter(v)
    fakes.leonardo.before_create = [Reply(429, {"Content-Type": "application/json",
                                                "Retry-After": "1"},
                                          b'{"error": "Too many requests"}')]
    job = v.generate(user, TEAPOT)
    v.work()
    done = v.job(job["id"])
    assert done["state"] == "succeeded" and done["provider"] == "leonardo", done
    assert len(leonardo_video_creates(fakes)) == 2  # the 429, then the one accepted
    assert len(fakes.leonardo.creates) == 1 and len(fakes.leonardo.jobs) == 1
    assert_settled_fairly(v, user, [job], STARTER_CREDITS)


def test_a_create_rate_limited_past_the_http_retries_is_queued_again(v, fakes):
    """429s past the HTTP layer's attempts: the job goes back to the queue with a backoff
    and its next submission succeeds (attempts 2), still one paid job."""
    user = starter(v)
    fakes.leonardo.before_create = [
        Reply(429, {"Content-Type": "application/json", "Retry-After": "0"},
              b'{"error": "Too many requests"}') for _ in range(4)]
    job = v.generate(user, TEAPOT)
    v.work()
    done = v.job(job["id"])
    assert done["state"] == "succeeded" and done["provider"] == "leonardo", done
    assert done["attempts"] == 2 and done["fallback"] is False, done
    assert len(fakes.leonardo.creates) == 1
    assert_settled_fairly(v, user, [job], STARTER_CREDITS)


def test_a_poll_that_fails_is_polled_again_later(v, fakes):
    """Four 500s: the HTTP layer's attempts of one poll are used up, the worker polls again
    after a backoff (four failures leave the circuit breaker closed)."""
    user = starter(v)
    job = v.generate(user, TEAPOT)
    fakes.leonardo.fault("poll", "500_n:4")
    v.work()
    done = v.job(job["id"])
    assert done["state"] == "succeeded", done
    (gid,) = list(fakes.leonardo.jobs)
    assert fakes.leonardo.count("GET", "/generations/" + gid) >= 4 + 2
    assert len(fakes.leonardo.creates) == 1
    assert_settled_fairly(v, user, [job], STARTER_CREDITS)


def test_a_lost_answer_is_reconciled_and_never_paid_twice(v, fakes):
    """The create made the job, then the connection dropped: the worker finds the job by
    GET /me and the user's generations, and polls it."""
    user = starter(v)
    fakes.leonardo.fault("create_text_video", "lost")
    job = v.generate(user, TEAPOT)
    v.work()
    done = v.job(job["id"])
    assert done["state"] == "succeeded" and done["provider"] == "leonardo", done
    assert len(fakes.leonardo.creates) == 1 and len(fakes.leonardo.jobs) == 1
    (gid,) = list(fakes.leonardo.jobs)
    assert done["result_url"] == "https://cdn.fake-leonardo.test/%s/video.mp4" % gid
    assert fakes.leonardo.seen("me") and fakes.leonardo.seen("user_generations")
    assert_settled_fairly(v, user, [job], STARTER_CREDITS)


def test_a_lost_answer_is_found_behind_many_newer_generations(v, fakes):
    """Between the lost answer and the reconcile the account made more generations (other
    workers, other jobs; with a dead worker the reconcile waits a whole lease): the job is
    still found, or the job fails uncharged, but it is never created a second time."""
    user = starter(v)
    fakes.leonardo.fault("create_text_video", "lost")

    def others_create(prompt):
        with fakes.leonardo.lock:
            fakes.leonardo.faults.pop("create_text_video", None)  # lost once
        for i in range(12):
            time.sleep(0.002)  # createdAt has milliseconds: keep the order clear
            fakes.leonardo.add_job(prompt="another job of the account %d" % i)

    fakes.leonardo.after_create = others_create
    job = v.generate(user, TEAPOT)
    v.work()
    done = v.job(job["id"])
    assert len(fakes.leonardo.creates) == 1
    assert done["state"] in ("succeeded", "failed"), done
    assert_settled_fairly(v, user, [job], STARTER_CREDITS)


def test_a_create_lost_before_it_was_made_is_sent_again_once(v, fakes):
    """The connection dropped and the provider made nothing: reconcile finds no job, so
    sending again cannot pay twice."""
    user = starter(v)
    fakes.leonardo.before_create = [Reply(close=True)]
    job = v.generate(user, TEAPOT)
    v.work()
    done = v.job(job["id"])
    assert done["state"] == "succeeded", done
    assert fakes.leonardo.seen("user_generations")
    assert len(leonardo_video_creates(fakes)) == 2 and len(fakes.leonardo.jobs) == 1
    assert_settled_fairly(v, user, [job], STARTER_CREDITS)


def test_a_lost_runway_answer_fails_the_job_uncharged(v, fakes):
    """Runway cannot list its tasks: after a lost answer the job fails rather than risk a
    second paid task."""
    user = starter(v)
    fakes.leonardo.job_mode = "failed"
    fakes.runway.fault("create", "lost")
    job = v.generate(user, TEAPOT)
    v.work()
    done = v.job(job["id"])
    assert done["state"] == "failed" and done["error"] == "VG_EJOB_FAILED", done
    assert len(fakes.runway.seen("POST", "/v1/")) == 1  # never resent
    assert_settled_fairly(v, user, [job], STARTER_CREDITS)


# ---- cancel ---------------------------------------------------------------------------------

def test_cancel_of_a_queued_job_releases_the_hold(v, fakes):
    user = starter(v)
    job = v.generate(user, TEAPOT)
    assert v.balance(user)["held"] == 5
    other = v.add_user("bob@example.com", "starter")
    refused = v.json("job", "cancel", str(job["id"]), "--user", other["email"], expect=1)
    assert refused["error"]["name"] == "VG_ENOTFOUND"
    cancelled = v.json("job", "cancel", str(job["id"]), "--user", user)
    assert cancelled["state"] == "cancelled" and cancelled["charged"] is False
    assert cancelled["message"]
    v.work()
    assert fakes.leonardo.requests == []
    again = v.json("job", "cancel", str(job["id"]), expect=1)
    assert again["error"]["name"] == "VG_EJOB_STATE"
    assert_settled_fairly(v, user, [job], STARTER_CREDITS)


def test_cancel_while_the_provider_works_stops_it_and_charges_nothing(v, fakes):
    user = starter(v)
    fakes.leonardo.job_mode = "pending_forever"
    job = v.generate(user, TEAPOT)
    worker = v.spawn("worker", "--max-poll-ms", "100", "--idle-ms", "20")
    try:
        wait_until(lambda: v.job(job["id"])["state"] == "polling", what="polling")
        cancelled = v.json("job", "cancel", str(job["id"]), "--user", user)
        assert cancelled["state"] == "cancelled"
        wait_until(lambda: fakes.leonardo.seen("delete"), what="a DELETE at Leonardo")
        time.sleep(0.5)  # the worker keeps running: it must leave the job alone
    finally:
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0
        v.collect(worker)
    done = v.job(job["id"])
    assert done["state"] == "cancelled" and done["charged"] is False
    assert len(fakes.leonardo.creates) == 1
    assert_settled_fairly(v, user, [job], STARTER_CREDITS)


# ---- plans: demo, effects ---------------------------------------------------------------

def test_a_demo_user_gets_videos_only_from_the_cache(v, fakes):
    demo = "dee@example.com"
    v.add_user(demo, "demo")
    before = v.balance(demo)
    assert before["free_uses"] == 2

    miss = v.generate(demo, SNEAKER, expect=1)
    assert miss["state"] == "failed" and miss["error"] == "VG_EPAID_ONLY", miss
    assert "paid plans" in miss["message"]
    assert miss["charged"] is False
    v.work()
    assert fakes.leonardo.requests == []
    assert v.balance(demo)["free_uses"] == 2

    # once a subscriber made it, the demo user gets it from the cache, watermarked
    user = starter(v)
    made = v.generate(user, SNEAKER)
    v.work()
    hit = v.generate(demo, SNEAKER, expect=0)
    assert hit["state"] == "succeeded" and hit["cache_hit"] is True, hit
    assert hit["watermark"] is True and hit["free_use"] is True and hit["charged"] is True
    assert hit["result_url"] == v.job(made["id"])["result_url"]
    assert len(fakes.leonardo.creates) == 1
    after = assert_settled_fairly(v, demo, [miss, hit], 0)
    assert after["free_uses"] == 1
    assert_settled_fairly(v, user, [made], STARTER_CREDITS)


def test_effects_are_for_subscribers_and_go_to_goenhance(v, fakes):
    user = starter(v)
    video = v.generate(user, SNEAKER)
    v.work()
    made = v.job(video["id"])
    assert made["state"] == "succeeded" and made["media_type"] == "video", made

    effect = v.generate(user, service="style_effects", extra=("--input-job", str(video["id"]),
                                                              "--style", "2005"))
    assert effect["state"] == "queued" and effect["price"] == 8, effect
    v.work()
    done = v.job(effect["id"])
    assert done["state"] == "succeeded", done
    assert done["provider"] == "goenhance" and done["media_type"] == "video"
    assert done["result_url"].startswith("https://openapi-static.fake-goenhance.test/")
    (create,) = fakes.goenhance.seen("POST", "/api/v1/video2video/generate")
    body = json.loads(create.body)
    assert body["type"] == "mx-v2v"
    assert body["args"]["reference_video_url"] == made["result_url"]
    assert body["args"]["model"] == 2005
    assert_settled_fairly(v, user, [video, effect], STARTER_CREDITS)

    # a demo user, even with a video of their own, is refused: nothing recorded or held
    demo = "dee@example.com"
    v.add_user(demo, "demo")
    own = v.generate(demo, SNEAKER, expect=0)
    assert own["state"] == "succeeded"
    refused = v.run("--json", "generate", "--user", demo, "--service", "style_effects",
                    "--input-job", str(own["id"]), "--key", "k-demo-effect")
    assert refused.returncode == 1, refused.stdout
    assert json.loads(refused.stdout)["error"]["name"] == "VG_ESUBSCRIBERS_ONLY"
    assert [j["id"] for j in v.jobs(demo)] == [own["id"]]
    assert len(fakes.goenhance.seen("POST", "/api/")) == 1
    after = assert_settled_fairly(v, demo, [own], 0)
    assert after["free_uses"] == 1


@pytest.mark.parametrize("service,path,job_type,price", [
    ("hd_enhance", "/api/v1/fake-hd-enhance/generate", "mx-hd-enhance", 10),
    ("video_pro", "/api/v1/fake-video-enhance/generate", "mx-video-enhance", 12),
])
def test_hd_enhance_and_video_pro_go_to_goenhance(v, fakes, service, path, job_type, price):
    user = "pat@example.com"
    v.add_user(user, "pro")
    video = v.generate(user, SNEAKER)
    v.work()
    source = v.job(video["id"])
    effect = v.generate(user, service=service, extra=("--input-job", str(video["id"])))
    assert effect["state"] == "queued" and effect["price"] == price, effect
    v.work()
    done = v.job(effect["id"])
    assert done["state"] == "succeeded" and done["provider"] == "goenhance", done
    (create,) = fakes.goenhance.seen("POST", "/api/")
    assert create.path == path
    body = json.loads(create.body)
    assert body["type"] == job_type
    assert body["args"]["reference_video_url"] == source["result_url"]
    assert_settled_fairly(v, user, [video, effect], 60)


def test_a_4k_video_is_made_at_1080p_then_upscaled(v, fakes):
    """Leonardo makes at most 1080 lines: the first stage asks it for 1080p, the second
    upscales the result (GoEnhance's HD enhance), and the user pays the 4K price once."""
    user = "pia@example.com"
    v.add_user(user, "pro_plus")
    job = v.generate(user, TEAPOT, service="video_4k")
    assert job["price"] == 12
    v.work()
    done = v.job(job["id"])
    assert done["state"] == "succeeded", done
    (create,) = leonardo_video_creates(fakes)
    assert json.loads(create.body)["resolution"] == "RESOLUTION_1080"
    (upscale,) = fakes.goenhance.seen("POST", "/api/")
    assert upscale.path == "/api/v1/fake-hd-enhance/generate"
    assert json.loads(upscale.body)["args"]["resolution"] == "2160p"
    assert done["provider"] == "goenhance" and done["result_url"].startswith(
        "https://openapi-static.fake-goenhance.test/")
    assert_settled_fairly(v, user, [job], 125)


# ---- single flight, idempotency, keys ----------------------------------------------------

def test_near_duplicates_in_flight_make_one_generation(v, fakes):
    ann, bob = starter(v), starter(v, "bob@example.com")
    first = v.generate(ann, SNEAKER)
    second = v.generate(bob, SNEAKER_NEAR)
    assert first["state"] == second["state"] == "queued"
    v.work()
    a, b = v.job(first["id"]), v.job(second["id"])
    assert a["state"] == b["state"] == "succeeded", (a, b)
    assert len(fakes.leonardo.creates) == 1
    assert b["cache_hit"] is True and b["result_url"] == a["result_url"]
    assert_settled_fairly(v, ann, [first], STARTER_CREDITS)
    assert_settled_fairly(v, bob, [second], STARTER_CREDITS)


def test_the_same_key_returns_the_same_job_and_holds_once(v, fakes):
    user = starter(v)
    first = v.generate(user, TEAPOT, key="order-1")
    again = v.generate(user, TEAPOT, key="order-1")
    assert again["id"] == first["id"]
    assert v.balance(user)["held"] == 5
    conflict = v.run("--json", "generate", "--user", user, "--service", "video_720p",
                     "--prompt", SNEAKER, "--key", "order-1")
    assert json.loads(conflict.stdout)["error"]["name"] == "VG_EIDEMPOTENCY_CONFLICT"
    v.work()
    assert len(fakes.leonardo.creates) == 1
    assert_settled_fairly(v, user, [first], STARTER_CREDITS)


def test_no_key_shows_even_when_a_provider_repeats_it(v, fakes):
    """Leonardo answers the create with a 401 that repeats the key: the job falls back to
    Runway; the worker's log, the job and `vidgo providers` never show a key (every run is
    checked by Vidgo.run, the store by the fixture)."""
    user = starter(v)
    fakes.leonardo.fault("create_text_video", "401_echo")
    job = v.generate(user, TEAPOT)
    worker = v.work()
    assert "leonardo" in worker.stderr  # the failure was logged, without the key
    done = v.job(job["id"])
    assert done["state"] == "succeeded" and done["provider"] == "runway", done
    # (the Gemini fake has no GET models/{model} for a check)
    for command in (("list",), ("check", "leonardo", "runway", "goenhance")):
        shown = v.run("--json", "providers", *command)
        assert shown.returncode == 0, shown.stdout
    everything = "".join(out + err for _, out, err in v.outputs)
    for key in KEYS:
        assert key not in everything
    assert_settled_fairly(v, user, [job], STARTER_CREDITS)
