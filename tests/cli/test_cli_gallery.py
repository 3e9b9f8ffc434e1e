# SPDX-License-Identifier: MIT
"""`vidgo gallery ...`: the inspiration gallery through the program: the seeded topics and
examples, seeded sampling, promotion of a job made offline (the `local` provider), removal."""

TOPICS = ["cosmetics", "electronics", "fashion", "food_drink", "home", "jewelry", "pets",
          "sports"]
PROMPT = "A red sneaker spinning on a white table, studio light, slow orbit"


def make_job(vidgo, tmp_path, public=True, key="k1"):
    """Runs one text-to-video job to its end with the offline provider; returns its id."""
    env = {"VIDGO_PROVIDER_MODE": "local", "VIDGO_ASSETS_DIR": str(tmp_path / "assets")}
    assert vidgo.run("user", "add", "maker@test.vidgo", "--plan", "starter").returncode == 0
    args = ["generate", "--user", "maker@test.vidgo", "--service", "video_720p", "--prompt",
            PROMPT, "--key", key, "--work", "--wait", "--timeout", "60"]
    job = vidgo.json(*args, *(["--public"] if public else []), env=env)
    assert job["state"] == "succeeded", job
    return job


def test_topics_list_the_seed_with_counts_and_titles_per_language(vidgo):
    topics = vidgo.json("gallery", "topics")
    assert [t["topic"] for t in topics] == TOPICS
    assert all(t["count"] == 3 for t in topics)
    assert topics[0]["title"] == "Cosmetics"
    japanese = vidgo.json("--lang", "ja", "gallery", "topics")
    assert [t["title"] for t in japanese][:2] == ["コスメ", "家電・ガジェット"]
    text = vidgo.run("--lang", "zh-TW", "gallery", "topics")
    assert text.returncode == 0 and "美妝保養" in text.stdout and "pets" in text.stdout


def test_examples_are_sampled_by_topic_language_and_seed(vidgo):
    pets = vidgo.json("gallery", "examples", "--topic", "pets", "--count", "100", "--lang", "ko")
    assert len(pets) == 3
    assert {e["topic"] for e in pets} == {"pets"} and {e["lang"] for e in pets} == {"ko"}
    assert all(e["job_id"] == 0 and e["result_url"] == "" and e["title"] for e in pets)
    everything = vidgo.json("gallery", "examples", "--count", "100")
    assert len(everything) == 24 and len({e["id"] for e in everything}) == 24
    first = vidgo.json("gallery", "examples", "--count", "8", "--seed", "7")
    again = vidgo.json("gallery", "examples", "--count", "8", "--seed", "7")
    other = vidgo.json("gallery", "examples", "--count", "8", "--seed", "8")
    assert [e["id"] for e in first] == [e["id"] for e in again]
    assert [e["id"] for e in first] != [e["id"] for e in other]
    assert len(vidgo.json("gallery", "examples")) == 6  # the default count
    assert vidgo.json("gallery", "examples", "--topic", "no_such_topic") == []


def test_promote_a_public_job_then_remove_it(vidgo, tmp_path):
    job = make_job(vidgo, tmp_path)
    promoted = vidgo.json("gallery", "promote", str(job["id"]), "--topic", "fashion")
    assert promoted["id"] > 0
    again = vidgo.json("gallery", "promote", str(job["id"]), "--topic", "fashion")
    assert again == promoted  # once per topic
    fashion = vidgo.json("gallery", "examples", "--topic", "fashion", "--count", "100")
    [mine] = [e for e in fashion if e["id"] == promoted["id"]]
    assert mine["job_id"] == job["id"] and mine["prompt"] == PROMPT
    assert mine["result_url"] == job["result_url"] and mine["thumbnail_url"]
    assert mine["title"] == "A red sneaker spinning on a white table, studio light, slow…"
    counts = {t["topic"]: t["count"] for t in vidgo.json("gallery", "topics")}
    assert counts["fashion"] == 4
    titled = vidgo.json("gallery", "promote", str(job["id"]), "--topic", "shoes",
                        "--title", "Red sneaker")
    [shoe] = vidgo.json("gallery", "examples", "--topic", "shoes")
    assert shoe["id"] == titled["id"] and shoe["title"] == "Red sneaker"
    assert vidgo.json("gallery", "remove", str(promoted["id"])) == {"removed": promoted["id"]}
    counts = {t["topic"]: t["count"] for t in vidgo.json("gallery", "topics")}
    assert counts["fashion"] == 3 and counts["shoes"] == 1
    err = vidgo.json("gallery", "remove", str(promoted["id"]), expect=1)
    assert err["error"]["name"] == "VG_ENOTFOUND"


def test_promote_refuses_a_private_job_and_an_unknown_one(vidgo, tmp_path):
    job = make_job(vidgo, tmp_path, public=False, key="private")
    err = vidgo.json("gallery", "promote", str(job["id"]), "--topic", "fashion", expect=1)
    assert err["error"]["name"] == "VG_EJOB_STATE"
    err = vidgo.json("gallery", "promote", "424242", "--topic", "fashion", expect=1)
    assert err["error"]["name"] == "VG_ENOTFOUND"
    assert {t["count"] for t in vidgo.json("gallery", "topics")} == {3}


def test_bad_input_is_a_usage_error(vidgo):
    for args in (["gallery"], ["gallery", "nope"], ["gallery", "examples", "--count", "0"],
                 ["gallery", "examples", "--count", "101"], ["gallery", "examples", "--seed", "-1"],
                 ["gallery", "promote", "1"], ["gallery", "promote", "x", "--topic", "home"],
                 ["gallery", "remove", "0"], ["gallery", "topics", "extra"]):
        done = vidgo.run(*args)
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        assert "usage:" in done.stderr
    err = vidgo.json("gallery", "examples", "--topic", "Pets", expect=2)
    assert err["error"]["name"] == "VG_EINVAL"
    err = vidgo.json("gallery", "promote", "1", "--topic", "home", "--title", "bad \udcff",
                     expect=2)  # byte 0xFF
    assert err["error"]["name"] == "VG_EUTF8"
    assert vidgo.run("--lang", "fr", "gallery", "topics").returncode == 2
