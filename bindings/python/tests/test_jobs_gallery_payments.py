# SPDX-License-Identifier: MIT
"""engine.jobs (offline generation with workers in threads), engine.gallery and
engine.payments (in the sandbox)."""
import time

import pytest

import vidgo
from vidgo import errors


def test_a_job_is_generated_by_a_worker_thread_and_charged_once(make_engine):
    engine = make_engine()
    uid = engine.users.add_verified("gen@example.com", "pro")
    events = []
    with engine.generator(on_event=lambda job: events.append((job.id, job.state))) as gen:
        job = gen.submit(uid, "video_720p", "A red sneaker spinning on a white table",
                         key="job-1", public=True)
        assert job.state == vidgo.JobState.QUEUED and job.price > 0
        worker = gen.start_worker(idle_ms=20)
        assert worker.running
        done = gen.wait(job.id, timeout=30)
        worker.stop()
        assert not worker.running
    assert done.state == vidgo.JobState.SUCCEEDED and done.charged and done.result_url
    assert done.finished_at >= done.created_at and done.final
    assert (job.id, vidgo.JobState.SUCCEEDED) in events and events[0][1] == vidgo.JobState.QUEUED
    balance = engine.credits.balance(uid)
    assert balance.held == 0 and balance.total == engine.plans.get("pro").weekly_credits - job.price
    # The same request again: served from the cache at once.
    again = engine.jobs.submit(uid, "video_720p", "a red sneaker spinning on a white table",
                               key="job-2")
    assert again.state == vidgo.JobState.SUCCEEDED and again.cache_hit
    assert [j.id for j in engine.jobs.list(uid, page_size=1)] == [again.id, job.id]
    assert list(engine.jobs.list(uid, active_only=True)) == []


def test_cancel_wait_timeout_and_worker_steps(engine, pro_user):
    job = engine.jobs.submit(pro_user, "image_1024", "a silver watch", key="w")
    with pytest.raises(errors.Timeout) as caught:
        engine.jobs.wait(job.id, timeout=0.1)
    assert caught.value.job.id == job.id and caught.value.job.state == vidgo.JobState.QUEUED
    cancelled = engine.jobs.cancel(job.id, pro_user)
    assert cancelled.state == vidgo.JobState.CANCELLED and cancelled.error_key == "VG_EJOB_CANCELLED"
    assert engine.credits.balance(pro_user).held == 0
    other = engine.jobs.submit(pro_user, "image_512", "a golden ring", key="s")
    with engine.jobs.worker("by-hand") as worker:
        steps = 0
        while not engine.jobs.get(other.id).final and steps < 200:
            if not worker.step():
                time.sleep(0.02)
            steps += 1
    assert engine.jobs.get(other.id).state == vidgo.JobState.SUCCEEDED
    assert engine.jobs.state_name(vidgo.JobState.POLLING) == "polling"


def test_a_demo_user_gets_a_watermarked_free_image_and_no_video(engine):
    demo = engine.users.add_verified("demo@example.com", "demo")
    image = engine.jobs.submit(demo, "image_512", "a cup of tea", key="i")
    assert image.free_use and image.watermark
    video = engine.jobs.submit(demo, "video_720p", "a cup of tea", key="v")
    assert video.state == vidgo.JobState.FAILED and video.error_key == "VG_EPAID_ONLY"
    assert video.message  # in the user's language
    engine.jobs.run_until_idle()
    assert engine.jobs.get(image.id).state == vidgo.JobState.SUCCEEDED


def test_the_gallery(engine, pro_user):
    topics = engine.gallery.topics("ja")
    assert len(topics) >= 8 and all(t.title for t in topics)
    examples = engine.gallery.examples("pets", "ja", count=3, seed=42)
    assert len(examples) == 3 and all(e.topic == "pets" and e.lang == "ja" for e in examples)
    assert [e.id for e in engine.gallery.examples("pets", "ja", 3, 42)] == [e.id for e in examples]
    job = engine.jobs.submit(pro_user, "image_1024", "a jar of honey on a wooden table",
                             key="g", public=True)
    engine.jobs.run_until_idle()
    example_id = engine.gallery.promote(job, "food", "Honey")
    food = engine.gallery.examples("food", "en", 100)
    assert any(e.id == example_id and e.job_id == job.id and e.result_url for e in food)
    engine.gallery.remove(example_id)
    with pytest.raises(errors.NotFound):
        engine.gallery.remove(example_id)


def test_orders_checkout_sandbox_subscriptions_promos_and_stats(make_engine):
    engine = make_engine(payments=vidgo.PaymentsConfig(sandbox=True))
    uid = engine.users.add_verified("buyer@example.com", "starter")
    order = engine.payments.create_order(uid, "credits_50", key="o1")
    assert order.state == vidgo.OrderState.CREATED and order.currency == "TWD"
    assert engine.payments.create_order(uid, "credits_50", key="o1").id == order.id
    form = engine.payments.ecpay_checkout(order.id, "https://example.com/ecpay/return",
                                          client_back_url="https://example.com/back")
    fields = dict(form.fields)
    assert fields["MerchantTradeNo"] == order.number and form.fields[-1][0] == "CheckMacValue"
    assert engine.payments.order(order.id).state == vidgo.OrderState.PENDING
    paid = engine.payments.simulate_paid(order.id)
    assert paid.state == vidgo.OrderState.FULFILLED and paid.paid_at is not None
    assert engine.credits.balance(uid).purchased == 50
    assert engine.payments.find_order(order.number).id == order.id

    sub_order = engine.payments.create_order(uid, "pro", kind="subscription", provider="paddle",
                                             key="o2")
    assert sub_order.currency == "USD"
    engine.payments.simulate_paid(sub_order.id)
    sub = engine.payments.subscription(uid)
    assert sub.state == vidgo.SubscriptionState.ACTIVE and sub.plan == "pro"
    assert engine.payments.change_subscription(uid, "starter").next_plan == "starter"
    assert engine.payments.cancel_subscription(uid).state == vidgo.SubscriptionState.CANCELED
    assert engine.payments.maintain_subscriptions() >= 0
    refunded = engine.payments.refund_order(sub_order.id, "customer asked")
    assert refunded.state == vidgo.OrderState.REFUNDED
    assert [o.id for o in engine.payments.orders(uid, page_size=1)] == [sub_order.id, order.id]

    engine.payments.put_promo(vidgo.Promo("WELCOME", 10, per_user=1))
    assert engine.payments.promo("welcome").bonus_credits == 10
    assert engine.payments.redeem_promo(uid, "welcome", key="p").bonus == 10
    assert engine.payments.promo("WELCOME").redeemed == 1

    stats = engine.payments.admin_stats()
    assert stats.users_by_plan and stats.credits_granted >= 60
    assert {r.currency for r in stats.revenue} >= {"TWD"}
    assert engine.payments.order_state_name(vidgo.OrderState.PAID) == "paid"
    assert engine.check() == []


def test_ecpay_check_mac_matches_the_official_example():
    # ECPay's documented example (AioCheckOut, SHA-256, stage keys).
    fields = {"ChoosePayment": "ALL", "EncryptType": "1", "ItemName": "Apple iphone 15",
              "MerchantID": "3002607", "MerchantTradeDate": "2023/03/12 15:30:23",
              "MerchantTradeNo": "ecpay20230312153023", "PaymentType": "aio",
              "ReturnURL": "https://www.ecpay.com.tw/receive.php", "TotalAmount": "30000",
              "TradeDesc": "促銷方案"}
    from vidgo.payments import ecpay_check_mac

    assert ecpay_check_mac(fields, "pwFHCqoQZGmho4w6", "EkRm7iFT261dpevs") == \
        "6C51C9E6888DE861FD62FB1DD17029FC742634498FD813DC43D4243B5685B840"


def test_a_paddle_webhook_is_processed_once(make_engine):
    import hashlib
    import hmac
    import json

    secret = "pdl_ntfset_binding"
    engine = make_engine(payments=dict(paddle_webhook_secret=secret))
    uid = engine.users.add_verified("p@example.com", "starter")
    order = engine.payments.create_order(uid, "credits_50", provider="paddle", key="o")
    body = json.dumps({"event_id": "evt_1", "event_type": "transaction.completed",
                       "occurred_at": "2026-11-25T10:00:00.000000Z",
                       "data": {"id": "txn_1", "status": "completed", "currency_code": "USD",
                                "details": {"totals": {"total": str(order.amount_minor)}},
                                "custom_data": {"vidgo_order": order.number}}}).encode()
    ts = int(time.time())
    signature = "ts=%d;h1=%s" % (ts, hmac.new(secret.encode(), b"%d:" % ts + body,
                                             hashlib.sha256).hexdigest())
    engine.payments.paddle_verify(signature, body)
    first = engine.payments.paddle_webhook(signature, body)
    assert first.order_id == order.id and not first.duplicate
    assert engine.payments.paddle_webhook(signature, body).duplicate
    assert engine.payments.order(order.id).state == vidgo.OrderState.FULFILLED
