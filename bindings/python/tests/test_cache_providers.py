# SPDX-License-Identifier: MIT
"""engine.cache and engine.providers, offline (the `local` embedder and provider)."""
import gc
import math
import time

import pytest

import vidgo
from vidgo import errors

from fakeserver import FakeServer

SCOPE = vidgo.CacheScope(service="image_1024", resolution=1024)


def test_put_lookup_compare_list_invalidate_stats(engine):
    with engine.cache.open() as cache:
        first = cache.put(SCOPE, "A red sneaker on a white table", '{"url": "a"}',
                          cost_micro_usd=40000, ttl_s=3600)
        cache.put(SCOPE, "a green teapot", '{"url": "b"}', owner_id=7, owner_only=True)
        hit = cache.lookup(SCOPE, "a red  SNEAKER on a white table")
        assert hit.hit and hit.match == vidgo.CacheMatch.EXACT and hit.entry.id == first
        assert hit.entry.result == '{"url": "a"}' and hit.entry.expires_at is not None
        assert not cache.lookup(SCOPE, "a green teapot").hit  # owner only
        assert cache.lookup(SCOPE, "a green teapot", user_id=7).hit
        miss = cache.lookup("video_720p", "a red sneaker on a white table")
        assert miss.match == vidgo.CacheMatch.MISS and not miss.hit
        comparison = cache.compare("a red sneaker", "a blue sneaker")
        assert 0 <= comparison.similarity <= 1 and comparison.gate_agrees is False
        assert [e.id for e in cache.entries(SCOPE)] == sorted(e.id for e in cache.entries())
        stats = cache.stats()
        assert stats.exact_hits == 2 and stats.entries == 2 and stats.scan_path
        cache.invalidate(first)
        with pytest.raises(errors.NotFound):
            cache.invalidate(first)
        assert cache.invalidate_scope(SCOPE) == 1
        cache.set_threshold(0.9, SCOPE)
        cache.set_threshold(0.8)
    assert cache.closed


def test_single_flight_done_and_failed(engine):
    cache = engine.cache.open(negative_ttl_s=60)
    hit, flight = cache.begin("image_512", "a paper crane")
    assert not hit.hit and flight is not None
    flight.done('{"url": "crane"}', cost_micro_usd=10)
    assert flight.ended
    hit, flight = cache.begin("image_512", "a paper crane")
    assert hit.hit and flight is None
    with cache.begin("image_512", "a failing prompt")[1]:
        pass  # leaving the block unended fails the flight
    with pytest.raises(errors.JobFailed):
        cache.begin("image_512", "a failing prompt")
    _, flight = cache.begin("image_512", "dropped on the floor")
    del flight
    gc.collect()  # the GC fails it; nothing is freed twice when the cache closes
    cache.close()


def test_embedders_local_python_and_the_default(engine):
    local = vidgo.Embedder.local(64)
    (vector,) = local.embed(["a red sneaker"])
    assert len(vector) == 64 and math.isclose(sum(x * x for x in vector), 1.0, rel_tol=1e-4)
    calls = []

    def mine(prompts):
        calls.append(list(prompts))
        return [[1.0, 0.0, 0.0] if "red" in p else [0.0, 1.0, 0.0] for p in prompts]

    custom = vidgo.Embedder.from_function(mine, name="mine", model="rgb", dimension=3, max_batch=8)
    with engine.cache.open(embedder=custom) as cache:
        cache.put("image_512", "a red apple", "r")
        hit = cache.lookup("image_512", "a red car")
        assert hit.hit and hit.match == vidgo.CacheMatch.SEMANTIC
        assert hit.entry.fingerprint.startswith("mine/rgb/3")
    assert calls
    default = engine.providers.embedder()
    assert default.name == "local" and default.dimension == 768
    assert len(engine.providers.embed("hello")[0]) == 768
    default.close()
    default.close()


def test_normalize_and_the_block_cache(engine):
    assert engine.cache.normalize("  Ｈｅｌｌｏ   WORLD ") == "hello world"
    assert engine.cache.block_get("some prompt") is None
    engine.cache.block_put("Some   PROMPT", "adult")
    assert engine.cache.block_get("some prompt") == "adult"


def test_provider_info_pick_moderate_enhance(engine):
    assert engine.providers.names()[0] == "local"
    infos = {i.name: i for i in engine.providers.list()}
    assert infos["local"].serves and infos["local"].has_key
    assert not infos["gemini"].serves  # local mode
    assert engine.providers.pick("text_to_video") == "local"
    assert engine.providers.pick(vidgo.TaskKind.IMAGE_TO_VIDEO, 5) is None
    caps = engine.providers.capabilities()
    assert any(c.provider == "leonardo" and c.kind == vidgo.TaskKind.TEXT_TO_VIDEO for c in caps)
    assert all(isinstance(c.services, tuple) for c in caps)
    verdict = engine.providers.moderate("a naked model", lang="es")
    assert verdict.blocked and verdict.reason == "adult" and verdict.message
    assert engine.providers.moderation_message("adult", "ja")
    assert engine.providers.moderation_message("no-such-reason") is None
    assert not engine.providers.moderate("a cute cat").blocked
    enhanced = engine.providers.enhance("una taza azul", "es")
    assert enhanced.provider == "local" and "una taza azul" in enhanced.prompt
    assert engine.providers.task_kind_name(vidgo.TaskKind.HD_ENHANCE) == "hd_enhance"
    assert engine.providers.task_kind_index("text_to_image") == 0
    assert engine.providers.task_state_name(vidgo.TaskState.RUNNING) == "running"
    assert engine.providers.index("runway") == vidgo.ProviderId.RUNWAY


def test_a_local_task_is_submitted_and_polled_to_success(engine):
    job = engine.providers.submit("local", vidgo.ProviderTask(vidgo.TaskKind.TEXT_TO_IMAGE,
                                                              prompt="a cat", resolution=512))
    assert job.provider == "local" and job.placeholder
    deadline = time.monotonic() + 10
    while not job.state.final and time.monotonic() < deadline:
        time.sleep(job.poll_after_ms / 1000)
        job = engine.providers.poll(job)
    assert job.state == vidgo.TaskState.SUCCEEDED and job.result_url
    engine.providers.cancel("local", job.job_id)  # already final: fine


def test_a_provider_check_against_a_fake_server(make_engine):
    server = FakeServer()
    try:
        server.answer(200, b'{"user_details": [{"user": {"id": "u1"}}]}')
        engine = make_engine(provider_mode="auto", providers={
            "leonardo": {"api_key": "leo-test-key-1234", "base_url": server.url}})
        info = engine.providers.check("leonardo")
        assert info.checked and info.has_key and info.key_source == "config"
        assert "leo-test-key-1234" not in info.key_masked + info.detail
        assert server.requests and server.requests[0][1] == "/me"
    finally:
        server.close()


def test_reconcile_finds_the_local_job_a_submit_made(engine):
    since = engine.now()
    task = vidgo.ProviderTask(vidgo.TaskKind.TEXT_TO_IMAGE, prompt="a lost answer")
    submitted = engine.providers.submit("local", task)
    found = engine.providers.reconcile("local", task, since)
    assert found is not None and found.job_id == submitted.job_id
    other = vidgo.ProviderTask(vidgo.TaskKind.TEXT_TO_IMAGE, prompt="never sent")
    assert engine.providers.reconcile("local", other, since) is None


def test_a_pollo_webhook_is_verified_and_read(make_engine):
    import base64
    import hashlib
    import hmac
    import json

    secret = "pollo-binding-secret"
    engine = make_engine(pollo_webhook_secret=secret)
    body = json.dumps({"taskId": "task-7", "status": "succeed", "generations": [
        {"id": "g", "status": "succeed", "failMsg": "", "url": "https://cdn.example/v.mp4",
         "mediaType": "video"}]}).encode()
    ts = str(int(time.time()))
    mac = hmac.new(secret.encode(), b"msg_1." + ts.encode() + b"." + body, hashlib.sha256)
    signature = "v1," + base64.b64encode(mac.digest()).decode()
    job = engine.providers.pollo_webhook_verify("msg_1", ts, signature, body,
                                                kind=vidgo.TaskKind.IMAGE_TO_VIDEO)
    assert (job.provider, job.job_id, job.state) == ("pollo", "task-7", vidgo.TaskState.SUCCEEDED)
    assert job.kind == vidgo.TaskKind.IMAGE_TO_VIDEO and job.result_url.endswith("v.mp4")
    with pytest.raises(errors.SignatureError):
        engine.providers.pollo_webhook_verify("msg_1", ts, signature, body + b" ")


def test_provider_info_and_the_embedder_helpers(engine):
    info = engine.providers.info("gemini")
    assert info.name == "gemini" and not info.checked and info.key_masked == ""
    local = engine.cache.local_embedder(32)
    assert (local.name, local.model, local.dimension, local.max_batch) == (
        "local", "hashed-ngrams-v1", 32, local.max_batch)
    default = engine.cache.default_embedder()
    try:
        assert default.embed(["one", "two"]) == engine.providers.embed(["one", "two"])
    finally:
        default.close()
    assert vidgo.system_now().tzinfo is not None
    vidgo.errors.clear_last_error()
    assert vidgo.errors.last_error() is None
    with pytest.raises(errors.PlanUnknown):
        engine.plans.get("none")
    assert isinstance(vidgo.errors.last_error(), errors.PlanUnknown)
