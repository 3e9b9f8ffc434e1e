# SPDX-License-Identifier: MIT
"""The `vidgo` commands for plans, pricing, users, credits and maintenance."""
import json
import sqlite3

import pytest

WEDNESDAY = "2026-11-25T10:00:00Z"


@pytest.fixture
def store(vidgo):
    vidgo.json("--now", WEDNESDAY, "init")
    return vidgo


def test_plans_lists_the_four_seeded_tiers(store):
    plans = store.json("plans")
    assert [p["name"] for p in plans] == ["demo", "starter", "pro", "pro_plus"]
    assert [p["weekly_credits"] for p in plans] == [0, 25, 60, 125]
    assert [p["price_twd"] for p in plans] == [0, 299, 599, 999]
    assert [p["topup_discount_pct"] for p in plans] == [0, 0, 10, 20]
    assert plans[0]["free_uses"] == 2 and plans[0]["watermark"] is True
    assert plans[3]["max_fps"] == 60
    assert set(plans[1]["display_name"]) == {"en", "ja", "zh-TW", "ko", "es"}


def test_pricing_hides_the_internal_fallback_and_applies_the_plan_discount(store):
    doc = store.json("pricing", "--plan", "pro_plus")
    names = [s["name"] for s in doc["services"]]
    assert "runway_720p" not in names
    assert {s["name"]: s["credits"] for s in doc["services"]}["video_4k"] == 12
    offer = {p["name"]: p for p in doc["packages"]}["credits_50"]
    assert (offer["list_price_twd"], offer["discount_pct"], offer["price_twd"]) == (229, 20, 183)
    assert store.json("pricing", "--plan", "nope", expect=1)["error"]["name"] == "VG_EPLAN_UNKNOWN"


def test_user_add_opens_a_wallet_with_the_plan_week(store):
    doc = store.json("--now", WEDNESDAY, "user", "add", " Alice@Example.COM ", "--plan", "starter")
    assert doc["email"] == "alice@example.com"
    assert (doc["subscription"], doc["total"], doc["next_reset"]) == (25, 25, "2026-11-30T00:00:00Z")
    again = store.json("user", "add", "alice@example.com", "--plan", "pro", expect=1)
    assert again["error"]["name"] == "VG_EEMAIL_TAKEN"
    bad = store.json("user", "add", "not-an-address", expect=1)
    assert bad["error"]["name"] == "VG_EEMAIL_INVALID"


def test_grant_balance_history_and_idempotent_keys(store):
    store.json("--now", WEDNESDAY, "user", "add", "bo@example.com", "--plan", "pro")
    grant = ["credits", "grant", "bo@example.com", "7", "--kind", "bonus",
             "--expires", "2026-12-01T00:00:00Z", "--key", "promo-1"]
    first = store.json("--now", WEDNESDAY, *grant)
    assert (first["bonus"], first["total"]) == (7, 67)
    assert store.json("--now", WEDNESDAY, *grant) == first  # same key: replayed, not added
    other = store.json("credits", "grant", "bo@example.com", "8", "--kind", "bonus", "--key", "promo-1",
                       expect=1)
    assert other["error"]["name"] == "VG_EIDEMPOTENCY_CONFLICT"
    later = store.json("--now", "2026-12-02T09:00:00Z", "credits", "balance", "bo@example.com")
    assert (later["bonus"], later["subscription"], later["total"]) == (0, 60, 60)
    rows = store.json("credits", "history", "bo@example.com")
    assert [r["type"] for r in rows] == ["expiry", "weekly_reset", "grant", "open"]
    assert rows[0]["amount"] == -7 and rows[0]["total_after"] == 60
    assert [r["seq"] for r in store.json("credits", "history", "bo@example.com", "--limit", "2",
                                          "--before", "3")] == [2, 1]
    assert store.json("check")["ok"] is True


@pytest.mark.parametrize("args", [
    ["credits", "grant", "bo@example.com", "0", "--kind", "purchased"],
    ["credits", "grant", "bo@example.com", "-5", "--kind", "purchased"],
    ["credits", "grant", "bo@example.com", "99999999999999999999", "--kind", "purchased"],
    ["credits", "grant", "bo@example.com", "5", "--kind", "gold"],
    ["credits", "grant", "bo@example.com", "5"],
    ["credits", "grant", "bo@example.com", "5", "--kind", "bonus", "--expires", "soon"],
    ["credits", "frobnicate", "bo@example.com"],
    ["credits", "balance"],
    ["credits", "balance", "bo@example.com", "--colour", "red"],
    ["user", "add"],
    ["user", "remove", "bo@example.com"],
])
def test_bad_command_lines_are_usage_errors_and_change_nothing(store, args):
    store.json("user", "add", "bo@example.com", "--plan", "starter")
    before = store.json("credits", "history", "bo@example.com")
    done = store.run(*args)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert store.json("credits", "history", "bo@example.com") == before


def test_unknown_user_is_refused(store):
    doc = store.json("credits", "balance", "ghost@example.com", expect=1)
    assert doc["error"]["name"] == "VG_ENOTFOUND"


def test_maintenance_resets_every_wallet_once_per_week(store):
    for name in ("a", "b", "c"):
        store.json("--now", WEDNESDAY, "user", "add", f"{name}@example.com", "--plan", "starter")
    first = store.json("--now", "2026-12-15T08:00:00Z", "maintenance")
    assert (first["users"], first["weekly_resets"]) == (3, 3)
    second = store.json("--now", "2026-12-15T09:00:00Z", "maintenance")
    assert (second["users"], second["weekly_resets"]) == (3, 0)
    resets = [r for r in store.json("credits", "history", "a@example.com") if r["type"] == "weekly_reset"]
    assert len(resets) == 1  # three Mondays missed, one row
    assert store.json("check")["ok"] is True


def test_check_names_the_wallet_whose_ledger_was_edited(store):
    store.json("user", "add", "eve@example.com", "--plan", "starter")
    store.json("user", "add", "fay@example.com", "--plan", "starter")
    store.json("credits", "grant", "eve@example.com", "5", "--kind", "purchased")
    with sqlite3.connect(store.cwd / "vidgo.db") as db:
        db.execute("UPDATE vg_ledger SET amount = 500, purchased = 500, purchased_after = 500,"
                   " total_after = total_after + 495 WHERE type = 2")
    done = store.run("--json", "check")
    assert done.returncode == 1
    doc = json.loads(done.stdout)
    subjects = {p["subject"] for p in doc["problems"]}
    assert any("eve@example.com" in s for s in subjects)
    assert not any("fay@example.com" in s for s in subjects)
