# SPDX-License-Identifier: MIT
"""engine.plans and engine.credits through the binding."""
import dataclasses
import datetime as dt

import pytest

import vidgo
from vidgo import errors


def test_plans_are_listed_by_rank_with_names_in_five_languages(engine):
    plans = engine.plans.list()
    assert [p.name for p in plans] == ["demo", "starter", "pro", "pro_plus"]
    pro = engine.plans.get("pro")
    assert pro.paid and pro.weekly_credits > 0
    assert set(pro.display_name) == set(vidgo.LANGS) and pro.display_name["en"] == "Pro"


def test_a_plan_put_is_read_back(engine):
    pro = engine.plans.get("pro")
    engine.plans.put(dataclasses.replace(pro, name="team", rank=9, weekly_credits=500,
                                         display_name={**pro.display_name, "en": "Team"}))
    team = engine.plans.get("team")
    assert (team.rank, team.weekly_credits, team.display_name["en"]) == (9, 500, "Team")
    with pytest.raises(errors.InvalidArgument):
        engine.plans.put(dataclasses.replace(pro, name="Bad Name"))


def test_services_and_packages(engine):
    services = {s.name: s for s in engine.plans.services()}
    assert services["video_720p"].kind == vidgo.ServiceKind.VIDEO
    assert engine.plans.service("image_1024").credits == services["image_1024"].credits
    engine.plans.put_service(dataclasses.replace(services["image_512"], name="image_tiny",
                                                 credits=1))
    assert engine.plans.service("image_tiny").credits == 1
    listed = engine.plans.packages()
    discounted = engine.plans.packages("pro")
    assert listed and [o.package.name for o in listed] == [o.package.name for o in discounted]
    assert all(d.price_twd <= l.price_twd for l, d in zip(listed, discounted))
    engine.plans.put_package(dataclasses.replace(listed[0].package, name="credits_7", credits=7))
    assert any(o.package.credits == 7 for o in engine.plans.packages())


def test_access_check_answers_without_raising(engine):
    demo = engine.users.add_verified("demo@example.com", "demo")
    ok = engine.plans.check_access(demo, "image_512")
    assert ok.allowed and ok.free_use and ok.watermark and ok.reason_key is None
    no = engine.plans.check_access(demo, "video_1080p")
    assert not no.allowed and no.reason_key == "VG_ERESOLUTION"
    with pytest.raises(errors.ResolutionNotAllowed):
        no.raise_for_reason()
    with pytest.raises(errors.NotFound):
        engine.plans.check_access(424242, "image_512")


def test_hold_capture_release_refund_and_the_balance(engine, pro_user):
    start = engine.credits.balance(pro_user)
    hold = engine.credits.hold(pro_user, "video_720p", key="h1", reference="job-1")
    assert hold.state == vidgo.HoldState.OPEN and hold.reference == "job-1"
    assert hold.balance.held == hold.price and hold.balance.available == start.available - hold.price
    captured = engine.credits.capture(hold, key="c1")
    assert captured.state == vidgo.HoldState.CAPTURED and captured.settled_at is not None
    refunded = engine.credits.refund(hold.id, key="r1")
    assert refunded.state == vidgo.HoldState.REFUNDED
    other = engine.credits.hold(pro_user, "image_512", key="h2")
    released = engine.credits.release(other, key="rel")
    assert released.state == vidgo.HoldState.RELEASED
    assert engine.credits.get_hold(other.id).state == vidgo.HoldState.RELEASED
    assert engine.credits.balance(pro_user).available == start.available


def test_the_same_key_returns_the_first_outcome(engine, pro_user):
    first = engine.credits.hold(pro_user, "image_512", key="once")
    again = engine.credits.hold(pro_user, "image_512", key="once")
    assert again.id == first.id and again.balance == first.balance


def test_grants_and_history_pages(engine, pro_user):
    expires = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=3)
    engine.credits.grant(pro_user, 7, key="bonus", kind="bonus", expires_at=expires)
    for i in range(12):
        engine.credits.grant(pro_user, 1, key=f"p{i}", reference=f"order-{i}")
    balance = engine.credits.balance(pro_user)
    assert balance.bonus == 7 and balance.purchased == 12
    assert abs((balance.next_bonus_expiry - expires).total_seconds()) < 1
    rows = list(engine.credits.history(pro_user, page_size=5))
    assert [r.seq for r in rows] == list(range(balance.ledger_seq, 0, -1))
    assert rows[-1].type == vidgo.LedgerType.OPEN and rows[0].reference == "order-11"
    assert engine.credits.ledger_type_name(vidgo.LedgerType.GRANT) == "grant"


def test_plan_change_and_maintenance(engine, pro_user):
    balance = engine.credits.change_plan(pro_user, "pro_plus", key="up")
    assert balance.subscription == engine.plans.get("pro_plus").weekly_credits
    assert engine.users.get(pro_user).plan == "pro_plus"
    report = engine.credits.maintenance()
    assert report.users >= 1
    monday = engine.credits.next_reset(dt.datetime(2026, 11, 25, 10, tzinfo=dt.timezone.utc))
    assert monday == dt.datetime(2026, 11, 30, tzinfo=dt.timezone.utc)
