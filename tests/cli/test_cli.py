# SPDX-License-Identifier: MIT
"""The `vidgo` program: init, check, version, demo, global options and exit codes."""
import json
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


def test_demo_runs_offline_and_its_store_checks_clean(vidgo):
    doc = vidgo.json("demo")
    assert doc["check_ok"] is True
    assert doc["store"] == "vidgo-demo.db"
    results = [step["result"] for step in doc["steps"]]
    assert results[0].startswith("allowed: a free use")
    assert "VG_ERESOLUTION" in results[1]
    assert "hold 12: bonus 10 + subscription 2" in results[5]
    cached = [step["result"] for step in doc["steps"] if "in the cache" in step["result"]
              or "from the cache (" in step["result"]]
    assert cached[0].startswith("served from the cache")
    assert "colours differ" in cached[1]
    signup = [(step["what"], step["result"]) for step in doc["steps"] if step["who"] == "ana"]
    assert "VG_ECODE_INVALID" in signup[1][1]
    assert "VG_ETOKEN_REVOKED" in signup[-1][1]
    again = vidgo.json("demo")  # the keys replay: the same story, nothing charged twice
    wallet = [step["result"] for step in again["steps"] if step["who"] != "ana"]
    assert wallet == [step["result"] for step in doc["steps"] if step["who"] != "ana"]
    # ana is verified now: the second run starts at her sign-in
    assert [step["what"] for step in again["steps"] if step["who"] == "ana"][0] == "she signs in"
    text = vidgo.run("demo")
    assert text.returncode == 0
    assert "libvidgo" in text.stdout
    assert vidgo.json("--db", "vidgo-demo.db", "check")["ok"] is True
