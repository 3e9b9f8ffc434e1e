# SPDX-License-Identifier: MIT
"""The GoEnhance client (lib/providers/goenhance.c) against its loopback fake
(tests/fakes/fake_goenhance.py), through the provider driver ($VIDGO_PROVIDER_DRIVER): the
exact requests, the envelope (code != 0 fails even on HTTP 200), every job status (success
and completed both done), the enhance endpoints behind their variables, every fault with the
vg_status the docs promise, the paid-job rule, the circuit breaker, and the key never shown
at DEBUG level."""
import json
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from provider_support import (BREAKER, CREATE_FAULTS, POLL_FAULTS, Driver,  # noqa: E402
                              assert_breaker, assert_create_fault, assert_poll_fault,
                              breaker_args, fault_env, fake_fixtures, one, outputs)
from fake_goenhance import HD_PATH, VE_PATH, FakeGoEnhance, image_url, video_url  # noqa: E402

# Not shaped like a real token (sk-...).
KEY = "test-goenhance-token-NOT-REAL-0000"
VIDEO = "https://assets.example.test/clip.mp4"
ENHANCE_ENV = {"VIDGO_GOENHANCE_HD_ENHANCE_PATH": HD_PATH,
               "VIDGO_GOENHANCE_VIDEO_ENHANCE_PATH": VE_PATH}
DRIVER = Driver("goenhance", KEY, key_var="GOENHANCE_API_KEY",
                base_var="VIDGO_GOENHANCE_BASE_URL", strip=("GOENHANCE_", "VIDGO_GOENHANCE_"))
run_driver = DRIVER.run


def submit(fake, *opts, kind="style_transfer", **kw):
    if "--input-url" not in opts and "--image" not in opts:
        opts = opts + ("--input-url", VIDEO)
    return run_driver(fake, "submit", "goenhance", kind, *opts, **kw)


def poll(fake, job_id, kind="style_transfer", **kw):
    return one(run_driver(fake, "poll", "goenhance", kind, job_id, **kw))


def creates(fake):
    return fake.seen("POST", "/api/")


server, fake = fake_fixtures(lambda: FakeGoEnhance(KEY))


# ---- style transfer ---------------------------------------------------------------------------


def test_style_transfer_sends_the_documented_request(fake):
    j = one(submit(fake, "--style", "2004", "--duration", "10", "--seed", "7",
                   "--prompt", "a clay bottle"))
    assert fake.violations == []
    assert [r.method + " " + r.path for r in fake.requests] == \
        ["POST /api/v1/video2video/generate"]
    r = fake.requests[0]
    assert r.headers["authorization"] == "Bearer " + KEY
    assert r.headers["content-type"].startswith("application/json")
    assert json.loads(r.body) == {"args": {"model": 2004, "duration": 10,
                                           "reference_video_url": VIDEO, "seed": 7,
                                           "resolution": "720p", "prompt": "a clay bottle"},
                                  "type": "mx-v2v"}
    assert j["status"] == "VG_OK"
    assert j["job_id"] in fake.jobs
    assert (j["provider"], j["kind"], j["state"], j["model"]) == \
        ("goenhance", "style_transfer", "pending", "2004")
    assert j["poll_after_ms"] == 5000
    assert j["api_cost_micro"] == -1


def test_style_transfer_defaults(fake):
    assert one(submit(fake))["model"] == "2000"
    assert json.loads(fake.requests[0].body) == {
        "args": {"model": 2000, "duration": 5, "reference_video_url": VIDEO, "seed": -1,
                 "resolution": "720p", "prompt": ""},
        "type": "mx-v2v"}


def test_the_model_option_names_the_style_when_no_style_is_given(fake):
    assert one(submit(fake, "--model", "1033"))["status"] == "VG_OK"
    assert json.loads(fake.requests[0].body)["args"]["model"] == 1033


def test_resolution_540_is_sent_as_540p(fake):
    assert one(submit(fake, "--resolution", "540"))["status"] == "VG_OK"
    assert json.loads(fake.requests[0].body)["args"]["resolution"] == "540p"
    assert fake.violations == []


@pytest.mark.parametrize("opts, status", [
    (("--input-url", "http://assets.example.test/clip.mp4"), "VG_EINPUT_ASSET"),
    (("--input-url", "/tmp/clip.mp4"), "VG_EINPUT_ASSET"),
    (("--style", "anime"), "VG_EPARAMETER"),
    (("--model", "20x0"), "VG_EPARAMETER"),
    (("--duration", "2"), "VG_EPARAMETER"),
    (("--duration", "31"), "VG_EPARAMETER"),
    (("--resolution", "600"), "VG_EPARAMETER"),
    (("--resolution", "1080"), "VG_EPARAMETER"),
    (("--seed", "2147483648"), "VG_EPARAMETER"),
])
def test_a_task_goenhance_would_refuse_is_refused_before_any_request(fake, opts, status):
    j = one(submit(fake, *opts))
    assert j["status"] == status, j
    assert fake.requests == []


def test_image_bytes_are_not_a_video_input(fake, tmp_path):
    f = tmp_path / "p.png"
    f.write_bytes(b"\x89PNG....")
    j = one(run_driver(fake, "submit", "goenhance", "style_transfer", "--image", str(f),
                       "--mime", "image/png"))
    assert j["status"] == "VG_EINPUT_ASSET"
    assert fake.requests == []


def test_goenhance_does_not_make_text_to_video(fake):
    j = one(run_driver(fake, "submit", "goenhance", "text_to_video", "--prompt", "x"))
    assert j["status"] == "VG_EUNSUPPORTED"
    assert fake.requests == []


# ---- the envelope -------------------------------------------------------------------------------


def test_a_code_other_than_0_on_http_200_is_vg_eprovider_rejected_with_the_message(fake):
    fake.fault("create", "rejected")
    j = one(submit(fake))
    assert j["status"] == "VG_EPROVIDER_REJECTED"
    assert "code 1003" in j["message"] and "Insufficient credits" in j["message"]
    assert len(creates(fake)) == 1
    assert fake.jobs == {}


def test_an_invalid_token_in_the_envelope_is_vg_eprovider_auth(fake):
    fake.fault("create", "token_invalid")
    j = one(submit(fake))
    assert j["status"] == "VG_EPROVIDER_AUTH"
    assert "Invalid token" in j["message"]


def test_a_wrong_key_answered_with_http_401_is_vg_eprovider_auth(fake):
    j = one(submit(fake, key="test-wrong-goenhance-token"))
    assert j["status"] == "VG_EPROVIDER_AUTH"
    assert fake.jobs == {}


def test_a_wrong_key_answered_with_an_http_200_envelope_is_vg_eprovider_auth(fake):
    fake.auth_style = "envelope"
    j = one(submit(fake, key="test-wrong-goenhance-token"))
    assert j["status"] == "VG_EPROVIDER_AUTH"
    assert fake.jobs == {}


def test_an_answer_without_its_envelope_code_is_vg_eprovider_response_on_poll(fake):
    job = fake.add_job()
    fake.fault("poll", "no_code")
    assert poll(fake, job)["status"] == "VG_EPROVIDER_RESPONSE"


def test_an_answer_without_its_envelope_code_on_create_is_vg_eoutcome_unknown(fake):
    fake.fault("create", "no_code")
    assert one(submit(fake))["status"] == "VG_EOUTCOME_UNKNOWN"
    assert len(fake.jobs) == 1


# ---- polling -------------------------------------------------------------------------------------


def test_run_goes_through_pending_processing_and_success(fake):
    out = outputs(run_driver(fake, "run", "goenhance", "style_transfer", "--input-url", VIDEO))
    assert [j["state"] for j in out] == ["pending", "pending", "running", "succeeded"]
    last = out[-1]
    assert last["result_url"] == video_url(last["job_id"])
    assert (last["media_type"], last["percent"], last["poll_after_ms"]) == ("video", 100, 0)
    assert all(j["poll_after_ms"] == 5000 for j in out[:-1])
    polls = fake.seen("GET", "/api/v1/jobs/detail")
    assert [r.path for r in polls] == ["/api/v1/jobs/detail?img_uuid=" + last["job_id"]] * 3
    assert all(r.headers["authorization"] == "Bearer " + KEY for r in polls)


@pytest.mark.parametrize("status, state", [
    ("pending", "pending"),
    ("processing", "running"),
    ("success", "succeeded"),
    ("completed", "succeeded"),
    ("failed", "failed"),
])
def test_each_goenhance_status_maps_to_its_state(fake, status, state):
    job = fake.add_job(script=[status])
    j = poll(fake, job)
    assert (j["status"], j["state"]) == ("VG_OK", state)
    assert j["percent"] == (100 if state == "succeeded" else -1)


@pytest.mark.parametrize("done", ["success", "completed"])
def test_both_success_and_completed_give_the_result(fake, done):
    job = fake.add_job(script=[done])
    j = poll(fake, job)
    assert (j["state"], j["result_url"]) == ("succeeded", video_url(job))


@pytest.mark.parametrize("result, media, url", [
    ("both", "video", video_url),
    ("image", "image", image_url),
    ("img_url", "video", video_url),
])
def test_the_result_is_the_first_video_else_the_image_else_img_url(fake, result, media, url):
    fake.result = result
    job = fake.add_job(script=["success"])
    j = poll(fake, job)
    assert (j["media_type"], j["result_url"]) == (media, url(job))


def test_a_done_job_without_a_result_is_vg_eprovider_response(fake):
    fake.result = "none"
    assert poll(fake, fake.add_job(script=["success"]))["status"] == "VG_EPROVIDER_RESPONSE"


def test_a_failed_job_reads_failed_with_a_reason(fake):
    fake.script = ["pending", "failed"]
    out = outputs(run_driver(fake, "run", "goenhance", "style_transfer", "--input-url", VIDEO))
    last = out[-1]
    assert (last["status"], last["state"]) == ("VG_OK", "failed")
    assert last["failure"] == "GoEnhance reported the job failed"
    assert last["result_url"] == ""


def test_a_job_pending_forever_stays_pending_with_the_documented_interval(fake):
    fake.script = ["pending"]
    out = outputs(run_driver(fake, "run", "goenhance", "style_transfer", "--input-url", VIDEO,
                           "--max-polls", "4"))
    assert len(out) == 5
    assert all(j["state"] == "pending" and j["poll_after_ms"] == 5000 for j in out)


def test_an_unknown_status_is_vg_eprovider_response(fake):
    job = fake.add_job()
    fake.fault("poll", "bad_status")
    j = poll(fake, job)
    assert j["status"] == "VG_EPROVIDER_RESPONSE"
    assert "exploded" in j["message"]


def test_an_unknown_job_answered_with_404_is_vg_enotfound(fake):
    assert poll(fake, "00000000-0000-4000-8000-000000000000")["status"] == "VG_ENOTFOUND"


def test_an_unknown_job_answered_in_the_envelope_is_vg_enotfound(fake):
    fake.missing_style = "envelope"
    assert poll(fake, "00000000-0000-4000-8000-000000000000")["status"] == "VG_ENOTFOUND"


def test_a_job_id_that_would_change_the_query_is_refused(fake):
    assert poll(fake, "abc&img_uuid=other")["status"] == "VG_EINVAL"
    assert fake.requests == []


# ---- cancel, reconcile, check -------------------------------------------------------------------


def test_cancel_is_unsupported_and_sends_nothing(fake):
    j = one(run_driver(fake, "cancel", "goenhance", fake.add_job()))
    assert j["status"] == "VG_EUNSUPPORTED"
    assert fake.requests == []


def test_reconcile_is_unsupported_and_sends_nothing(fake):
    j = one(run_driver(fake, "reconcile", "goenhance", "style_transfer", "--since-us", "0",
                       "--input-url", VIDEO))
    assert j["status"] == "VG_EUNSUPPORTED"
    assert fake.requests == []


def test_check_reads_the_model_list_and_counts_the_styles(fake):
    j = one(run_driver(fake, "check", "goenhance"))
    assert (j["check_status"], j["reachable"], j["detail"]) == ("VG_OK", 1, "5 styles")
    r = fake.requests[0]
    assert (r.method, r.path) == ("GET", "/api/v1/video2video/modellist")
    assert r.headers["authorization"] == "Bearer " + KEY


def test_check_with_an_envelope_refusal_is_reported(fake):
    fake.fault("models", "token_invalid")
    j = one(run_driver(fake, "check", "goenhance"))
    assert (j["check_status"], j["reachable"]) == ("VG_EPROVIDER_AUTH", 0)


# ---- HD enhance and video enhance ---------------------------------------------------------------


@pytest.mark.parametrize("kind, variable", [
    ("hd_enhance", "VIDGO_GOENHANCE_HD_ENHANCE_PATH"),
    ("video_enhance", "VIDGO_GOENHANCE_VIDEO_ENHANCE_PATH"),
])
def test_enhance_without_its_configured_path_is_vg_econfig(fake, kind, variable):
    j = one(submit(fake, kind=kind))
    assert j["status"] == "VG_ECONFIG"
    assert variable in j["message"] and "not public" in j["message"]
    assert fake.requests == []


@pytest.mark.parametrize("path", ["http://elsewhere.test/x", "api/v1/x", "/api/../admin",
                                  "/api/v1/x?y=1", "/api v1"])
def test_an_enhance_path_that_is_not_a_plain_path_is_vg_econfig(fake, path):
    j = one(submit(fake, kind="hd_enhance", env={"VIDGO_GOENHANCE_HD_ENHANCE_PATH": path}))
    assert j["status"] == "VG_ECONFIG"
    assert fake.requests == []


def test_hd_enhance_with_its_path_posts_the_body_and_runs_to_success(fake):
    out = outputs(run_driver(fake, "run", "goenhance", "hd_enhance", "--input-url", VIDEO,
                           env=ENHANCE_ENV))
    assert fake.violations == []
    r = creates(fake)[0]
    assert (r.method, r.path) == ("POST", HD_PATH)
    assert r.headers["authorization"] == "Bearer " + KEY
    assert json.loads(r.body) == {"args": {"reference_video_url": VIDEO, "resolution": "1080p"},
                                  "type": "mx-hd-enhance"}
    assert [j["state"] for j in out] == ["pending", "pending", "running", "succeeded"]
    assert out[-1]["kind"] == "hd_enhance"
    assert out[-1]["result_url"] == video_url(out[-1]["job_id"])


def test_video_enhance_with_its_path_sends_the_resolution_and_model(fake):
    j = one(submit(fake, "--resolution", "2160", "--model", "7", kind="video_enhance",
                   env=ENHANCE_ENV))
    assert j["status"] == "VG_OK", j
    assert fake.violations == []
    r = creates(fake)[0]
    assert r.path == VE_PATH
    assert json.loads(r.body) == {"args": {"model": 7, "reference_video_url": VIDEO,
                                           "resolution": "2160p"},
                                  "type": "mx-video-enhance"}


def test_the_enhance_job_type_can_be_configured(fake):
    fake.enhance[HD_PATH] = "mx-upscale-v2"
    env = dict(ENHANCE_ENV, VIDGO_GOENHANCE_HD_ENHANCE_TYPE="mx-upscale-v2")
    assert one(submit(fake, kind="hd_enhance", env=env))["status"] == "VG_OK"
    assert json.loads(creates(fake)[0].body)["type"] == "mx-upscale-v2"
    assert fake.violations == []


# ---- faults --------------------------------------------------------------------------------------


def test_no_key_is_vg_eno_api_key_and_sends_nothing(fake):
    assert one(submit(fake, key=None))["status"] == "VG_ENO_API_KEY"
    assert fake.requests == []


@pytest.mark.parametrize("kind, times, status, seen, made", CREATE_FAULTS)
def test_a_create_fault_gives_its_status_and_never_a_second_paid_job(fake, kind, times, status,
                                                                     seen, made):
    fake.fault("create", kind, times)
    p = submit(fake, env=fault_env(kind))
    assert_create_fault(p, len(creates(fake)), fake.jobs, kind, times, status, seen, made)


@pytest.mark.parametrize("kind, times, status, seen", POLL_FAULTS)
def test_a_poll_fault_gives_its_status(fake, kind, times, status, seen):
    job = fake.add_job(script=["processing"])
    fake.fault("poll", kind, times)
    p = run_driver(fake, "poll", "goenhance", "style_transfer", job, env=fault_env(kind))
    assert_poll_fault(p, len(fake.requests), status, seen)


def test_404_on_poll_is_vg_enotfound(fake):
    job = fake.add_job()
    fake.fault("poll", "not_found")
    assert poll(fake, job)["status"] == "VG_ENOTFOUND"


def test_a_slow_drip_within_the_timeout_is_read_whole(fake):
    job = fake.add_job(script=["processing"])
    fake.drip = 0.001
    fake.fault("poll", "drip")
    assert poll(fake, job)["state"] == "running"


def test_an_unreachable_goenhance_is_vg_enetwork():
    assert one(submit(None))["status"] == "VG_ENETWORK"


# ---- the circuit breaker ----------------------------------------------------------------------


@pytest.mark.parametrize("repeat, step, failing, statuses, seen", BREAKER)
def test_the_breaker(fake, repeat, step, failing, statuses, seen):
    job = fake.add_job(script=["processing"])
    fake.fault("poll", "unavailable", failing)
    p = run_driver(fake, *breaker_args(repeat, step), "poll", "goenhance", "style_transfer", job)
    assert_breaker(p, statuses, len(fake.requests), seen, "running")
