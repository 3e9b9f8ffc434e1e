# SPDX-License-Identifier: MIT
"""The `vidgo` program: init, check, version, demo, global options and exit codes."""
import json
import re
import sqlite3

import pytest

COMMANDS = ["init", "check", "version", "demo"]


def test_version_json_names_the_library_schema_and_backends(vidgo):
    doc = vidgo.json("version")
    major, minor, patch = (int(x) for x in doc["version"].split("."))
    assert doc["version_number"] == major * 10000 + minor * 100 + patch
    assert doc["schema_version"] >= 2
    assert "sqlite" in doc["backends"]


def test_init_creates_the_store_and_check_passes(vidgo):
    doc = vidgo.json("init")
    assert doc["backend"] == "sqlite"
    assert doc["store"] == "vidgo.db"
    assert (vidgo.cwd / "vidgo.db").exists()
    assert [e["kind"] for e in doc["journal"]] == ["store.created", "catalog.seeded"]
    check = vidgo.json("check")
    assert check == {"ok": True, "store": "vidgo.db", "problem_count": 0, "problems": []}


def test_init_twice_changes_nothing(vidgo):
    first = vidgo.json("init")
    second = vidgo.json("init")
    assert first["journal"] == second["journal"]


def test_db_option_forms_and_environment(vidgo):
    assert vidgo.json("--db", "a.db", "init")["store"] == "a.db"
    assert vidgo.json("init", "--db=b.db")["store"] == "b.db"
    assert vidgo.json("init", env={"VIDGO_DB": "c.db"})["store"] == "c.db"
    assert vidgo.json("--db", "sqlite:d.db", "init")["backend"] == "sqlite"
    assert (vidgo.cwd / "d.db").exists()


def test_now_sets_the_clock_of_the_run(vidgo):
    doc = vidgo.json("--now", "2026-11-30T09:00:00+09:00", "init")
    assert doc["journal"][0]["at"] == "2026-11-30T00:00:00Z"


def test_bad_now_is_a_usage_error(vidgo):
    done = vidgo.run("--now", "next tuesday", "init")
    assert done.returncode == 2
    assert "RFC 3339" in done.stderr
    assert not (vidgo.cwd / "vidgo.db").exists()


def test_check_without_a_store_says_how_to_make_one(vidgo):
    doc = vidgo.json("check", expect=3)
    assert doc["error"]["name"] == "VG_ESTORE_OPEN"
    assert "vidgo init" in doc["error"]["message"]
    assert not (vidgo.cwd / "vidgo.db").exists()


def test_a_directory_as_store_is_refused(vidgo):
    (vidgo.cwd / "dir.db").mkdir()
    done = vidgo.run("--db", "dir.db", "init")
    assert done.returncode == 3
    assert "directory" in done.stderr


def test_a_corrupt_store_is_refused_and_left_alone(vidgo):
    junk = b"not a database " * 400
    (vidgo.cwd / "junk.db").write_bytes(junk)
    doc = vidgo.json("--db", "junk.db", "check", expect=3)
    assert doc["error"]["name"] == "VG_ESTORE_CORRUPT"
    assert (vidgo.cwd / "junk.db").read_bytes() == junk


def test_a_newer_store_is_refused(vidgo):
    vidgo.json("init")
    with sqlite3.connect(vidgo.cwd / "vidgo.db") as db:
        db.execute("INSERT INTO vg_schema_migrations (version, applied_at) VALUES (999, 0)")
    doc = vidgo.json("init", expect=3)
    assert doc["error"]["name"] == "VG_ESTORE_VERSION"
    assert "999" in doc["error"]["message"]


def make_version_1_store(path):
    """Turns a new store back into what schema version 1 left: its two tables only."""
    with sqlite3.connect(path) as db:
        tables = [r[0] for r in db.execute(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name LIKE 'vg\\_%' ESCAPE '\\'")]
        db.execute("PRAGMA foreign_keys = OFF")
        for table in tables:
            if table not in ("vg_schema_migrations", "vg_meta"):
                db.execute(f"DROP TABLE {table}")
        db.execute("DELETE FROM vg_schema_migrations WHERE version > 1")
        db.execute("DELETE FROM vg_meta WHERE key = 'catalog_seeded'")


def test_an_older_store_is_upgraded_by_init(vidgo):
    vidgo.json("init")
    make_version_1_store(vidgo.cwd / "vidgo.db")
    assert vidgo.run("check").returncode == 3  # read-only: it will not upgrade
    doc = vidgo.json("init")
    assert doc["schema_version"] == vidgo.json("version")["schema_version"]
    assert [e["kind"] for e in doc["journal"]] == ["schema.migrated", "catalog.seeded"]
    assert vidgo.json("check")["ok"] is True


def test_check_reports_a_damaged_index(vidgo):
    vidgo.json("init")
    path = vidgo.cwd / "vidgo.db"
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA journal_mode = DELETE")
        db.execute("CREATE TABLE extra (a TEXT)")
        db.execute("CREATE INDEX extra_a ON extra (a)")
        db.executemany("INSERT INTO extra VALUES (?)", [(f"row {i:05d}",) for i in range(400)])
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA writable_schema = ON")
        # Point the index at the table's root page: their b-trees then disagree.
        table_root = db.execute("SELECT rootpage FROM sqlite_schema WHERE name = 'extra'").fetchone()[0]
        db.execute("UPDATE sqlite_schema SET rootpage = ? WHERE name = 'extra_a'", (table_root,))
    done = vidgo.run("--json", "check")
    assert done.returncode == 1, done.stdout + done.stderr
    doc = json.loads(done.stdout)
    assert doc["ok"] is False
    assert doc["problem_count"] >= 1
    assert doc["problems"][0]["check"] == "sqlite.integrity"


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(vidgo, command):
    done = vidgo.run(command, "--help")
    assert done.returncode == 0
    assert done.stdout.startswith("usage: vidgo")
    assert command in done.stdout


@pytest.mark.parametrize("command", ["init", "check", "version", "demo"])
def test_commands_refuse_extra_arguments(vidgo, command):
    done = vidgo.run(command, "surplus")
    assert done.returncode == 2
    assert "usage" in done.stderr


def test_unknown_command_and_missing_command_are_usage_errors(vidgo):
    assert vidgo.run("frobnicate").returncode == 2
    assert vidgo.run().returncode == 2
    assert vidgo.run("--db").returncode == 2
    top = vidgo.run("--help")
    assert top.returncode == 0
    for command in COMMANDS:
        assert command in top.stdout
    assert "Exit codes" in top.stdout


def test_errors_are_described_in_the_chosen_language(vidgo):
    doc = vidgo.json("--lang", "ja", "check", expect=3)
    ja = doc["error"]["description"]
    en = vidgo.json("check", expect=3)["error"]["description"]
    assert ja and en and ja != en
    assert any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in ja)
    assert doc["error"]["name"] == "VG_ESTORE_OPEN"


DEMO_STEPS = ["register", "verify", "sign_in", "plan", "submit", "worker", "result", "charged",
              "cache", "ledger", "blocked", "demo_hit", "demo_miss", "cancel", "check"]


def test_demo_tells_the_whole_story_offline_in_seconds(vidgo):
    done = vidgo.run("demo", env={"VIDGO_PROVIDER_MODE": "remote"})  # it uses `local` anyway
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "libvidgo" in out and "no keys, no network" in out
    assert re.search(r"the code e-mailed to ana@demo\.vidgo is \d{6}", out)
    assert "verified" in out
    assert re.search(r"job 1 queued at once; 5 credits held", out)
    assert re.search(r"\.\. queued, submitted, polling 0%( \d+%)+, succeeded", out)
    assert "job 1 succeeded" in out
    assert "offline placeholder" in out and ".gif" in out
    assert "charged 5 credits, once: balance 25 -> 20" in out
    cache = re.search(r"job 2 served from the cache at once \(similarity (\d\.\d\d)\).*"
                      r"no provider cost; charged 5: balance 20 -> 15", out)
    assert cache and float(cache.group(1)) >= 0.85
    for row in ("open", "plan_change      +25     25", "debit             -5     20",
                "debit             -5     15"):
        assert row in out
    assert "VG_EMODERATION_BLOCKED" in out
    assert "watermark = 1" in out
    assert "VG_EPAID_ONLY" in out
    assert "then cancelled: the hold is released (balance 15, held 0)" in out
    assert "every wallet's ledger verifies; every job charged exactly once" in out
    assert re.search(r"Done in \d+\.\d s", out)
    assert done.stderr == ""
    assert vidgo.json("--db", "vidgo-demo.db", "check")["ok"] is True


def test_demo_json_reports_every_step(vidgo):
    doc = vidgo.json("demo")
    assert doc["ok"] is True and doc["check_ok"] is True and doc["failed_step"] is None
    assert doc["store"] == "vidgo-demo.db" and doc["backend"] == "sqlite"
    assert doc["providers"] == "local" and doc["assets_dir"] == "vidgo-demo-assets"
    assert doc["recreated"] is False
    assert doc["elapsed_ms"] < 20000
    steps = {step["step"]: step for step in doc["steps"]}
    assert [step["step"] for step in doc["steps"]] == DEMO_STEPS
    assert all(step["ok"] and step["who"] and step["what"] and step["result"]
               for step in doc["steps"])
    assert re.fullmatch(r"\d{6}", steps["register"]["code"])
    assert steps["verify"]["verified"] is True
    assert steps["plan"]["balance"]["total"] == 25
    video = steps["submit"]["job"]
    assert video["state"] == "queued" and video["price"] == 5
    held = steps["submit"]["balance"]
    assert (held["total"], held["held"], held["available"]) == (25, 5, 20)
    progress = steps["worker"]["progress"]
    assert progress[0]["state"] == "queued" and progress[-1]["state"] == "succeeded"
    percents = [p["percent"] for p in progress if p["state"] == "polling"]
    assert percents and percents == sorted(percents)
    made = steps["worker"]["job"]
    assert made["state"] == "succeeded" and made["charged"] and made["placeholder"]
    assert made["media_type"] == "video" and made["result_url"].startswith("file://")
    assert (vidgo.cwd / steps["result"]["path"]).stat().st_size == steps["result"]["bytes"] > 0
    assert steps["charged"]["charged"] == 5 and steps["charged"]["balance"]["total"] == 20
    hit = steps["cache"]["job"]
    assert hit["cache_hit"] and hit["similarity"] >= 0.85 and hit["api_cost_micro_usd"] == 0
    assert hit["result_url"] == made["result_url"] and hit["charged"] and hit["price"] == 5
    assert [(r["type"], r["amount"], r["total_after"]) for r in steps["ledger"]["ledger"]] == [
        ("open", 0, 0), ("plan_change", 25, 25), ("debit", -5, 20), ("debit", -5, 15)]
    blocked = steps["blocked"]["job"]
    assert blocked["state"] == "failed" and blocked["error"] == "VG_EMODERATION_BLOCKED"
    assert not blocked["charged"]
    assert any("\u3040" <= ch <= "\u30ff" for ch in blocked["message"])  # in Japanese
    mei = steps["demo_hit"]["job"]
    assert mei["cache_hit"] and mei["watermark"] and mei["free_use"]
    assert steps["demo_miss"]["job"]["error"] == "VG_EPAID_ONLY"
    assert not steps["demo_miss"]["job"]["charged"]
    cancelled = steps["cancel"]["job"]
    assert cancelled["state"] == "cancelled" and not cancelled["charged"]
    assert steps["check"]["problem_count"] == 0


def test_demo_recreates_its_store_on_a_second_run(vidgo):
    first = vidgo.json("demo")
    second = vidgo.json("demo")
    assert second["ok"] is True and second["recreated"] is True
    assert [s["step"] for s in second["steps"]] == DEMO_STEPS
    # a fresh store: the same users and jobs again, not more of them
    assert second["steps"][0]["user_id"] == first["steps"][0]["user_id"] == 1
    assert second["steps"][4]["job"]["id"] == 1
    assets = list((vidgo.cwd / "vidgo-demo-assets").iterdir())
    assert len([a for a in assets if a.suffix == ".gif"]) == 1
    assert "deleted and recreated" in vidgo.run("demo").stdout


def test_demo_refuses_to_delete_a_store_that_is_not_its_own(vidgo):
    vidgo.json("user", "add", "bob@example.com")
    done = vidgo.run("demo", "--db", "vidgo.db")
    assert done.returncode == 2
    assert "not a demo store" in done.stderr and "bob@example.com" in done.stderr
    assert vidgo.json("credits", "balance", "bob@example.com")["email"] == "bob@example.com"
    (vidgo.cwd / "junk.db").write_text("not a store")
    assert vidgo.run("demo", "--db", "junk.db").returncode == 2
    assert (vidgo.cwd / "junk.db").read_text() == "not a store"
    assert vidgo.run("demo", "--db", "postgresql://localhost/vidgo").returncode == 2


def test_demo_names_the_step_that_failed(vidgo):
    (vidgo.cwd / "vidgo-demo-assets").write_text("a file where the assets go")
    done = vidgo.run("demo")
    assert done.returncode == 1
    assert 'step 6 "worker" failed' in done.stderr
    assert "FAILED" in done.stdout
    doc = vidgo.json("demo", expect=1)
    assert doc["ok"] is False and doc["failed_step"] == "worker"
    assert doc["steps"][-1]["step"] == "worker" and doc["steps"][-1]["ok"] is False
