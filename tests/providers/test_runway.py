# SPDX-License-Identifier: MIT
"""The Runway client (lib/providers/runway.c) against its loopback fake
(tests/fakes/fake_runway.py), through the provider driver ($VIDGO_PROVIDER_DRIVER): the
exact requests, the six task statuses, cancel, every fault with the vg_status the docs
promise, the paid-job rule, the circuit breaker, and the key never shown at DEBUG level."""
import base64
import json
import os
import sys
import urllib.error
import urllib.request

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from provider_support import (BREAKER, CREATE_FAULTS, POLL_FAULTS, Driver,  # noqa: E402
                              assert_breaker, assert_create_fault, assert_poll_fault,
                              breaker_args, fault_env, fake_fixtures, one, outputs)
from fake_runway import FakeRunway, output_url  # noqa: E402

# Not shaped like a real key (key_ followed by 128 hex digits).
KEY = "test-runway-key-NOT-REAL-0000"
IMAGE_URL = "https://assets.example.test/product.png"
PROMPT = "a bottle of olive oil turning on a marble table"
DRIVER = Driver("runway", KEY, key_var="RUNWAY_API_KEY", base_var="VIDGO_RUNWAY_BASE_URL",
                strip=("RUNWAY_", "VIDGO_RUNWAY_"))
run_driver = DRIVER.run


def submit(fake, *opts, kind="image_to_video", **kw):
    if kind == "image_to_video" and "--input-url" not in opts and "--image" not in opts:
        opts = opts + ("--input-url", IMAGE_URL)
    if "--prompt" not in opts:
        opts = opts + ("--prompt", PROMPT)
    return run_driver(fake, "submit", "runway", kind, *opts, **kw)


def poll(fake, task, **kw):
    return one(run_driver(fake, "poll", "runway", "image_to_video", task, **kw))


def creates(fake):
    return fake.seen("POST", "/v1/")


server, fake = fake_fixtures(lambda: FakeRunway(KEY))


# ---- the requests ---------------------------------------------------------------------------


def test_image_to_video_sends_the_documented_request(fake):
    j = one(submit(fake, "--seed", "42", "--duration", "10"))
    assert fake.violations == []
    assert [r.method + " " + r.path for r in fake.requests] == ["POST /v1/image_to_video"]
    r = fake.requests[0]
    assert r.headers["authorization"] == "Bearer " + KEY
    assert r.headers["x-runway-version"] == "2024-11-06"
    assert r.headers["content-type"].startswith("application/json")
    assert json.loads(r.body) == {"model": "gen4_turbo", "promptImage": IMAGE_URL,
                                  "promptText": PROMPT, "ratio": "1280:720", "duration": 10,
                                  "seed": 42}
    assert j["status"] == "VG_OK"
    assert j["job_id"] in fake.tasks
    assert (j["provider"], j["kind"], j["state"]) == ("runway", "image_to_video", "pending")
    assert (j["model"], j["width"], j["height"], j["duration_s"]) == ("gen4_turbo", 1280, 720, 10)
    assert j["poll_after_ms"] == 6000
    assert j["api_cost_micro"] == -1
    assert j["percent"] == -1


def test_image_to_video_defaults_to_5_seconds_without_a_seed(fake):
    assert one(submit(fake))["duration_s"] == 5
    body = json.loads(fake.requests[0].body)
    assert body["duration"] == 5
    assert "seed" not in body


def test_image_bytes_are_sent_as_a_base64_data_uri(fake, tmp_path):
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    f = tmp_path / "product.png"
    f.write_bytes(png)
    assert one(submit(fake, "--image", str(f), "--mime", "image/png"))["status"] == "VG_OK"
    assert fake.violations == []
    body = json.loads(fake.requests[0].body)
    assert body["promptImage"] == "data:image/png;base64," + base64.b64encode(png).decode()


def test_a_data_uri_input_url_is_sent_as_it_is(fake):
    uri = "data:image/jpeg;base64," + base64.b64encode(b"\xff\xd8\xff fake jpeg").decode()
    assert one(submit(fake, "--input-url", uri))["status"] == "VG_OK"
    assert json.loads(fake.requests[0].body)["promptImage"] == uri


def test_portrait_ratio_comes_from_width_and_height(fake):
    j = one(submit(fake, "--width", "720", "--height", "1280"))
    assert (j["width"], j["height"]) == (720, 1280)
    assert json.loads(fake.requests[0].body)["ratio"] == "720:1280"


def test_text_to_video_uses_gen4_5_with_ratio_and_duration(fake):
    j = one(submit(fake, kind="text_to_video"))
    assert fake.violations == []
    r = fake.requests[0]
    assert (r.method, r.path) == ("POST", "/v1/text_to_video")
    assert r.headers["x-runway-version"] == "2024-11-06"
    assert json.loads(r.body) == {"model": "gen4.5", "promptText": PROMPT, "ratio": "1280:720",
                                  "duration": 5}
    assert (j["kind"], j["model"], j["duration_s"]) == ("text_to_video", "gen4.5", 5)


def test_gen4_5_image_to_video_accepts_any_duration_from_2_to_10(fake):
    j = one(submit(fake, "--model", "gen4.5", "--duration", "7"))
    assert j["status"] == "VG_OK", j
    assert json.loads(fake.requests[0].body)["duration"] == 7
    assert fake.violations == []


def test_a_prompt_of_exactly_1000_utf16_units_is_accepted(fake):
    prompt = "\U0001F600" * 400 + "a" * 200  # 800 + 200 UTF-16 code units
    assert one(submit(fake, "--prompt", prompt))["status"] == "VG_OK"
    assert json.loads(fake.requests[0].body)["promptText"] == prompt
    assert fake.violations == []


@pytest.mark.parametrize("opts, status", [
    (("--width", "1000", "--height", "1000"), "VG_EPARAMETER"),
    (("--duration", "7"), "VG_EPARAMETER"),
    (("--resolution", "480"), "VG_EPARAMETER"),
    (("--resolution", "1080"), "VG_EPARAMETER"),
    (("--model", "gen9_imaginary"), "VG_EPARAMETER"),
    (("--seed", "4294967296"), "VG_EPARAMETER"),
    (("--prompt", "a" * 1001), "VG_EPARAMETER"),
    (("--prompt", "\U0001F600" * 400 + "a" * 201), "VG_EPARAMETER"),
    (("--input-url", "http://assets.example.test/product.png"), "VG_EINPUT_ASSET"),
    (("--input-url", "/tmp/product.png"), "VG_EINPUT_ASSET"),
    (("--input-url", "data:text/plain;base64,aGk="), "VG_EINPUT_ASSET"),
])
def test_a_task_runway_would_refuse_is_refused_before_any_request(fake, opts, status):
    j = one(submit(fake, *opts))
    assert j["status"] == status, j
    assert fake.requests == []


def test_an_image_over_5_mb_once_encoded_is_vg_einput_asset(fake, tmp_path):
    f = tmp_path / "big.png"
    f.write_bytes(b"\x89PNG" + b"\0" * (3 * 1024 * 1024 + 900 * 1024))
    j = one(submit(fake, "--image", str(f), "--mime", "image/png"))
    assert j["status"] == "VG_EINPUT_ASSET"
    assert "5 MB" in j["message"]
    assert fake.requests == []


def test_an_image_of_another_type_is_vg_einput_asset(fake, tmp_path):
    f = tmp_path / "anim.gif"
    f.write_bytes(b"GIF89a....")
    j = one(submit(fake, "--image", str(f), "--mime", "image/gif"))
    assert j["status"] == "VG_EINPUT_ASSET"
    assert fake.requests == []


def test_runway_does_not_make_style_transfer(fake):
    j = one(run_driver(fake, "submit", "runway", "style_transfer", "--input-url", IMAGE_URL))
    assert j["status"] == "VG_EUNSUPPORTED"
    assert fake.requests == []


# ---- the task lifecycle ------------------------------------------------------------------------


def test_run_goes_through_pending_throttled_running_and_succeeded(fake):
    out = outputs(run_driver(fake, "run", "runway", "image_to_video", "--prompt", PROMPT,
                           "--input-url", IMAGE_URL))
    assert [(j["state"], j["percent"]) for j in out] == [
        ("pending", -1), ("pending", -1), ("pending", -1), ("running", 25), ("running", 75),
        ("succeeded", 100)]
    last = out[-1]
    assert last["result_url"] == output_url(last["job_id"])
    assert last["media_type"] == "video"
    assert last["poll_after_ms"] == 0
    assert last["api_cost_micro"] == -1
    assert all(j["poll_after_ms"] == 6000 for j in out[:-1])
    polls = fake.seen("GET", "/v1/tasks/")
    assert len(polls) == 5
    assert all(r.path == "/v1/tasks/" + last["job_id"] for r in polls)
    assert all(r.headers["x-runway-version"] == "2024-11-06" for r in polls)
    assert all(r.headers["authorization"] == "Bearer " + KEY for r in polls)


@pytest.mark.parametrize("status, state, percent", [
    ("PENDING", "pending", -1),
    ("THROTTLED", "pending", -1),
    ("RUNNING", "running", -1),
    ("RUNNING:0.333", "running", 33),
    ("SUCCEEDED", "succeeded", 100),
    ("FAILED", "failed", -1),
    ("CANCELLED", "cancelled", -1),
])
def test_each_runway_status_maps_to_its_state(fake, status, state, percent):
    task = fake.add_task(script=[status])
    j = poll(fake, task)
    assert (j["status"], j["state"], j["percent"]) == ("VG_OK", state, percent)
    assert j["job_id"] == task


def test_a_failed_task_gives_its_failure_and_failure_code(fake):
    fake.script = ["PENDING", "RUNNING:0.5", "FAILED"]
    out = outputs(run_driver(fake, "run", "runway", "image_to_video", "--prompt", PROMPT,
                           "--input-url", IMAGE_URL))
    last = out[-1]
    assert (last["status"], last["state"]) == ("VG_OK", "failed")
    assert last["failure_code"] == "SAFETY.INPUT.TEXT"
    assert last["failure"] == fake.failure
    assert last["result_url"] == ""


def test_a_task_pending_forever_stays_pending_with_the_sdk_interval(fake):
    fake.script = ["PENDING"]
    out = outputs(run_driver(fake, "run", "runway", "image_to_video", "--prompt", PROMPT,
                           "--input-url", IMAGE_URL, "--max-polls", "4"))
    assert len(out) == 5
    assert all(j["state"] == "pending" and j["poll_after_ms"] == 6000 for j in out)


def test_an_unknown_status_is_vg_eprovider_response(fake):
    task = fake.add_task()
    fake.fault("poll", "bad_status")
    j = poll(fake, task)
    assert j["status"] == "VG_EPROVIDER_RESPONSE"
    assert "EXPLODED" in j["message"]


def test_succeeded_without_output_is_vg_eprovider_response(fake):
    task = fake.add_task(script=["SUCCEEDED"])
    fake.fault("poll", "no_output")
    assert poll(fake, task)["status"] == \
        "VG_EPROVIDER_RESPONSE"


@pytest.mark.parametrize("command", ["poll", "cancel"])
def test_a_task_id_that_is_not_a_runway_id_is_refused(fake, command):
    args = ("poll", "runway", "image_to_video", "..") if command == "poll" else \
        ("cancel", "runway", "..")
    assert one(run_driver(fake, *args))["status"] == "VG_EINVAL"
    assert fake.requests == []


def test_polling_an_unknown_task_is_vg_enotfound(fake):
    j = one(run_driver(fake, "poll", "runway", "image_to_video",
                       "00000000-0000-4000-8000-000000000000"))
    assert j["status"] == "VG_ENOTFOUND"
    assert len(fake.requests) == 1


# ---- cancel and reconcile ------------------------------------------------------------------------


def test_cancel_deletes_the_task_and_it_then_reads_cancelled(fake):
    task = one(submit(fake))["job_id"]
    assert one(run_driver(fake, "cancel", "runway", task)) == {"status": "VG_OK"}
    d = fake.seen("DELETE", "/v1/tasks/")
    assert [r.path for r in d] == ["/v1/tasks/" + task]
    assert d[0].headers["x-runway-version"] == "2024-11-06"
    assert d[0].headers["authorization"] == "Bearer " + KEY
    j = poll(fake, task)
    assert (j["status"], j["state"]) == ("VG_OK", "cancelled")


def test_cancel_of_a_finished_task_deletes_it(fake):
    task = fake.add_task(script=["SUCCEEDED"])
    poll(fake, task)
    assert one(run_driver(fake, "cancel", "runway", task)) == {"status": "VG_OK"}
    assert poll(fake, task)["status"] == \
        "VG_ENOTFOUND"


def test_cancel_of_an_unknown_task_is_vg_enotfound(fake):
    j = one(run_driver(fake, "cancel", "runway", "00000000-0000-4000-8000-000000000000"))
    assert j["status"] == "VG_ENOTFOUND"


def test_reconcile_is_unsupported_and_sends_nothing(fake):
    j = one(run_driver(fake, "reconcile", "runway", "image_to_video", "--since-us", "0",
                       "--prompt", PROMPT, "--input-url", IMAGE_URL))
    assert j["status"] == "VG_EUNSUPPORTED"
    assert "without charging" in j["message"]
    assert fake.requests == []


# ---- check and info -------------------------------------------------------------------------


def test_check_reads_the_organization_and_its_credit_balance(fake):
    j = one(run_driver(fake, "check", "runway"))
    assert (j["check_status"], j["reachable"], j["detail"]) == ("VG_OK", 1, "credit balance 4242")
    r = fake.requests[0]
    assert (r.method, r.path) == ("GET", "/v1/organization")
    assert r.headers["x-runway-version"] == "2024-11-06"


def test_check_with_a_refused_key_is_reported_not_failed(fake):
    j = one(run_driver(fake, "check", "runway", key="test-wrong-runway-key-0000"))
    assert (j["status"], j["check_status"], j["reachable"]) == ("VG_OK", "VG_EPROVIDER_AUTH", 0)


def test_info_masks_the_key(fake):
    j = one(run_driver(fake, "info", "runway"))
    assert (j["has_key"], j["key_source"]) == (1, "RUNWAY_API_KEY")
    assert j["key_masked"] not in ("", KEY)
    assert j["base_url"] == fake.base_url


# ---- faults ------------------------------------------------------------------------------------


def test_no_key_is_vg_eno_api_key_and_sends_nothing(fake):
    j = one(submit(fake, key=None))
    assert j["status"] == "VG_ENO_API_KEY"
    assert fake.requests == []


def test_a_wrong_key_is_vg_eprovider_auth(fake):
    j = one(submit(fake, key="test-wrong-runway-key-0000"))
    assert j["status"] == "VG_EPROVIDER_AUTH"
    assert fake.tasks == {}


def test_the_fake_refuses_a_request_without_the_version_header(fake):
    req = urllib.request.Request(fake.base_url + "/v1/organization",
                                 headers={"Authorization": "Bearer " + KEY})
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req, timeout=5)
    assert e.value.code == 400
    assert "X-Runway-Version" in json.loads(e.value.read())["error"]


@pytest.mark.parametrize("kind, times, status, seen, made", CREATE_FAULTS)
def test_a_create_fault_gives_its_status_and_never_a_second_paid_task(fake, kind, times, status,
                                                                      seen, made):
    fake.fault("create", kind, times)
    p = submit(fake, env=fault_env(kind))
    assert_create_fault(p, len(creates(fake)), fake.tasks, kind, times, status, seen, made)


@pytest.mark.parametrize("kind, times, status, seen", POLL_FAULTS)
def test_a_poll_fault_gives_its_status(fake, kind, times, status, seen):
    task = fake.add_task(script=["RUNNING:0.5"])
    fake.fault("poll", kind, times)
    p = run_driver(fake, "poll", "runway", "image_to_video", task, env=fault_env(kind))
    j = assert_poll_fault(p, len(fake.requests), status, seen)
    if status == "VG_OK":
        assert j["percent"] == 50


def test_404_on_poll_is_vg_enotfound(fake):
    task = fake.add_task()
    fake.fault("poll", "not_found")
    assert poll(fake, task)["status"] == "VG_ENOTFOUND"


def test_400_is_vg_eprovider_rejected_with_runways_message(fake):
    fake.fault("create", "bad_request")
    j = one(submit(fake))
    assert j["status"] == "VG_EPROVIDER_REJECTED"
    assert "HTTP 400: promptImage: the asset could not be fetched" in j["message"]
    assert len(creates(fake)) == 1
    assert fake.tasks == {}


def test_a_slow_drip_within_the_timeout_is_read_whole(fake):
    task = fake.add_task(script=["RUNNING:0.5"])
    fake.drip = 0.001
    fake.fault("poll", "drip")
    j = poll(fake, task)
    assert (j["status"], j["percent"]) == ("VG_OK", 50)


def test_an_unreachable_runway_is_vg_enetwork():
    j = one(submit(None))
    assert j["status"] == "VG_ENETWORK"


# ---- the circuit breaker ----------------------------------------------------------------------


@pytest.mark.parametrize("repeat, step, failing, statuses, seen", BREAKER)
def test_the_breaker(fake, repeat, step, failing, statuses, seen):
    task = fake.add_task(script=["RUNNING:0.5"])
    fake.fault("poll", "unavailable", failing)
    p = run_driver(fake, *breaker_args(repeat, step), "poll", "runway", "image_to_video", task)
    assert_breaker(p, statuses, len(fake.requests), seen, "running")
