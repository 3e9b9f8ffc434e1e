# SPDX-License-Identifier: MIT
"""The Gemini embedder (lib/providers/gemini.c) against the loopback fake of
batchEmbedContents (tests/fakes/fake_gemini.py), through the gemini_driver
($VIDGO_GEMINI_DRIVER): the exact request, batching, every fault with its vg_status, the key
never shown, and the similarity cache end to end."""
import json
import math
import os
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fakes"))
from fake_gemini import FakeGemini, normalised, vector_for  # noqa: E402

KEY = "fake-gemini-key_0123456789abcdefXYZ"
MODEL = "gemini-embedding-001"


def run_driver(fake, *args, key=KEY, timeout=120):
    binary = os.environ.get("VIDGO_GEMINI_DRIVER")
    if not binary:
        pytest.fail("VIDGO_GEMINI_DRIVER is not set (run through `meson test`)")
    env = {k: v for k, v in os.environ.items()
           if k not in ("GEMINI_API_KEY", "VIDGO_GEMINI_BASE_URL")}
    env["VIDGO_GEMINI_BASE_URL"] = fake.base_url if fake else "http://127.0.0.1:9"
    if key is not None:
        env["GEMINI_API_KEY"] = key
    p = subprocess.run([binary, "--debug", *args], env=env, capture_output=True, text=True,
                       timeout=timeout)
    # At DEBUG level the key shows nowhere, whatever happened.
    assert KEY not in p.stdout and KEY not in p.stderr, (p.stdout, p.stderr)
    return p


def status(p):
    return p.stdout.splitlines()[0].split(":")[0] if p.stdout else ""


def vectors(p):
    rows = []
    for line in p.stdout.splitlines()[1:]:
        f = line.split()
        rows.append((int(f[0]), float(f[1]), [float(x) for x in f[2:]]))
    return rows


@pytest.fixture
def fake():
    with FakeGemini(KEY) as f:
        yield f


def test_embed_sends_the_documented_request(fake):
    p = run_driver(fake, "--dimension", "8", "embed", "a red car", 'quote " and \\ é')
    assert status(p) == "VG_OK", p.stdout + p.stderr
    assert fake.violations == []
    assert len(fake.requests) == 1
    r = fake.requests[0]
    assert r["method"] == "POST"
    assert r["path"] == "/v1beta/models/%s:batchEmbedContents" % MODEL
    assert r["headers"]["x-goog-api-key"] == KEY
    assert r["headers"]["content-type"].startswith("application/json")
    assert r["json"] == {"requests": [
        {"model": "models/" + MODEL, "content": {"parts": [{"text": t}]},
         "taskType": "SEMANTIC_SIMILARITY", "outputDimensionality": 8}
        for t in ("a red car", 'quote " and \\ é')]}


def test_embed_returns_unit_vectors_in_order(fake):
    texts = ["first prompt", "second prompt here", "third"]
    p = run_driver(fake, "--dimension", "16", "embed", *texts)
    assert status(p) == "VG_OK", p.stdout + p.stderr
    rows = vectors(p)
    assert [r[0] for r in rows] == [0, 1, 2]
    for (_, norm, got), text in zip(rows, texts):
        assert abs(norm - 1.0) < 1e-5
        want = normalised(vector_for(text, 16))
        assert all(abs(a - b) < 1e-5 for a, b in zip(got, want))


def test_defaults_are_gemini_embedding_001_at_768(fake):
    p = run_driver(fake, "embed", "hello")
    assert status(p) == "VG_OK", p.stdout + p.stderr
    assert "embedder gemini %s 768 max_batch 100" % MODEL in p.stderr
    assert fake.requests[0]["json"]["requests"][0]["outputDimensionality"] == 768
    assert len(vectors(p)[0][2]) == 768


def test_150_prompts_go_in_two_requests_of_at_most_100(fake):
    p = run_driver(fake, "--dimension", "8", "repeat", "150")
    assert status(p) == "VG_OK", p.stdout + p.stderr
    assert fake.violations == []
    assert [len(r["json"]["requests"]) for r in fake.requests] == [100, 50]
    rows = vectors(p)
    assert len(rows) == 150
    want = normalised(vector_for("prompt number 149", 8))
    assert all(abs(a - b) < 1e-5 for a, b in zip(rows[149][2], want))


def test_no_key_is_vg_eno_api_key(fake):
    p = run_driver(fake, "embed", "x", key=None)
    assert status(p) == "VG_ENO_API_KEY"
    assert fake.requests == []


def test_wrong_key_is_vg_eprovider_auth(fake):
    p = run_driver(fake, "embed", "x", key="wrong-fake-gemini-key")
    assert status(p) == "VG_EPROVIDER_AUTH", p.stdout
    assert "wrong-fake-gemini-key" not in p.stdout + p.stderr


@pytest.mark.parametrize("mode, expected, words", [
    ("unauthorized", "VG_EPROVIDER_AUTH", "UNAUTHENTICATED"),
    ("api_key_invalid", "VG_EPROVIDER_AUTH", "API key not valid"),
    ("rate_limited", "VG_EPROVIDER_RATE", "RESOURCE_EXHAUSTED"),
    ("malformed", "VG_EPROVIDER_RESPONSE", "not JSON"),
    ("wrong_count", "VG_EPROVIDER_RESPONSE", "1 embeddings came back for 2 prompts"),
    ("wrong_dimension", "VG_EPROVIDER_RESPONSE", "has 7 values, expected 8"),
])
def test_fault_gives_its_status_and_a_clear_message(fake, mode, expected, words):
    fake.mode = mode
    p = run_driver(fake, "--dimension", "8", "embed", "one", "two")
    assert status(p) == expected, p.stdout + p.stderr
    assert words in p.stdout
    assert fake.violations == []


def test_rate_limit_is_retried_honouring_retry_after(fake):
    fake.mode = "rate_limited"
    p = run_driver(fake, "embed", "x")
    assert status(p) == "VG_EPROVIDER_RATE"
    assert len(fake.requests) > 1


def test_500_then_ok_succeeds_after_one_retry(fake):
    fake.mode = "flaky"
    p = run_driver(fake, "--dimension", "8", "embed", "x")
    assert status(p) == "VG_OK", p.stdout + p.stderr
    assert len(fake.requests) == 2
    assert fake.requests[0]["json"] == fake.requests[1]["json"]


def test_unreachable_provider_is_vg_enetwork():
    p = run_driver(None, "embed", "x")
    assert status(p) in ("VG_ENETWORK", "VG_ECIRCUIT_OPEN"), p.stdout


def test_cache_with_gemini_serves_a_near_duplicate(fake):
    put = "a red sports car driving along the sunny beach at sunset"
    near = "red sports car driving along the sunny beach at sunset"
    p = run_driver(fake, "cache", put, near)
    assert status(p) == "VG_OK", p.stdout + p.stderr
    assert fake.violations == []
    line = p.stdout.splitlines()[1].split()
    assert line[1] == "2", p.stdout  # VG_CACHE_SEMANTIC
    assert float(line[3]) >= 0.85
    assert line[7] == "gemini/%s/768" % MODEL
    sent = [r["content"]["parts"][0]["text"] for q in fake.requests for r in q["json"]["requests"]]
    assert put in sent and near in sent


def test_cosine_of_the_fake_vectors_is_high_for_the_near_duplicate():
    a = normalised(vector_for("a red sports car driving along the sunny beach at sunset", 768))
    b = normalised(vector_for("red sports car driving along the sunny beach at sunset", 768))
    assert sum(x * y for x, y in zip(a, b)) >= 0.85
    assert math.isclose(sum(x * x for x in a), 1.0)


# ---- generateContent: moderation and enhancement (vg__gemini_moderate, vg__gemini_enhance)

GEN_PATH = "/v1beta/models/gemini-2.5-flash:generateContent"


def answer(p):
    """The driver's one JSON line."""
    assert p.stdout, p.stderr
    return json.loads(p.stdout.splitlines()[0])


def test_moderate_allowed_prompt_sends_the_documented_request(fake):
    p = run_driver(fake, "moderate", "a blue water bottle on a desk")
    a = answer(p)
    assert a == {"status": "VG_OK", "blocked": False, "reason": "", "detail": "gemini: allowed"}
    assert fake.violations == []
    assert len(fake.requests) == 1
    r = fake.requests[0]
    assert r["method"] == "POST"
    assert r["path"] == GEN_PATH
    assert r["headers"]["x-goog-api-key"] == KEY
    assert r["headers"]["content-type"].startswith("application/json")
    body = r["json"]
    assert body["contents"] == [{"role": "user",
                                 "parts": [{"text": "a blue water bottle on a desk"}]}]
    assert "JSON" in body["systemInstruction"]["parts"][0]["text"]
    assert body["generationConfig"]["responseMimeType"] == "application/json"
    assert fake.images == []


def test_moderate_verdict_not_allowed_gives_its_reason(fake):
    a = answer(run_driver(fake, "moderate", "a knife attack in a kitchen"))
    assert a["status"] == "VG_OK"
    assert a["blocked"] is True and a["reason"] == "violence"


def test_moderate_unknown_verdict_reason_becomes_other(fake):
    a = answer(run_driver(fake, "moderate", "trigger-odd-reason"))
    assert a["blocked"] is True and a["reason"] == "other"


def test_moderate_prompt_feedback_block_reason_blocks(fake):
    a = answer(run_driver(fake, "moderate", "trigger-block please"))
    assert a["status"] == "VG_OK"
    assert a["blocked"] is True
    assert a["reason"] == "adult"  # from the HIGH SEXUALLY_EXPLICIT rating
    assert "blockReason SAFETY" in a["detail"]


def test_moderate_finish_reason_safety_blocks(fake):
    a = answer(run_driver(fake, "moderate", "trigger-finish please"))
    assert a["status"] == "VG_OK"
    assert a["blocked"] is True
    assert a["reason"] == "hate"  # from the MEDIUM HATE_SPEECH rating
    assert "finishReason SAFETY" in a["detail"]


def test_moderate_sends_the_image_inline_as_base64(fake, tmp_path):
    data = bytes(range(256)) * 3 + b"\x89PNG tail"
    f = tmp_path / "product.png"
    f.write_bytes(data)
    a = answer(run_driver(fake, "moderate", "a product shot", "--image", str(f),
                          "--mime", "image/png"))
    assert a["status"] == "VG_OK" and a["blocked"] is False
    assert fake.violations == []
    assert fake.images == [("image/png", data)]
    parts = fake.requests[0]["json"]["contents"][0]["parts"]
    assert parts[0] == {"text": "a product shot"}
    assert parts[1]["inline_data"]["mime_type"] == "image/png"


def test_enhance_returns_the_trimmed_joined_text(fake):
    a = answer(run_driver(fake, "enhance", "一個藍色水壺", "--lang", "zh-TW"))
    assert a == {"status": "VG_OK", "text": "Enhanced: 一個藍色水壺"}
    assert fake.violations == []
    body = fake.requests[0]["json"]
    assert fake.requests[0]["path"] == GEN_PATH
    text = body["contents"][0]["parts"][0]["text"]
    assert "zh-TW" in text and "一個藍色水壺" in text
    sys_text = body["systemInstruction"]["parts"][0]["text"]
    assert "English" in sys_text and "intent" in sys_text
    assert "responseMimeType" not in body.get("generationConfig", {})


def test_enhance_too_small_buffer_is_vg_ebufsize(fake):
    a = answer(run_driver(fake, "enhance", "a red car", "--lang", "en", "--size", "8"))
    assert a["status"] == "VG_EBUFSIZE"


def test_enhance_blocked_prompt_is_vg_eprovider_response(fake):
    a = answer(run_driver(fake, "enhance", "trigger-block", "--lang", "en"))
    assert a["status"] == "VG_EPROVIDER_RESPONSE"


@pytest.mark.parametrize("mode, expected", [
    ("unauthorized", "VG_EPROVIDER_AUTH"),
    ("api_key_invalid", "VG_EPROVIDER_AUTH"),
    ("rate_limited", "VG_EPROVIDER_RATE"),
    ("malformed", "VG_EPROVIDER_RESPONSE"),
    ("bad_verdict", "VG_EPROVIDER_RESPONSE"),
])
def test_moderate_fault_gives_its_status(fake, mode, expected):
    fake.mode = mode
    a = answer(run_driver(fake, "moderate", "a bottle"))
    assert a["status"] == expected, a
    assert fake.violations == []


@pytest.mark.parametrize("mode, expected", [
    ("unauthorized", "VG_EPROVIDER_AUTH"),
    ("rate_limited", "VG_EPROVIDER_RATE"),
    ("malformed", "VG_EPROVIDER_RESPONSE"),
    ("empty", "VG_EPROVIDER_RESPONSE"),
])
def test_enhance_fault_gives_its_status(fake, mode, expected):
    fake.mode = mode
    a = answer(run_driver(fake, "enhance", "a bottle", "--lang", "en"))
    assert a["status"] == expected, a


def test_moderate_wrong_key_is_auth_and_never_shown(fake):
    p = run_driver(fake, "moderate", "x", key="wrong-fake-gemini-key")
    assert answer(p)["status"] == "VG_EPROVIDER_AUTH"
    assert "wrong-fake-gemini-key" not in p.stdout + p.stderr


def test_moderate_without_key_is_vg_eno_api_key(fake):
    assert answer(run_driver(fake, "moderate", "x", key=None))["status"] == "VG_ENO_API_KEY"
    assert fake.requests == []


def test_key_never_in_debug_output_of_moderate_and_enhance(fake):
    # run_driver runs at --debug and asserts the key is in neither stdout nor stderr.
    for args in (("moderate", "a bottle"), ("moderate", "trigger-block"),
                 ("enhance", "a bottle", "--lang", "en")):
        p = run_driver(fake, *args)
        assert "log" in p.stderr  # DEBUG lines were written
    fake.mode = "api_key_invalid"
    run_driver(fake, "moderate", "a bottle")
