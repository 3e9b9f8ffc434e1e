# SPDX-License-Identifier: MIT
"""`vidgo cache ...`: the similarity cache through the program, with the offline embedder."""

SCOPE = ["--service", "video_720p"]
PROMPT = "A red sneaker on a white table, studio light"


def test_put_lookup_exact_semantic_gate_and_scope(vidgo):
    entry = vidgo.json("cache", "put", PROMPT, '{"video": "https://cdn/x.mp4"}', *SCOPE,
                       "--cost", "250000")
    exact = vidgo.json("cache", "lookup", "  a RED sneaker on a white table, studio   light",
                       *SCOPE)
    assert exact["match"] == "exact" and exact["entry"]["id"] == entry["id"]
    near = vidgo.json("cache", "lookup", "a red sneaker on a white table with studio light",
                      *SCOPE)
    assert near["match"] == "semantic" and near["similarity"] >= 0.85
    blue = vidgo.json("cache", "lookup", "a blue sneaker on a white table, studio light", *SCOPE)
    assert blue["match"] == "miss" and blue["gate_rejected"] is True
    other_scope = vidgo.json("cache", "lookup", PROMPT, "--service", "video_4k")
    assert other_scope["match"] == "miss"
    stats = vidgo.json("cache", "stats")
    assert (stats["exact_hits"], stats["semantic_hits"], stats["misses"]) == (1, 1, 2)
    assert stats["gate_rejections"] == 1
    assert stats["saved_micro_usd"] == 500000
    [listed] = vidgo.json("cache", "list")
    assert listed["hits"] == 2 and listed["prompt"] == PROMPT.lower()


def test_threshold_invalidate_and_bad_input(vidgo):
    vidgo.json("cache", "put", PROMPT, "asset-1", *SCOPE)
    vidgo.json("cache", "threshold", "0.99", *SCOPE)
    near = vidgo.json("cache", "lookup", "a red sneaker on a white table with studio light",
                      *SCOPE)
    assert near["match"] == "miss" and near["threshold"] == 0.99
    assert vidgo.json("cache", "invalidate", *SCOPE) == {"invalidated": 1}
    assert vidgo.json("cache", "lookup", PROMPT, *SCOPE)["match"] == "miss"
    err = vidgo.json("cache", "put", "red \udcff shoe", "r", *SCOPE, expect=2)  # byte 0xFF
    assert err["error"]["name"] == "VG_EUTF8"
    assert vidgo.run("cache", "lookup", PROMPT).returncode != 0  # no scope
    assert vidgo.run("cache", "threshold", "high", *SCOPE).returncode != 0


def test_calibrate_reports_precision_recall_and_a_threshold(vidgo, tmp_path):
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("# prompt A\tprompt B\tlabel\n"
                     "a red shoe\ta red shoes\tsame\n"
                     "a red shoe\ta blue shoe\tdifferent\n"
                     "spinning watch 3 s\tspinning watch 30 s\tdifferent\n"
                     "a cup of coffee on a desk\tcoffee cup on a desk\tsame\n"
                     "perfume bottle in the rain\ta car driving at night\tdifferent\n")
    doc = vidgo.json("cache", "calibrate", str(pairs), "--max-false-rate", "0")
    assert doc["pairs"] == 5
    rows = {round(r["threshold"], 2): r for r in doc["thresholds"]}
    assert len(rows) == 50
    # the gate removes the false hits the cosine alone lets through at a low threshold
    assert rows[0.5]["gated_false_hit_rate"] <= rows[0.5]["precision"]
    assert doc["recommended_threshold"] is not None
    bad = tmp_path / "bad.tsv"
    bad.write_text("only one field\n")
    assert vidgo.run("cache", "calibrate", str(bad)).returncode != 0
