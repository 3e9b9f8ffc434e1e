# SPDX-License-Identifier: MIT
"""The Pollo client (lib/providers/pollo.c) against its loopback fake
(tests/fakes/fake_pollo.py), through tests/providers/provider_driver.c
($VIDGO_PROVIDER_DRIVER): the exact requests, the status mapping, every fault with its
vg_status, the paid-job rule, the circuit breaker, the key never shown, and the verification
of Pollo's signed webhooks (vg_pollo_webhook_verify)."""
import base64
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from provider_support import (BREAKER, CREATE_FAULTS, POLL_FAULTS, Driver,  # noqa: E402
                              assert_breaker, assert_create_fault, assert_poll_fault,
                              breaker_args, fault_env, fake_fixtures, one, outputs)
from fake_pollo import FAIL_MSG, FakePollo, sign_webhook, webhook_body  # noqa: E402

KEY = "fake-pollo-key_0123456789abcdefTEST"
RAW_SECRET = "fake-pollo-webhook-secret-for-tests"
B64_SECRET = "whsec_" + base64.b64encode(b"fake pollo webhook key bytes 0123").decode()
NOW = 1767225600  # 2026-01-01T00:00:00Z, the driver's clock for webhook tests
PROMPT = "A blue water bottle on a wooden desk, slow orbit, soft light"
IMAGE = "https://cdn.example.test/products/bottle.png"
DEFAULT_MODEL = "kling-ai/kling-v2-6"
SECRETS = (KEY, RAW_SECRET, B64_SECRET, B64_SECRET[len("whsec_"):])
DRIVER = Driver("pollo", KEY, key_var="POLLO_API_KEY", base_var="VIDGO_POLLO_BASE_URL",
                strip=("POLLO_WEBHOOK_SECRET",), timeout_ms=600, secrets=SECRETS[1:])


def run_driver(fake, *args, secret_env=None, check_secrets=(), env=None, **kw):
    """DRIVER.run, with the webhook secret in $POLLO_WEBHOOK_SECRET when given; no key,
    secret or signature shows."""
    e = dict(env or {})
    if secret_env is not None:
        e["POLLO_WEBHOOK_SECRET"] = secret_env
    return DRIVER.run(fake, *args, env=e, secrets=check_secrets, **kw)


lines, answer = outputs, one


server, fake = fake_fixtures(lambda: FakePollo(KEY))


def submit(fake, *opts, kind="text_to_video", **kw):
    return answer(run_driver(fake, "submit", "pollo", kind, "--prompt", PROMPT, *opts, **kw))


def created(fake):
    """Submits a task the fake accepts; returns its id."""
    a = submit(fake)
    assert a["status"] == "VG_OK", a
    return a["job_id"]


def poll(fake, job_id, **kw):
    return answer(run_driver(fake, "poll", "pollo", "text_to_video", job_id, **kw))


# ---- submit: the exact requests ---------------------------------------------------------------

def test_text_to_video_sends_the_documented_request(fake):
    a = submit(fake)
    assert a["status"] == "VG_OK", a
    assert fake.violations == []
    [r] = fake.requests
    assert r.method == "POST"
    assert r.path == "/v1/generation/kling-ai/kling-v2-6/video"
    assert r.headers["x-api-key"] == KEY
    assert r.headers["content-type"].startswith("application/json")
    assert fake.json_of(r) == {"input": {"prompt": PROMPT, "duration": 5}}
    assert list(fake.tasks) == [a["job_id"]]
    assert a["provider"] == "pollo" and a["kind"] == "text_to_video"
    assert a["state"] == "pending" and a["poll_after_ms"] == 5000
    assert a["model"] == DEFAULT_MODEL and a["media_type"] == "video"
    assert a["duration_s"] == 5 and a["api_cost_micro"] == -1


def test_image_to_video_sends_the_image_url_duration_and_webhook(fake):
    a = submit(fake, "--input-url", IMAGE, "--duration", "10", "--webhook",
               "https://vidgo.example.test/hooks/pollo", kind="image_to_video")
    assert a["status"] == "VG_OK", a
    assert a["kind"] == "image_to_video" and a["duration_s"] == 10
    [r] = fake.requests
    assert fake.json_of(r) == {"input": {"prompt": PROMPT, "image": IMAGE, "duration": 10},
                               "webhookUrl": "https://vidgo.example.test/hooks/pollo"}
    assert fake.violations == []


def test_kling_v1_5_gets_the_negative_prompt_and_mode_std(fake):
    a = submit(fake, "--model", "kling-ai/kling-v1-5", "--negative", "blurry, text")
    assert a["status"] == "VG_OK", a
    assert a["model"] == "kling-ai/kling-v1-5"
    [r] = fake.requests
    assert r.path == "/v1/generation/kling-ai/kling-v1-5/video"
    assert fake.json_of(r) == {"input": {"prompt": PROMPT, "negativePrompt": "blurry, text",
                                         "duration": 5, "mode": "std"}}
    assert fake.violations == []


def test_kling_v2_6_does_not_get_a_negative_prompt_it_has_no_field_for(fake):
    p = run_driver(fake, "submit", "pollo", "text_to_video", "--prompt", PROMPT,
                   "--negative", "blurry")
    assert answer(p)["status"] == "VG_OK"
    assert "negativePrompt" not in fake.json_of(fake.requests[0])["input"]
    assert "takes no negative prompt" in p.stderr
    assert fake.violations == []


@pytest.mark.parametrize("model", ["kling-v2-6", "Kling-AI/kling-v2-6", "kling-ai/",
                                   "/kling-v2-6", "kling-ai/kling/v2", "kling-ai/kling v2",
                                   "../../credit/balance"])
def test_a_model_not_of_the_brand_model_form_is_vg_eparameter(fake, model):
    a = submit(fake, "--model", model)
    assert a["status"] == "VG_EPARAMETER", a
    assert fake.requests == []


def test_a_model_pollo_does_not_know_is_vg_eprovider_rejected_with_its_message(fake):
    a = submit(fake, "--model", "kling-ai/kling-v9-9")
    assert a["status"] == "VG_EPROVIDER_REJECTED", a
    assert "Model kling-ai/kling-v9-9 not found" in a["message"]
    assert fake.tasks == {}


@pytest.mark.parametrize("duration", ["3", "6", "8"])
def test_a_duration_other_than_5_or_10_is_vg_eparameter(fake, duration):
    a = submit(fake, "--duration", duration)
    assert a["status"] == "VG_EPARAMETER", a
    assert fake.requests == []


def test_image_bytes_are_vg_einput_asset_pollo_takes_urls_only(fake, tmp_path):
    f = tmp_path / "bottle.png"
    f.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    a = submit(fake, "--image", str(f), "--mime", "image/png", kind="image_to_video")
    assert a["status"] == "VG_EINPUT_ASSET", a
    assert "URL" in a["message"]
    assert fake.requests == []


@pytest.mark.parametrize("url", ["http://cdn.example.test/a.png", "ftp://x/a.png",
                                 "https://cdn.example.test/a b.png"])
def test_an_input_image_that_is_not_an_https_url_is_vg_einput_asset(fake, url):
    a = submit(fake, "--input-url", url, kind="image_to_video")
    assert a["status"] == "VG_EINPUT_ASSET", a
    assert fake.requests == []


def test_a_webhook_url_that_is_not_https_is_vg_eparameter(fake):
    a = submit(fake, "--webhook", "http://vidgo.example.test/hook")
    assert a["status"] == "VG_EPARAMETER", a
    assert fake.requests == []


def test_pollo_makes_no_images(fake):
    a = submit(fake, kind="text_to_image")
    assert a["status"] == "VG_EUNSUPPORTED", a
    assert fake.requests == []


def test_no_key_is_vg_eno_api_key(fake):
    a = submit(fake, key=None)
    assert a["status"] == "VG_ENO_API_KEY", a
    assert "POLLO_API_KEY" in a["message"]
    assert fake.requests == []


def test_a_wrong_key_is_vg_eprovider_auth_and_not_shown(fake):
    p = run_driver(fake, "submit", "pollo", "text_to_video", "--prompt", PROMPT,
                   key="wrong-fake-pollo-key-42", check_secrets=("wrong-fake-pollo-key-42",))
    a = answer(p)
    assert a["status"] == "VG_EPROVIDER_AUTH", a
    assert "Invalid API key" in a["message"]
    assert fake.tasks == {}


def test_a_create_answer_wrapped_in_data_is_read(fake):
    fake.fault("create", "wrapped")
    a = submit(fake)
    assert a["status"] == "VG_OK", a
    assert a["job_id"] in fake.tasks and a["state"] == "pending"


def test_a_create_answer_without_task_id_is_outcome_unknown_never_resent(fake):
    fake.fault("create", "no_task_id")
    a = submit(fake)
    assert a["status"] == "VG_EOUTCOME_UNKNOWN", a
    assert "taskId" in a["message"]
    assert len(fake.requests_to("create")) == 1 and len(fake.tasks) == 1


# ---- poll: the status mapping -----------------------------------------------------------------

def test_run_goes_from_waiting_through_processing_to_succeed(fake):
    p = run_driver(fake, "run", "pollo", "text_to_video", "--prompt", PROMPT)
    rows = lines(p)
    assert [r["status"] for r in rows] == ["VG_OK"] * 4, rows
    assert [r["state"] for r in rows] == ["pending", "pending", "running", "succeeded"]
    done = rows[-1]
    job = rows[0]["job_id"]
    assert done["result_url"] == "https://cdn.pollo.test/out/%s.mp4" % job
    assert done["media_type"] == "video" and done["percent"] == 100
    assert done["poll_after_ms"] == 0 and rows[2]["poll_after_ms"] == 5000
    assert done["api_cost_micro"] == 30500000 and done["api_cost_unit"] == "CREDITS"
    assert done["model"] == DEFAULT_MODEL
    statuses = fake.requests_to("status")
    assert len(statuses) == 3
    assert all(r.method == "GET" and r.path == "/generation/%s/status" % job
               and r.headers["x-api-key"] == KEY and r.body == b"" for r in statuses)
    assert len(fake.requests_to("create")) == 1


@pytest.mark.parametrize("status, state", [("waiting", "pending"), ("processing", "running"),
                                           ("succeed", "succeeded"), ("failed", "failed")])
def test_each_documented_status_maps_to_its_state(fake, status, state):
    job = created(fake)
    fake.steps = [status]
    a = poll(fake, job)
    assert a["status"] == "VG_OK", a
    assert a["state"] == state
    assert a["job_id"] == job and a["provider"] == "pollo"
    assert a["poll_after_ms"] == (5000 if state in ("pending", "running") else 0)


def test_a_failed_task_is_vg_ok_with_state_failed_and_pollos_reason(fake):
    fake.steps = ["waiting", "failed"]
    rows = lines(run_driver(fake, "run", "pollo", "text_to_video", "--prompt", PROMPT))
    assert [r["state"] for r in rows] == ["pending", "pending", "failed"]
    assert rows[-1]["status"] == "VG_OK"
    assert rows[-1]["failure"] == FAIL_MSG and rows[-1]["result_url"] == ""


def test_a_task_pending_forever_stays_pending_and_is_polled_at_the_advised_pace(fake):
    fake.steps = ["waiting"]
    rows = lines(run_driver(fake, "run", "pollo", "text_to_video", "--prompt", PROMPT,
                            "--max-polls", "5"))
    assert len(rows) == 6
    assert all(r["status"] == "VG_OK" and r["state"] == "pending" for r in rows)
    assert all(r["poll_after_ms"] == 5000 for r in rows)
    assert len(fake.requests_to("status")) == 5 and len(fake.requests_to("create")) == 1


def test_a_status_the_docs_do_not_list_is_vg_eprovider_response(fake):
    job = created(fake)
    fake.fault("status", "unknown_status")
    a = poll(fake, job)
    assert a["status"] == "VG_EPROVIDER_RESPONSE", a
    assert "queued_somewhere" in a["message"]


def test_a_status_answer_wrapped_in_data_is_read(fake):
    job = created(fake)
    fake.steps = ["succeed"]
    fake.fault("status", "wrapped")
    a = poll(fake, job)
    assert a["status"] == "VG_OK", a
    assert a["state"] == "succeeded" and a["result_url"].endswith(job + ".mp4")


def test_polling_a_task_pollo_does_not_know_is_vg_enotfound(fake):
    a = poll(fake, "pollo-task-does-not-exist")
    assert a["status"] == "VG_ENOTFOUND", a
    assert "not found" in a["message"]


def test_cancel_is_vg_eunsupported_pollo_has_no_endpoint(fake):
    a = answer(run_driver(fake, "cancel", "pollo", "pollo-task-0001"))
    assert a["status"] == "VG_EUNSUPPORTED", a
    assert fake.requests == []


# ---- faults --------------------------------------------------------------------------------

@pytest.mark.parametrize("kind, times, status, seen", POLL_FAULTS)
def test_a_poll_fault_gives_its_status(fake, kind, times, status, seen):
    job = created(fake)
    fake.steps = ["processing"]
    fake.fault("status", kind, times)
    p = run_driver(fake, "poll", "pollo", "text_to_video", job, env=fault_env(kind))
    assert_poll_fault(p, len(fake.requests_to("status")), status, seen)
    assert fake.violations == []


@pytest.mark.parametrize("kind, words", [
    ("unauthorized", "API key expired"),
    ("rate_limited", "Too many requests"),
    ("unavailable", "Service unavailable"),
    ("server_error", "Internal server error"),
    ("malformed", "not JSON"),
])
def test_a_poll_fault_gives_pollos_message_or_the_reason(fake, kind, words):
    job = created(fake)
    fake.fault("status", kind)
    assert words in poll(fake, job)["message"]


def test_rate_limit_waits_as_retry_after_says(fake):
    job = created(fake)
    fake.fault("status", "rate_limited", 1)
    p = run_driver(fake, "poll", "pollo", "text_to_video", job)
    assert answer(p)["status"] == "VG_OK"
    assert "sleep 1000" in p.stderr.splitlines()


@pytest.mark.parametrize("kind, times, status, seen, made", CREATE_FAULTS)
def test_a_create_fault_gives_its_status_and_never_a_second_paid_task(fake, kind, times, status,
                                                                      seen, made):
    fake.fault("create", kind, times)
    p = run_driver(fake, "submit", "pollo", "text_to_video", "--prompt", PROMPT,
                   env=fault_env(kind))
    assert_create_fault(p, len(fake.requests_to("create")), fake.tasks, kind, times, status,
                        seen, made, not_resent=None)


def test_lost_response_after_create_cannot_be_reconciled_so_fail_without_charging(fake):
    fake.fault("create", "lost")
    assert submit(fake)["status"] == "VG_EOUTCOME_UNKNOWN"
    a = answer(run_driver(fake, "reconcile", "pollo", "text_to_video", "--since-us", "0",
                          "--prompt", PROMPT))
    assert a["status"] == "VG_EUNSUPPORTED", a
    assert "without charging" in a["message"]
    assert len(fake.requests_to("create")) == 1 and len(fake.tasks) == 1


def test_an_unreachable_pollo_is_vg_enetwork():
    a = answer(run_driver(None, "poll", "pollo", "text_to_video", "pollo-task-0001"))
    assert a["status"] == "VG_ENETWORK", a


# ---- the circuit breaker ------------------------------------------------------------------

@pytest.mark.parametrize("repeat, step, failing, statuses, seen", BREAKER)
def test_the_breaker(fake, repeat, step, failing, statuses, seen):
    job = created(fake)
    fake.steps = ["processing"]
    fake.fault("status", "unavailable", failing)
    p = run_driver(fake, *breaker_args(repeat, step), "poll", "pollo", "text_to_video", job)
    assert_breaker(p, statuses, len(fake.requests_to("status")), seen, "running")


# ---- info and check ----------------------------------------------------------------------

def test_check_reads_the_credit_balance(fake):
    a = answer(run_driver(fake, "check", "pollo"))
    assert a["status"] == "VG_OK", a
    assert a["checked"] == 1 and a["reachable"] == 1 and a["check_status"] == "VG_OK"
    assert "1234.50 of 2000.00 credits" in a["detail"]
    assert a["has_key"] == 1 and a["key_source"] == "POLLO_API_KEY"
    assert a["key_masked"] and KEY not in a["key_masked"]
    [r] = fake.requests
    assert r.method == "GET" and r.path == "/credit/balance" and r.headers["x-api-key"] == KEY


def test_check_with_a_refused_key_is_unreachable_with_vg_eprovider_auth(fake):
    a = answer(run_driver(fake, "check", "pollo", key="another-fake-pollo-key",
                          check_secrets=("another-fake-pollo-key",)))
    assert a["status"] == "VG_OK" and a["reachable"] == 0
    assert a["check_status"] == "VG_EPROVIDER_AUTH"


def test_check_without_a_key_sends_nothing(fake):
    a = answer(run_driver(fake, "check", "pollo", key=None))
    assert a["reachable"] == 0 and a["check_status"] == "VG_ENO_API_KEY"
    assert fake.requests == []


# ---- webhooks ------------------------------------------------------------------------------

def webhook(tmp_path, body, signature, *extra, timestamp=NOW, wid="msg_2f9c01",
            now=NOW, secret=RAW_SECRET, secret_env=None):
    f = tmp_path / "body.json"
    f.write_bytes(body.encode() if isinstance(body, str) else body)
    args = ["--now-s", str(now), "pollo-webhook", "--id", wid, "--timestamp", str(timestamp),
            "--signature", signature, "--body-file", str(f), *extra]
    if secret is not None:
        args += ["--secret", secret]
    p = run_driver(None, *args, key=None, secret_env=secret_env,
                   check_secrets=(signature,) if len(signature) > 20 else ())
    return answer(p)


def signed(body, secret=RAW_SECRET, wid="msg_2f9c01", timestamp=NOW):
    return sign_webhook(secret, wid, str(timestamp), body)


def test_webhook_signed_with_the_raw_secret_verifies_and_fills_the_job(tmp_path):
    body = webhook_body("pollo-task-0042")
    a = webhook(tmp_path, body, signed(body))
    assert a["status"] == "VG_OK", a
    assert a["provider"] == "pollo" and a["job_id"] == "pollo-task-0042"
    assert a["state"] == "succeeded" and a["kind"] == "text_to_video"
    assert a["result_url"] == "https://cdn.pollo.test/out/v.mp4"
    assert a["media_type"] == "video" and a["percent"] == 100


def test_webhook_signed_with_a_whsec_base64_secret_verifies_in_base64_mode(tmp_path):
    body = webhook_body("pollo-task-0043")
    a = webhook(tmp_path, body, signed(body, B64_SECRET), "--base64", secret=B64_SECRET)
    assert a["status"] == "VG_OK", a
    assert a["job_id"] == "pollo-task-0043"


def test_webhook_base64_secret_without_the_whsec_prefix_verifies(tmp_path):
    body = webhook_body("pollo-task-0044")
    bare = B64_SECRET[len("whsec_"):]
    a = webhook(tmp_path, body, signed(body, B64_SECRET), "--base64", secret=bare)
    assert a["status"] == "VG_OK", a


def test_webhook_base64_signature_does_not_verify_in_raw_mode(tmp_path):
    body = webhook_body("pollo-task-0045")
    a = webhook(tmp_path, body, signed(body, B64_SECRET), secret=B64_SECRET)
    assert a["status"] == "VG_ESIGNATURE", a


def test_webhook_secret_that_is_not_base64_is_vg_econfig_in_base64_mode(tmp_path):
    body = webhook_body("pollo-task-0046")
    a = webhook(tmp_path, body, signed(body), "--base64", secret="whsec_not*base64!")
    assert a["status"] == "VG_ECONFIG", a


def test_webhook_with_a_tampered_body_is_vg_esignature(tmp_path):
    body = webhook_body("pollo-task-0047")
    sig = signed(body)
    a = webhook(tmp_path, body.replace("0047", "0048"), sig)
    assert a["status"] == "VG_ESIGNATURE", a
    assert sig not in a["message"]


@pytest.mark.parametrize("field", ["id", "timestamp"])
def test_webhook_whose_signed_headers_changed_is_vg_esignature(tmp_path, field):
    body = webhook_body("pollo-task-0049")
    sig = signed(body)
    if field == "id":
        a = webhook(tmp_path, body, sig, wid="msg_other")
    else:
        a = webhook(tmp_path, body, sig, timestamp=NOW + 1)
    assert a["status"] == "VG_ESIGNATURE", a


def test_webhook_signed_with_another_secret_is_vg_esignature(tmp_path):
    body = webhook_body("pollo-task-0050")
    a = webhook(tmp_path, body, signed(body, "some-other-fake-secret"))
    assert a["status"] == "VG_ESIGNATURE", a


@pytest.mark.parametrize("offset", [-301, 301, -3600, 86400])
def test_webhook_beyond_the_tolerance_past_or_future_is_vg_ereplay(tmp_path, offset):
    body = webhook_body("pollo-task-0051")
    ts = NOW + offset
    a = webhook(tmp_path, body, signed(body, timestamp=ts), timestamp=ts)
    assert a["status"] == "VG_EREPLAY", a


@pytest.mark.parametrize("offset", [-300, 300, 0])
def test_webhook_within_the_tolerance_verifies(tmp_path, offset):
    body = webhook_body("pollo-task-0052")
    ts = NOW + offset
    a = webhook(tmp_path, body, signed(body, timestamp=ts), timestamp=ts)
    assert a["status"] == "VG_OK", a


def test_webhook_tolerance_argument_replaces_the_default(tmp_path):
    body = webhook_body("pollo-task-0053")
    ts = NOW - 11
    sig = signed(body, timestamp=ts)
    assert webhook(tmp_path, body, sig, "--tolerance", "10", timestamp=ts)["status"] == \
        "VG_EREPLAY"
    assert webhook(tmp_path, body, sig, "--tolerance", "11", timestamp=ts)["status"] == "VG_OK"


def test_webhook_stale_and_unsigned_is_vg_esignature_the_clock_is_not_revealed(tmp_path):
    body = webhook_body("pollo-task-0054")
    ts = NOW - 3600
    a = webhook(tmp_path, body, signed(body, "some-other-fake-secret", timestamp=ts),
                timestamp=ts)
    assert a["status"] == "VG_ESIGNATURE", a


def test_webhook_with_two_signatures_of_which_the_second_is_valid_verifies(tmp_path):
    body = webhook_body("pollo-task-0055")
    wrong = signed(body, "some-other-fake-secret")
    a = webhook(tmp_path, body, "v1,%s v1,%s" % (wrong, signed(body)))
    assert a["status"] == "VG_OK", a


def test_webhook_signature_with_the_v1_prefix_verifies(tmp_path):
    body = webhook_body("pollo-task-0056")
    a = webhook(tmp_path, body, "v1," + signed(body))
    assert a["status"] == "VG_OK", a


def test_webhook_signature_of_another_scheme_version_is_not_accepted(tmp_path):
    body = webhook_body("pollo-task-0057")
    a = webhook(tmp_path, body, "v2," + signed(body))
    assert a["status"] == "VG_ESIGNATURE", a


@pytest.mark.parametrize("ts", ["12a", "1.5", "-5", "+1767225600", " 1767225600",
                                "17672256001234567"])
def test_webhook_timestamp_that_is_not_unix_seconds_is_vg_einval(tmp_path, ts):
    body = webhook_body("pollo-task-0058")
    a = webhook(tmp_path, body, sign_webhook(RAW_SECRET, "msg_2f9c01", ts, body), timestamp=ts)
    assert a["status"] == "VG_EINVAL", a


def test_webhook_without_any_secret_is_vg_econfig(tmp_path):
    body = webhook_body("pollo-task-0059")
    a = webhook(tmp_path, body, signed(body), secret=None)
    assert a["status"] == "VG_ECONFIG", a
    assert "POLLO_WEBHOOK_SECRET" in a["message"]


def test_webhook_secret_comes_from_pollo_webhook_secret_when_not_given(tmp_path):
    body = webhook_body("pollo-task-0060")
    a = webhook(tmp_path, body, signed(body), secret=None, secret_env=RAW_SECRET)
    assert a["status"] == "VG_OK", a


def test_webhook_without_a_signature_header_is_vg_einval(tmp_path):
    body = webhook_body("pollo-task-0061")
    a = webhook(tmp_path, body, "")
    assert a["status"] == "VG_EINVAL", a


def test_webhook_of_a_failed_task_fills_state_and_reason(tmp_path):
    body = webhook_body("pollo-task-0062", status="failed", fail_msg=FAIL_MSG)
    a = webhook(tmp_path, body, signed(body))
    assert a["status"] == "VG_OK", a
    assert a["state"] == "failed" and a["failure"] == FAIL_MSG and a["result_url"] == ""


@pytest.mark.parametrize("body", ['{"taskId": "pollo-task-0063", "status": "succeed"',
                                  '{"status": "succeed"}', '["pollo-task-0063"]',
                                  '{"taskId": "pollo-task-0063", "status": "exploded"}', ""])
def test_webhook_that_verifies_but_is_not_a_pollo_task_is_vg_einval(tmp_path, body):
    a = webhook(tmp_path, body, signed(body))
    assert a["status"] == "VG_EINVAL", a
