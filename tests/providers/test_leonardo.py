# SPDX-License-Identifier: MIT
"""The Leonardo client (lib/providers/leonardo.c, leonardo_upload.c) against the loopback
fake of its v1 API (tests/fakes/fake_leonardo.py), through provider_driver
($VIDGO_PROVIDER_DRIVER): every kind's exact request, the photo upload, cost, every fault
with its vg_status, the paid-job rule and reconcile, cancel, check, the circuit breaker, and
the key never shown."""
import json
import os
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from provider_support import (BREAKER, Driver, assert_breaker, breaker_args,  # noqa: E402
                              fake_fixtures, one, outputs, sleeps)
from fake_leonardo import PHOENIX_1_0, FakeLeonardo  # noqa: E402

KEY = "fake-leonardo-key_0123456789abcdefXYZ"  # real keys are UUIDs: this cannot be one
OTHER_MODEL = "7b592283-e8a7-4c5a-9ba6-d18c31f258b9"  # Lucid Origin: not Phoenix
DRIVER = Driver("leonardo", KEY, key_var="LEONARDO_API_KEY",
                base_var="VIDGO_LEONARDO_BASE_URL", timeout_ms=600)
run_driver = DRIVER.run


server, fake = fake_fixtures(lambda: FakeLeonardo(KEY))


def png_bytes():
    """A photo whose bytes hold everything a careless multipart writer gets wrong."""
    return b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4 + b"\r\n--boundary\r\n\x00--\r\n"


def assert_api_headers(r, body=True):
    assert r.headers["authorization"] == "Bearer " + KEY
    assert r.headers["accept"] == "application/json"
    if body:
        assert r.headers["content-type"].startswith("application/json")


def api_requests(fake):
    """Every request but the presigned upload's."""
    return [r for r in fake.requests if not r.path.startswith("/presigned-upload/")]


# ---- success paths, exact requests ----------------------------------------------------

def test_text_to_image_sends_the_documented_request(fake):
    job = one(run_driver(fake, "submit", "leonardo", "text_to_image", "--prompt",
                         'a "red" bottle é', "--negative", "blurry", "--resolution", "512",
                         "--seed", "42"))
    assert job["status"] == "VG_OK", job
    assert fake.violations == []
    assert len(fake.requests) == 1
    r = fake.requests[0]
    assert (r.method, r.path) == ("POST", "/generations")
    assert_api_headers(r)
    assert json.loads(r.body) == {
        "prompt": 'a "red" bottle é', "negative_prompt": "blurry", "modelId": PHOENIX_1_0,
        "width": 512, "height": 512, "num_images": 1, "public": False, "contrast": 3.5,
        "seed": 42}
    assert job["job_id"] in fake.jobs
    assert (job["state"], job["percent"], job["poll_after_ms"]) == ("pending", -1, 3000)
    assert (job["model"], job["width"], job["height"]) == (PHOENIX_1_0, 512, 512)
    assert job["media_type"] == "image"


def test_text_to_image_defaults_to_1024_and_omits_seed_and_negative(fake):
    one(run_driver(fake, "submit", "leonardo", "text_to_image", "--prompt", "a bottle"))
    assert json.loads(fake.requests[0].body) == {
        "prompt": "a bottle", "modelId": PHOENIX_1_0, "width": 1024, "height": 1024,
        "num_images": 1, "public": False, "contrast": 3.5}


def test_text_to_image_with_width_height_and_another_model_sends_no_contrast(fake):
    job = one(run_driver(fake, "submit", "leonardo", "text_to_image", "--prompt", "x",
                         "--model", OTHER_MODEL, "--width", "768", "--height", "1344"))
    assert job["status"] == "VG_OK", job
    body = json.loads(fake.requests[0].body)
    assert body["modelId"] == OTHER_MODEL and "contrast" not in body
    assert (body["width"], body["height"]) == (768, 1344)


def test_text_to_image_runs_to_its_image_url(fake):
    out = outputs(run_driver(fake, "run", "leonardo", "text_to_image", "--prompt", "a bottle",
                             "--max-wait-ms", "0"))
    assert [o["state"] for o in out] == ["pending", "pending", "succeeded"]
    last = out[-1]
    assert last["result_url"] == "https://cdn.fake-leonardo.test/%s/image.png" % last["job_id"]
    assert last["thumbnail_url"] == "" and last["percent"] == 100
    assert (last["width"], last["height"], last["model"]) == (1024, 1024, PHOENIX_1_0)
    assert (last["api_cost_micro"], last["api_cost_unit"]) == (12500, "USD")
    polls = [r for r in fake.requests if r.method == "GET"]
    assert [r.path for r in polls] == ["/generations/" + last["job_id"]] * 2
    for r in polls:
        assert_api_headers(r, body=False)
        assert r.body == b""


def test_text_to_video_sends_the_documented_request_and_ends_with_the_mp4(fake):
    out = outputs(run_driver(fake, "run", "leonardo", "text_to_video", "--prompt",
                             "a bottle spins", "--negative", "text", "--max-wait-ms", "0"))
    assert fake.violations == []
    r = fake.requests[0]
    assert (r.method, r.path) == ("POST", "/generations-text-to-video")
    assert_api_headers(r)
    assert json.loads(r.body) == {
        "prompt": "a bottle spins", "negativePrompt": "text", "model": "MOTION2",
        "resolution": "RESOLUTION_720", "isPublic": False, "width": 1280, "height": 720}
    assert out[0]["poll_after_ms"] == 10000 and out[0]["media_type"] == "video"
    last = out[-1]
    assert last["state"] == "succeeded"
    base = "https://cdn.fake-leonardo.test/%s/" % last["job_id"]
    assert last["result_url"] == base + "video.mp4"
    assert last["thumbnail_url"] == base + "thumb.jpg"
    assert last["model"] == "MOTION2"


def test_text_to_video_veo3_at_1080_sends_its_duration(fake):
    job = one(run_driver(fake, "submit", "leonardo", "text_to_video", "--prompt", "x",
                         "--model", "VEO3", "--resolution", "1080", "--duration", "8",
                         "--seed", "7"))
    assert job["status"] == "VG_OK", job
    assert json.loads(fake.requests[0].body) == {
        "prompt": "x", "model": "VEO3", "resolution": "RESOLUTION_1080", "isPublic": False,
        "duration": 8, "seed": 7, "width": 1920, "height": 1080}
    assert (job["duration_s"], job["height"], job["model"]) == (8, 1080, "VEO3")


def test_a_1080p_video_without_a_model_is_made_with_veo3fast(fake):
    job = one(run_driver(fake, "submit", "leonardo", "text_to_video", "--prompt", "x",
                         "--resolution", "1080"))
    assert job["status"] == "VG_OK", job
    body = json.loads(fake.requests[0].body)
    assert (body["model"], body["resolution"]) == ("VEO3FAST", "RESOLUTION_1080")
    assert job["model"] == "VEO3FAST"


@pytest.mark.parametrize("lines, name", [(480, "RESOLUTION_480"), (720, "RESOLUTION_720")])
def test_motion2_resolutions_map_to_the_api_names(fake, lines, name):
    one(run_driver(fake, "submit", "leonardo", "text_to_video", "--prompt", "x",
                   "--model", "MOTION2FAST", "--resolution", str(lines)))
    body = json.loads(fake.requests[0].body)
    assert (body["model"], body["resolution"], body["height"]) == ("MOTION2FAST", name, lines)


def test_image_to_video_uploads_the_photo_then_creates_from_it(fake, tmp_path):
    data = png_bytes()
    (tmp_path / "p.png").write_bytes(data)
    out = outputs(run_driver(fake, "run", "leonardo", "image_to_video", "--prompt", "spin it",
                             "--image", str(tmp_path / "p.png"), "--mime", "image/png",
                             "--max-wait-ms", "0"))
    assert fake.violations == []
    init, upload, create = fake.requests[:3]
    assert (init.method, init.path) == ("POST", "/init-image")
    assert_api_headers(init)
    assert json.loads(init.body) == {"extension": "png"}
    (image_id, record), = fake.init_images.items()
    assert (upload.method, upload.path) == ("POST", "/presigned-upload/" + image_id)
    assert "authorization" not in upload.headers  # no key goes to the storage
    assert KEY.encode() not in upload.body
    assert record["bytes"] == data
    assert record["file_headers"]["content-type"] == "image/png"
    assert (create.method, create.path) == ("POST", "/generations-image-to-video")
    assert_api_headers(create)
    assert json.loads(create.body) == {
        "prompt": "spin it", "model": "MOTION2", "resolution": "RESOLUTION_720",
        "isPublic": False, "imageId": image_id, "imageType": "UPLOADED"}
    assert out[-1]["state"] == "succeeded"
    assert out[-1]["result_url"].endswith("/video.mp4")


@pytest.mark.parametrize("mime, extension", [("image/jpeg", "jpg"), ("image/webp", "webp"),
                                             ("IMAGE/PNG", "png")])
def test_upload_extension_follows_the_mime_type(fake, tmp_path, mime, extension):
    (tmp_path / "p").write_bytes(b"photo bytes")
    job = one(run_driver(fake, "submit", "leonardo", "image_to_video", "--prompt", "x",
                         "--image", str(tmp_path / "p"), "--mime", mime))
    assert job["status"] == "VG_OK", job
    assert json.loads(fake.requests[0].body) == {"extension": extension}
    assert list(fake.init_images.values())[0]["bytes"] == b"photo bytes"


def test_image_to_video_from_a_generated_image_sends_generated(fake):
    job = one(run_driver(fake, "submit", "leonardo", "image_to_video", "--prompt", "x",
                         "--input-job", "gen-image-0001"))
    assert job["status"] == "VG_OK", job
    assert len(fake.requests) == 1
    body = json.loads(fake.requests[0].body)
    assert (body["imageId"], body["imageType"]) == ("gen-image-0001", "GENERATED")


def test_image_to_video_from_a_url_alone_is_an_input_asset_error(fake):
    job = one(run_driver(fake, "submit", "leonardo", "image_to_video", "--prompt", "x",
                         "--input-url", "https://example.test/p.png"))
    assert job["status"] == "VG_EINPUT_ASSET"
    assert "URL alone" in job["message"]
    assert fake.requests == []


def test_an_unsupported_photo_type_is_an_input_asset_error(fake, tmp_path):
    (tmp_path / "p.gif").write_bytes(b"GIF89a")
    job = one(run_driver(fake, "submit", "leonardo", "image_to_video", "--prompt", "x",
                         "--image", str(tmp_path / "p.gif"), "--mime", "image/gif"))
    assert job["status"] == "VG_EINPUT_ASSET"
    assert "PNG, JPEG or WebP" in job["message"]
    assert fake.requests == []


def test_video_upscale_sends_the_source_and_polls_the_variation(fake):
    source = fake.add_job(kind="text_to_video", status="COMPLETE")
    out = outputs(run_driver(fake, "run", "leonardo", "video_upscale", "--input-job", source,
                             "--max-wait-ms", "0"))
    assert fake.violations == []
    r = fake.requests[0]
    assert (r.method, r.path) == ("POST", "/generations-video-upscale")
    assert_api_headers(r)
    assert json.loads(r.body) == {"sourceGenerationId": source, "resolution": "RESOLUTION_720"}
    (vid,) = fake.variations
    assert out[0]["job_id"] == vid and out[0]["kind"] == "video_upscale"
    assert [x.path for x in fake.requests[1:]] == ["/motion-variations/" + vid] * 2
    assert out[-1]["state"] == "succeeded"
    assert out[-1]["result_url"] == "https://cdn.fake-leonardo.test/%s/upscaled.mp4" % vid
    assert out[-1]["height"] == 720


def test_video_upscale_to_4k_is_refused_before_any_request(fake):
    job = one(run_driver(fake, "submit", "leonardo", "video_upscale", "--input-job",
                         fake.add_job(), "--resolution", "2160"))
    assert job["status"] == "VG_EPARAMETER"
    assert "720 lines only" in job["message"]
    assert fake.requests == []


# ---- cost --------------------------------------------------------------------------------

@pytest.mark.parametrize("mode, micro, unit", [
    ("dollars", 12500, "USD"),        # cost {"amount": "0.0125", "unit": "DOLLARS"}
    ("credits", 24000000, "CREDITS"),  # cost {"amount": "24", "unit": "CREDITS"}
    ("legacy", 17000000, "CREDITS"),   # apiCreditCost 17 only
    ("none", -1, ""),
])
def test_cost_is_read_from_the_create_answer(fake, mode, micro, unit):
    fake.cost_mode = mode
    job = one(run_driver(fake, "submit", "leonardo", "text_to_video", "--prompt", "x"))
    assert (job["api_cost_micro"], job["api_cost_unit"]) == (micro, unit)


# ---- provider-specific validation ---------------------------------------------------------

@pytest.mark.parametrize("kind, args, words", [
    ("text_to_image", ["--width", "20", "--height", "512"], "32..1536"),
    ("text_to_image", ["--width", "1540", "--height", "512"], "32..1536"),
    ("text_to_image", ["--width", "1001", "--height", "512"], "multiples of 8"),
    ("text_to_image", ["--width", "512"], "both width and height"),
    ("text_to_image", ["--model", "phoenix"], "UUID"),
    ("text_to_image", ["--seed", "-5"], "negative"),
    ("text_to_video", ["--model", "MOTION2", "--resolution", "1080"], "MOTION2 does not make 1080"),
    ("text_to_video", ["--resolution", "600"], "480, 720 or 1080"),
    ("text_to_video", ["--duration", "5"], "MOTION2 does not take a duration"),
    ("text_to_video", ["--model", "VEO3", "--duration", "5"], "VEO3 does not take"),
    ("text_to_video", ["--model", "MOTION2", "--seed", "2147483638"], "seeds up to"),
    ("text_to_video", ["--model", "KLING2_1", "--resolution", "1080"], "needs a start image"),
    ("text_to_video", ["--width", "720", "--height", "1280"], "width and height are for images"),
    ("text_to_video", ["--model", "bad model!"], "not a video model name"),
])
def test_a_parameter_leonardo_refuses_is_vg_eparameter_before_any_request(fake, kind, args,
                                                                         words):
    job = one(run_driver(fake, "submit", "leonardo", kind, "--prompt", "x", *args))
    assert job["status"] == "VG_EPARAMETER", job
    assert words in job["message"]
    assert fake.requests == []


def test_kling_2_5_takes_1080_and_its_durations_within_the_registry_cap(fake):
    job = one(run_driver(fake, "submit", "leonardo", "image_to_video", "--prompt", "x",
                         "--input-job", "gen-image-0001", "--model", "KLING2_5",
                         "--resolution", "1080", "--duration", "10"))
    # KLING2_5 takes 5 or 10 s; the capability table caps Leonardo at 8 s
    assert job["status"] == "VG_EPARAMETER" and "at most 8 s" in job["message"]
    job = one(run_driver(fake, "submit", "leonardo", "image_to_video", "--prompt", "x",
                         "--input-job", "gen-image-0001", "--model", "KLING2_5",
                         "--resolution", "1080", "--duration", "5"))
    assert job["status"] == "VG_OK", job
    body = json.loads(fake.requests[-1].body)
    assert (body["model"], body["resolution"], body["duration"]) == ("KLING2_5",
                                                                     "RESOLUTION_1080", 5)


def test_a_model_not_in_the_table_is_sent_as_given_and_leonardo_decides(fake):
    job = one(run_driver(fake, "submit", "leonardo", "text_to_video", "--prompt", "x",
                         "--model", "HAILUO2_3", "--duration", "6"))
    assert job["status"] == "VG_EPROVIDER_REJECTED", job
    assert "model must be one of" in job["message"]  # the fake's copy of the API's enum
    body = json.loads(fake.requests[0].body)
    assert (body["model"], body["duration"]) == ("HAILUO2_3", 6)


# ---- faults ------------------------------------------------------------------------------

def test_no_key_is_vg_eno_api_key_and_nothing_is_sent(fake):
    job = one(run_driver(fake, "submit", "leonardo", "text_to_image", "--prompt", "x",
                         key=None))
    assert job["status"] == "VG_ENO_API_KEY"
    assert fake.requests == []


def test_a_wrong_key_is_vg_eprovider_auth(fake):
    p = run_driver(fake, "submit", "leonardo", "text_to_image", "--prompt", "x",
                   key="another-fake-leonardo-key")
    job = one(p)
    assert job["status"] == "VG_EPROVIDER_AUTH"
    assert "Invalid response from authorization hook" in job["message"]
    assert "another-fake-leonardo-key" not in p.stdout + p.stderr


def test_a_provider_message_repeating_the_key_is_redacted(fake):
    fake.fault("create_image", "401_echo")
    job = one(run_driver(fake, "submit", "leonardo", "text_to_image", "--prompt", "x"))
    assert job["status"] == "VG_EPROVIDER_AUTH"
    assert "authorization hook for key ***" in job["message"]


CREATE_FAULTS = [
    # fault, vg_status, creates seen, jobs made
    ("401", "VG_EPROVIDER_AUTH", 1, 0),
    ("403", "VG_EPROVIDER_AUTH", 1, 0),
    ("400", "VG_EPROVIDER_REJECTED", 1, 0),
    ("404", "VG_EPROVIDER_REJECTED", 1, 0),
    ("429", "VG_EPROVIDER_RATE", 4, 0),           # nothing was made: retried
    ("503_once", "VG_OK", 2, 1),                  # unavailable: cannot have acted, retried
    ("500_once", "VG_EOUTCOME_UNKNOWN", 1, 0),    # may have acted: never resent
    ("timeout", "VG_EOUTCOME_UNKNOWN", 1, 1),
    ("drip", "VG_EOUTCOME_UNKNOWN", 1, 1),
    ("truncated", "VG_EOUTCOME_UNKNOWN", 1, 1),
    ("malformed", "VG_EOUTCOME_UNKNOWN", 1, 1),   # accepted, but no readable job id
    ("oversized", "VG_EOUTCOME_UNKNOWN", 1, 1),
    ("lost", "VG_EOUTCOME_UNKNOWN", 1, 1),
]


@pytest.mark.parametrize("fault, status, creates, jobs", CREATE_FAULTS)
def test_a_create_fault_gives_its_status_and_never_a_second_paid_job(fake, fault, status,
                                                                    creates, jobs):
    fake.fault("create_text_video", fault)
    job = one(run_driver(fake, "submit", "leonardo", "text_to_video", "--prompt", "x"))
    assert job["status"] == status, job
    assert len(fake.seen("create_text_video")) == creates
    assert len(fake.jobs) == jobs
    if status == "VG_EOUTCOME_UNKNOWN":
        assert "not resent" in job["message"] or "was not resent" in job["message"]


@pytest.mark.parametrize("endpoint, kind, extra", [
    ("create_image", "text_to_image", []),
    ("create_image_video", "image_to_video", ["--input-job", "gen-image-0001"]),
])
def test_every_create_is_a_paid_request(fake, endpoint, kind, extra):
    fake.fault(endpoint, "lost")
    job = one(run_driver(fake, "submit", "leonardo", kind, "--prompt", "x", *extra))
    assert job["status"] == "VG_EOUTCOME_UNKNOWN"
    assert len(fake.seen(endpoint)) == 1 and len(fake.jobs) == 1


def test_an_upscale_create_is_a_paid_request(fake):
    source = fake.add_job(kind="text_to_video", status="COMPLETE")
    fake.fault("create_upscale", "lost")
    job = one(run_driver(fake, "submit", "leonardo", "video_upscale", "--input-job", source))
    assert job["status"] == "VG_EOUTCOME_UNKNOWN"
    assert len(fake.seen("create_upscale")) == 1 and len(fake.variations) == 1


POLL_FAULTS = [
    # fault, vg_status, requests seen
    ("401", "VG_EPROVIDER_AUTH", 1),
    ("403", "VG_EPROVIDER_AUTH", 1),
    ("404", "VG_ENOTFOUND", 1),
    ("null", "VG_ENOTFOUND", 1),
    ("429", "VG_EPROVIDER_RATE", 4),
    ("500", "VG_EPROVIDER_UNAVAILABLE", 4),
    ("500_once", "VG_OK", 2),
    ("timeout", "VG_EPROVIDER_TIMEOUT", 4),
    ("drip", "VG_EPROVIDER_TIMEOUT", 4),
    ("truncated", "VG_EPROVIDER_RESPONSE", 4),
    ("malformed", "VG_EPROVIDER_RESPONSE", 1),
    ("oversized", "VG_EPROVIDER_RESPONSE", 1),
    ("lost", "VG_ENETWORK", 4),
]


@pytest.mark.parametrize("fault, status, seen", POLL_FAULTS)
def test_a_poll_fault_gives_its_status(fake, fault, status, seen):
    gid = fake.add_job(kind="text_to_image", status="PENDING")
    fake.fault("poll", fault)
    job = one(run_driver(fake, "poll", "leonardo", "text_to_image", gid))
    assert job["status"] == status, job
    assert len(fake.seen("poll")) == seen


def test_rate_limit_is_retried_honouring_retry_after(fake):
    fake.fault("poll", "429")
    p = run_driver(fake, "poll", "leonardo", "text_to_image", fake.add_job())
    assert one(p)["status"] == "VG_EPROVIDER_RATE"
    waits = sleeps(p)
    assert len(waits) == 3 and all(s >= 1000 for s in waits), waits
    assert "Too many requests" in one(p)["message"]


@pytest.mark.parametrize("endpoint, fault, status", [
    ("init_image", "401", "VG_EPROVIDER_AUTH"),
    ("init_image", "429", "VG_EPROVIDER_RATE"),
    ("init_image", "malformed", "VG_EPROVIDER_RESPONSE"),
    ("init_image", "timeout", "VG_EPROVIDER_TIMEOUT"),
    ("upload", "403", "VG_EPROVIDER_REJECTED"),  # the storage's refusal, not the key's
    ("upload", "500", "VG_EPROVIDER_UNAVAILABLE"),
    ("upload", "timeout", "VG_EPROVIDER_TIMEOUT"),
])
def test_an_upload_fault_gives_its_status_and_creates_nothing(fake, tmp_path, endpoint, fault,
                                                               status):
    (tmp_path / "p.png").write_bytes(png_bytes())
    fake.fault(endpoint, fault)
    job = one(run_driver(fake, "submit", "leonardo", "image_to_video", "--prompt", "x",
                         "--image", str(tmp_path / "p.png"), "--mime", "image/png"))
    assert job["status"] == status, job
    assert fake.seen("create_image_video") == [] and fake.jobs == {}


def test_an_unreachable_provider_is_vg_enetwork_and_nothing_is_paid():
    job = one(run_driver(None, "submit", "leonardo", "text_to_video", "--prompt", "x"))
    assert job["status"] == "VG_ENETWORK", job


# ---- job states ---------------------------------------------------------------------------

def test_a_job_pending_forever_stays_pending_across_many_polls(fake):
    fake.job_mode = "pending_forever"
    out = outputs(run_driver(fake, "run", "leonardo", "text_to_image", "--prompt", "x",
                             "--max-polls", "25", "--max-wait-ms", "0"))
    assert len(out) == 26
    assert all(o["status"] == "VG_OK" and o["state"] == "pending" for o in out)
    assert all(o["percent"] == -1 and o["poll_after_ms"] == 3000 for o in out)
    assert len(fake.seen("poll")) == 25


def test_a_failed_job_is_a_final_failed_state(fake):
    fake.job_mode = "failed"
    out = outputs(run_driver(fake, "run", "leonardo", "text_to_video", "--prompt", "x",
                             "--max-wait-ms", "0"))
    last = out[-1]
    assert (last["status"], last["state"]) == ("VG_OK", "failed")
    assert last["failure_code"] == "FAILED" and "FAILED" in last["failure"]
    assert last["result_url"] == "" and last["poll_after_ms"] == 0


@pytest.mark.parametrize("mode, words", [("no_url", "COMPLETE without a result URL"),
                                         ("unknown_status", 'unknown status "PROCESSING"')])
def test_an_answer_that_makes_no_sense_is_vg_eprovider_response(fake, mode, words):
    fake.job_mode = mode
    out = outputs(run_driver(fake, "run", "leonardo", "text_to_video", "--prompt", "x",
                             "--max-wait-ms", "0"))
    assert out[-1]["status"] == "VG_EPROVIDER_RESPONSE"
    assert words in out[-1]["message"]


def test_polling_an_unknown_generation_is_vg_enotfound(fake):
    job = one(run_driver(fake, "poll", "leonardo", "text_to_video",
                         "00000000-0000-0000-0000-000000000000"))
    assert job["status"] == "VG_ENOTFOUND"


def test_polling_an_unknown_upscale_is_vg_enotfound(fake):
    job = one(run_driver(fake, "poll", "leonardo", "video_upscale", "no-such-variation"))
    assert job["status"] == "VG_ENOTFOUND"


def test_a_job_is_polled_again_from_another_process(fake):
    first = one(run_driver(fake, "submit", "leonardo", "text_to_video", "--prompt", "x"))
    for _ in range(2):
        job = one(run_driver(fake, "poll", "leonardo", "text_to_video", first["job_id"]))
    assert job["state"] == "succeeded" and job["result_url"].endswith("/video.mp4")


# ---- lost response and reconcile -----------------------------------------------------------

def since_now():
    return str(int(time.time() * 1e6) - 1000000)


def test_a_lost_response_is_outcome_unknown_and_reconcile_finds_the_one_job(fake):
    since = since_now()
    fake.add_job(kind="text_to_image", prompt="something else")
    fake.fault("create_text_video", "lost")
    job = one(run_driver(fake, "submit", "leonardo", "text_to_video", "--prompt", "the ad"))
    assert job["status"] == "VG_EOUTCOME_UNKNOWN"
    assert len(fake.seen("create_text_video")) == 1
    (made,) = [j for j in fake.jobs.values() if j["prompt"] == "the ad"]
    found = one(run_driver(fake, "reconcile", "leonardo", "text_to_video", "--since-us", since,
                           "--prompt", "the ad"))
    assert found["status"] == "VG_OK", found
    assert (found["job_id"], found["kind"], found["state"]) == (made["id"], "text_to_video",
                                                                "pending")
    assert len(fake.seen("create_text_video")) == 1  # reconcile never creates
    me, listing, get = fake.requests[-3:]
    assert (me.method, me.path) == ("GET", "/me")
    assert (listing.method, listing.path) == (
        "GET", "/generations/user/%s?offset=0&limit=10" % fake.user_id)
    assert (get.method, get.path) == ("GET", "/generations/" + made["id"])
    for r in (me, listing, get):
        assert_api_headers(r, body=False)
    # and the job found goes on like any other
    out = outputs(run_driver(fake, "poll", "leonardo", "text_to_video", made["id"]))
    assert out[0]["status"] == "VG_OK"


@pytest.mark.parametrize("suffix", ["", "Z", "+00:00", "+00"])
def test_reconcile_reads_every_timestamp_form(fake, suffix):
    fake.created_at_suffix = suffix
    since = since_now()
    gid = fake.add_job(kind="text_to_image", prompt="the ad", status="PENDING")
    found = one(run_driver(fake, "reconcile", "leonardo", "text_to_image", "--since-us", since,
                           "--prompt", "the ad"))
    assert (found["status"], found["job_id"]) == ("VG_OK", gid)


def test_reconcile_skips_older_jobs_and_other_prompts(fake):
    old = fake.add_job(kind="text_to_video", prompt="the ad")
    fake.jobs[old]["createdAt"] = "2020-01-01T00:00:00.000"
    fake.add_job(kind="text_to_video", prompt="another ad")
    found = one(run_driver(fake, "reconcile", "leonardo", "text_to_video", "--since-us",
                           since_now(), "--prompt", "the ad"))
    assert found["status"] == "VG_ENOTFOUND"


def test_reconcile_after_a_500_finds_nothing_so_a_resubmit_is_safe(fake):
    since = since_now()
    fake.fault("create_text_video", "500_once")
    assert one(run_driver(fake, "submit", "leonardo", "text_to_video", "--prompt",
                          "the ad"))["status"] == "VG_EOUTCOME_UNKNOWN"
    found = one(run_driver(fake, "reconcile", "leonardo", "text_to_video", "--since-us", since,
                           "--prompt", "the ad"))
    assert found["status"] == "VG_ENOTFOUND"


def test_reconcile_of_an_upscale_is_unsupported(fake):
    found = one(run_driver(fake, "reconcile", "leonardo", "video_upscale", "--since-us",
                           since_now(), "--input-job", fake.add_job()))
    assert found["status"] == "VG_EUNSUPPORTED"
    assert fake.requests == []


def test_reconcile_with_an_unreadable_listing_is_vg_eprovider_response(fake):
    fake.fault("user_generations", "malformed")
    found = one(run_driver(fake, "reconcile", "leonardo", "text_to_video", "--since-us",
                           since_now(), "--prompt", "x"))
    assert found["status"] == "VG_EPROVIDER_RESPONSE"


# ---- cancel ---------------------------------------------------------------------------------

def test_cancel_deletes_a_pending_generation(fake):
    gid = fake.add_job(kind="text_to_video", status="PENDING")
    assert one(run_driver(fake, "cancel", "leonardo", gid)) == {"status": "VG_OK"}
    deletes = fake.seen("delete")
    assert [(r.method, r.path) for r in deletes] == [("DELETE", "/generations/" + gid)]
    assert_api_headers(deletes[0], body=False)
    assert gid not in fake.jobs


def test_cancel_leaves_a_finished_generation_alone(fake):
    gid = fake.add_job(kind="text_to_video", status="COMPLETE")
    assert one(run_driver(fake, "cancel", "leonardo", gid)) == {"status": "VG_OK"}
    assert fake.seen("delete") == [] and gid in fake.jobs


def test_cancel_of_a_generation_that_is_gone_is_ok(fake):
    out = one(run_driver(fake, "cancel", "leonardo", "00000000-0000-0000-0000-000000000000"))
    assert out == {"status": "VG_OK"}
    assert fake.seen("delete") == []


def test_cancel_when_the_delete_fails_gives_its_status(fake):
    gid = fake.add_job(kind="text_to_video", status="PENDING")
    fake.fault("delete", "500")
    assert one(run_driver(fake, "cancel", "leonardo", gid))["status"] == \
        "VG_EPROVIDER_UNAVAILABLE"


# ---- check ----------------------------------------------------------------------------------

def test_check_reports_the_user_and_api_credits(fake):
    info = one(run_driver(fake, "check", "leonardo"))
    assert info["check_status"] == "VG_OK" and info["reachable"] == 1
    assert info["detail"] == "user fake-shop, API credits 1234"
    assert info["key_source"] == "LEONARDO_API_KEY"
    r = fake.requests[0]
    assert (r.method, r.path) == ("GET", "/me")
    assert_api_headers(r, body=False)


def test_check_with_a_refused_key_is_unreachable(fake):
    fake.fault("me", "401")
    info = one(run_driver(fake, "check", "leonardo"))
    assert info["status"] == "VG_OK"
    assert (info["check_status"], info["reachable"]) == ("VG_EPROVIDER_AUTH", 0)


# ---- circuit breaker ------------------------------------------------------------------------

@pytest.mark.parametrize("repeat, step, failing, statuses, seen", BREAKER)
def test_the_breaker(fake, repeat, step, failing, statuses, seen):
    fake.job_mode = "pending_forever"
    gid = fake.add_job(status="PENDING")
    fake.fault("poll", "500", failing)
    p = run_driver(fake, *breaker_args(repeat, step), "poll", "leonardo", "text_to_video", gid)
    assert_breaker(p, statuses, len(fake.seen("poll")), seen, "pending")


# ---- the key ----------------------------------------------------------------------------------

def test_the_key_shows_nowhere_in_any_command_at_debug(fake, tmp_path):
    """run_driver asserts it for every run; this one runs every command once more."""
    (tmp_path / "p.png").write_bytes(png_bytes())
    source = fake.add_job(kind="text_to_video", status="COMPLETE")
    runs = [
        ("run", "leonardo", "text_to_image", "--prompt", "x", "--max-wait-ms", "0"),
        ("run", "leonardo", "image_to_video", "--prompt", "x", "--image",
         str(tmp_path / "p.png"), "--mime", "image/png", "--max-wait-ms", "0"),
        ("run", "leonardo", "video_upscale", "--input-job", source, "--max-wait-ms", "0"),
        ("reconcile", "leonardo", "text_to_image", "--since-us", "0", "--prompt", "x"),
        ("cancel", "leonardo", source),
        ("info", "leonardo"),
        ("check", "leonardo"),
    ]
    for args in runs:
        p = run_driver(fake, *args)
        assert p.returncode == 0, p.stderr
        assert "Bearer" not in p.stderr
    info = one(run_driver(fake, "info", "leonardo"))
    assert info["key_masked"] == KEY[:4] + "…" + KEY[-4:]
