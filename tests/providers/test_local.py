# SPDX-License-Identifier: MIT
"""The offline `local` provider (lib/providers/local.c, local_assets.c) through the provider
driver ($VIDGO_PROVIDER_DRIVER) in --mode local: every kind runs to a real placeholder on
disk (the PNG and the animated GIF taken apart and decoded here, LZW included), the job
lifecycle on the context's clock, cancel, reconcile, the test failure word, assets written
once, folder errors, the word-list moderation in five languages and the enhancement
template. No server, no key."""
import json
import os
import re
import struct
import subprocess
import sys
import urllib.parse
import zlib

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from provider_support import check_clean_exit, driver_binary, outputs  # noqa: E402

LABEL = b"VidGo offline placeholder (no AI provider was called)"
T = 1_750_000_000  # the fake clock's start (--now-s), in seconds
KINDS = ["text_to_image", "text_to_video", "image_to_video", "style_transfer", "hd_enhance",
         "video_enhance", "video_upscale"]
INPUT = {"image_to_video": ["--input-url", "https://example.com/product.png"],
         "style_transfer": ["--input-url", "https://example.com/in.mp4", "--style", "2000"],
         "hd_enhance": ["--input-url", "https://example.com/in.mp4"],
         "video_enhance": ["--input-url", "https://example.com/in.mp4"],
         "video_upscale": ["--input-job", "local-000000000000000000000001"]}
KEY_VARS = ("GEMINI_API_KEY", "LEONARDO_API_KEY", "RUNWAY_API_KEY", "GOENHANCE_API_KEY",
            "POLLO_API_KEY", "VIDGO_ASSETS_DIR")


def drive(*args, assets=None, timeout=60):
    """Runs the driver in local mode; returns (JSON lines of stdout, the process)."""
    env = {k: v for k, v in os.environ.items() if k not in KEY_VARS}
    pre = ["--debug", "--mode", "local"]
    if assets is not None:
        pre += ["--assets", str(assets)]
    p = subprocess.run([driver_binary(), *pre, *args], env=env, capture_output=True, text=True,
                       timeout=timeout)
    check_clean_exit(p)
    return outputs(p), p


def one(*args, **kw):
    lines, p = drive(*args, **kw)
    assert len(lines) == 1, p.stdout + p.stderr
    return lines[0]


def at(seconds, *args, **kw):
    """One command with the context's clock at T + seconds (whole seconds)."""
    return one("--now-s", str(T + seconds), *args, **kw)


def submit(assets, kind="text_to_image", prompt="a red sneaker on a white table", *extra, when=0):
    job = at(when, "submit", "local", kind, "--prompt", prompt, *INPUT.get(kind, []), *extra,
             assets=assets)
    assert job["status"] == "VG_OK", job
    return job


def path_of(url):
    assert url.startswith("file:///"), url
    return urllib.parse.unquote(url[len("file://"):])


# ---- the formats, taken apart ----------------------------------------------------------------

def read_png(path):
    """Checks a PNG chunk by chunk; returns (width, height, raw scanlines)."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, []
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos:pos + 4])
        typ, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        (crc,) = struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])
        assert crc == zlib.crc32(typ + body), typ
        chunks.append((typ, body))
        pos += 12 + n
    assert pos == len(data)
    assert chunks[0][0] == b"IHDR" and chunks[-1] == (b"IEND", b"")
    w, h, depth, color, comp, filt, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    assert (depth, color, comp, filt, interlace) == (8, 2, 0, 0, 0)
    assert b"Comment\x00" + LABEL in [b for t, b in chunks if t == b"tEXt"]
    raw = zlib.decompress(b"".join(b for t, b in chunks if t == b"IDAT"))
    stride = 1 + 3 * w
    assert len(raw) == h * stride
    assert all(raw[y * stride] in (0, 1, 2, 3, 4) for y in range(h))
    return w, h, raw


def sub_blocks(d, pos):
    blocks = []
    while d[pos]:
        blocks.append(d[pos + 1:pos + 1 + d[pos]])
        pos += 1 + d[pos]
    return blocks, pos + 1


def read_gif(path):
    """Takes a GIF89a apart; returns its screen size, comments, loop block and frames."""
    d = open(path, "rb").read()
    assert d[:6] == b"GIF89a"
    w, h, packed, _bg, _aspect = struct.unpack("<HHBBB", d[6:13])
    assert packed & 0x80, "a global colour table"
    colors = 2 << (packed & 7)
    pos, frames, comments, loop, delay = 13 + 3 * colors, [], [], None, None
    while d[pos] != 0x3B:
        if d[pos] == 0x21:
            label = d[pos + 1]
            blocks, pos = sub_blocks(d, pos + 2)
            if label == 0xFF and blocks[0] == b"NETSCAPE2.0":
                loop = blocks[1]
            elif label == 0xFE:
                comments.append(b"".join(blocks))
            elif label == 0xF9:
                (delay,) = struct.unpack("<H", blocks[0][1:3])
        elif d[pos] == 0x2C:
            x, y, fw, fh, fpacked = struct.unpack("<HHHHB", d[pos + 1:pos + 10])
            assert fpacked == 0
            assert x + fw <= w and y + fh <= h
            min_size = d[pos + 10]
            blocks, pos = sub_blocks(d, pos + 11)
            frames.append({"x": x, "y": y, "w": fw, "h": fh, "min": min_size,
                           "data": b"".join(blocks), "delay": delay})
        else:
            pytest.fail("unexpected GIF block 0x%02x at %d" % (d[pos], pos))
    assert pos == len(d) - 1
    return {"w": w, "h": h, "colors": colors, "comments": comments, "loop": loop,
            "frames": frames, "size": len(d)}


def lzw_decode(data, min_size):
    """The GIF LZW decoder of the specification: codes widen when the next free code
    reaches 2^width; a clear code resets the table; stops at the end code."""
    clear, end = 1 << min_size, (1 << min_size) + 1
    base = [bytes([i]) for i in range(clear)] + [None, None]
    table, width, prev = list(base), min_size + 1, None
    bits, nbits, pos, out = int.from_bytes(data, "little"), len(data) * 8, 0, bytearray()
    while True:
        assert pos + width <= nbits, "the data ends before the end code"
        code = (bits >> pos) & ((1 << width) - 1)
        pos += width
        if code == clear:
            table, width, prev = list(base), min_size + 1, None
            continue
        if code == end:
            return bytes(out)
        if prev is None:
            entry = table[code]
        else:
            if code < len(table):
                entry = table[code]
            else:
                assert code == len(table), "code %d beyond the table" % code
                entry = prev + prev[:1]
            if len(table) < 4096:
                table.append(prev + entry[:1])
                if len(table) == 1 << width and width < 12:
                    width += 1
        out += entry
        prev = entry


def check_gif(path, frames_expected=None):
    g = read_gif(path)
    assert g["size"] < 1024 * 1024
    assert LABEL in g["comments"]
    assert g["loop"] == b"\x01\x00\x00", "NETSCAPE2.0 loops forever"
    assert len(g["frames"]) >= 2
    if frames_expected:
        assert len(g["frames"]) == frames_expected
    first = g["frames"][0]
    assert (first["x"], first["y"], first["w"], first["h"]) == (0, 0, g["w"], g["h"])
    bands = set()
    for f in g["frames"]:
        assert f["delay"] == 10  # 10 frames a second
        px = lzw_decode(f["data"], f["min"])
        assert len(px) == f["w"] * f["h"]
        assert max(px) < g["colors"]
        if f is not first:
            bands.add(px)
    assert len(bands) > 1, "the animation moves"
    return g


# ---- every kind runs to a placeholder ------------------------------------------------------

@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_runs_to_succeeded_with_a_real_asset(tmp_path, kind):
    lines, p = drive("run", "local", kind, "--prompt", "A red sneaker, product shot",
                     *INPUT.get(kind, []), "--max-wait-ms", "100", assets=tmp_path)
    assert all(j["status"] == "VG_OK" for j in lines), p.stdout
    states = [j["state"] for j in lines]
    assert states[0] == "pending"
    assert set(states[1:-1]) <= {"pending", "running"}
    assert states[1:-1] == sorted(states[1:-1], key=["pending", "running"].index)
    job = lines[-1]
    assert job["state"] == "succeeded"
    assert job["percent"] == 100
    assert (job["provider"], job["kind"], job["model"]) == ("local", kind, "placeholder-v1")
    assert (job["api_cost_micro"], job["api_cost_unit"], job["placeholder"]) == (0, "USD", 1)
    asset = path_of(job["result_url"])
    assert os.path.dirname(asset) == str(tmp_path.resolve())
    if kind == "text_to_image":
        assert job["media_type"] == "image"
        assert read_png(asset)[:2] == (512, 512)
        assert (job["width"], job["height"], job["duration_s"]) == (512, 512, 0)
        assert job["thumbnail_url"] == ""
    else:
        assert job["media_type"] == "video"
        g = check_gif(asset, frames_expected=50)
        assert (g["w"], g["h"]) == (320, 180)
        assert (job["width"], job["height"], job["duration_s"]) == (320, 180, 5)
        assert read_png(path_of(job["thumbnail_url"]))[:2] == (320, 180)


def test_submit_answers_pending_with_the_placeholder_fields(tmp_path):
    job = submit(tmp_path)
    assert re.fullmatch(r"local-[0-9a-f]{24}", job["job_id"])
    assert (job["state"], job["percent"], job["poll_after_ms"]) == ("pending", 0, 200)
    assert (job["model"], job["api_cost_micro"], job["api_cost_unit"]) == (
        "placeholder-v1", 0, "USD")
    assert job["placeholder"] == 1
    assert job["result_url"] == ""


def test_sidecar_holds_the_task_and_the_submit_time(tmp_path):
    job = submit(tmp_path, "style_transfer", "neon city", "--model", "m1", "--resolution",
                 "720", "--duration", "4")
    side = json.load(open(tmp_path / (job["job_id"] + ".json")))
    assert side["kind"] == "style_transfer"
    assert side["prompt"] == "neon city"
    assert side["input_url"] == "https://example.com/in.mp4"
    assert (side["style"], side["model"]) == ("2000", "m1")
    assert (side["resolution"], side["width"], side["height"], side["duration"]) == (
        720, 0, 0, 4)
    assert abs(side["submitted_us"] - T * 1_000_000) < 5_000_000
    assert [f for f in os.listdir(tmp_path) if f.endswith(".tmp")] == []


def test_image_size_follows_width_and_height(tmp_path):
    job = submit(tmp_path, "text_to_image", "wide banner", "--width", "640", "--height", "360")
    done = at(10, "poll", "local", "text_to_image", job["job_id"], assets=tmp_path)
    assert (done["width"], done["height"]) == (640, 360)
    assert read_png(path_of(done["result_url"]))[:2] == (640, 360)


def test_image_of_resolution_1024_is_a_1024_square(tmp_path):
    job = submit(tmp_path, "text_to_image", "big", "--resolution", "1024")
    done = at(10, "poll", "local", "text_to_image", job["job_id"], assets=tmp_path)
    assert read_png(path_of(done["result_url"]))[:2] == (1024, 1024)


@pytest.mark.parametrize("size", [["--width", "4000", "--height", "100"],
                                  ["--width", "640"], ["--resolution", "32"]])
def test_image_size_out_of_range_is_a_parameter_error(tmp_path, size):
    r = at(0, "submit", "local", "text_to_image", "--prompt", "x", *size, assets=tmp_path)
    assert r["status"] == "VG_EPARAMETER", r


def test_video_duration_gives_ten_frames_a_second(tmp_path):
    job = submit(tmp_path, "text_to_video", "short clip", "--duration", "3")
    done = at(10, "poll", "local", "text_to_video", job["job_id"], assets=tmp_path)
    assert done["duration_s"] == 3
    check_gif(path_of(done["result_url"]), frames_expected=30)


def test_gif_decodes_like_pillow_when_pillow_is_there(tmp_path):
    image = pytest.importorskip("PIL.Image")
    job = submit(tmp_path, "text_to_video", "cross-check")
    done = at(10, "poll", "local", "text_to_video", job["job_id"], assets=tmp_path)
    path = path_of(done["result_url"])
    g = read_gif(path)
    with image.open(path) as im:
        assert im.n_frames == len(g["frames"])
        assert im.mode == "P"
        assert im.tobytes() == lzw_decode(g["frames"][0]["data"], 4)


def test_asset_url_is_percent_encoded(tmp_path):
    assets = tmp_path / "my assets é"
    job = submit(assets)
    done = at(10, "poll", "local", "text_to_image", job["job_id"], assets=assets)
    assert "%20" in done["result_url"] and "%C3%A9" in done["result_url"]
    assert os.path.exists(path_of(done["result_url"]))


# ---- the lifecycle on the context's clock --------------------------------------------------

def test_progress_rises_on_the_fake_clock(tmp_path):
    job = submit(tmp_path, "text_to_video")
    lines, _ = drive("--now-s", str(T), "--repeat", "18", "--clock-step-ms", "100", "poll",
                     "local", "text_to_video", job["job_id"], assets=tmp_path)
    states = [j["state"] for j in lines]
    assert states[0] == "pending" and states[-1] == "succeeded"
    running = [j["percent"] for j in lines if j["state"] == "running"]
    assert len(running) >= 8
    assert running == sorted(running) and running[0] < running[-1]
    assert all(0 < p < 100 for p in running)
    assert states.index("succeeded") > states.index("running")


def test_image_jobs_finish_sooner_than_video_jobs(tmp_path):
    image = submit(tmp_path, "text_to_image")
    video = submit(tmp_path, "text_to_video")
    # 1 s after submit: the image (600 ms) is done, the video (1500 ms) still runs
    assert at(1, "poll", "local", "text_to_image", image["job_id"],
              assets=tmp_path)["state"] == "succeeded"
    assert at(1, "poll", "local", "text_to_video", video["job_id"],
              assets=tmp_path)["state"] == "running"


def test_cancel_makes_a_running_job_cancelled(tmp_path):
    job = submit(tmp_path, "text_to_video")
    assert at(0, "cancel", "local", job["job_id"], assets=tmp_path) == {"status": "VG_OK"}
    done = at(10, "poll", "local", "text_to_video", job["job_id"], assets=tmp_path)
    assert done["state"] == "cancelled"
    assert done["result_url"] == ""
    assert not (tmp_path / (job["job_id"] + ".gif")).exists()
    assert at(10, "cancel", "local", job["job_id"], assets=tmp_path) == {"status": "VG_OK"}


def test_cancel_after_success_changes_nothing(tmp_path):
    job = submit(tmp_path)
    assert at(10, "poll", "local", "text_to_image", job["job_id"],
              assets=tmp_path)["state"] == "succeeded"
    assert at(10, "cancel", "local", job["job_id"], assets=tmp_path) == {"status": "VG_OK"}
    assert at(11, "poll", "local", "text_to_image", job["job_id"],
              assets=tmp_path)["state"] == "succeeded"


@pytest.mark.parametrize("job_id", ["local-0123456789abcdef01234567", "not-a-local-id"])
def test_unknown_job_is_not_found(tmp_path, job_id):
    submit(tmp_path)  # the folder exists, with another job
    assert at(0, "poll", "local", "text_to_image", job_id,
              assets=tmp_path)["status"] == "VG_ENOTFOUND"
    assert at(0, "cancel", "local", job_id, assets=tmp_path)["status"] == "VG_ENOTFOUND"


def test_corrupt_sidecar_is_a_bad_provider_response(tmp_path):
    job = submit(tmp_path)
    (tmp_path / (job["job_id"] + ".json")).write_text("{not json")
    r = at(10, "poll", "local", "text_to_image", job["job_id"], assets=tmp_path)
    assert r["status"] == "VG_EPROVIDER_RESPONSE", r


def test_poll_as_another_kind_is_invalid(tmp_path):
    job = submit(tmp_path, "text_to_image")
    r = at(10, "poll", "local", "text_to_video", job["job_id"], assets=tmp_path)
    assert r["status"] == "VG_EINVAL", r


def test_fail_placeholder_prompt_fails_at_completion(tmp_path):
    job = submit(tmp_path, "text_to_video", "please fail-placeholder now")
    assert at(1, "poll", "local", "text_to_video", job["job_id"],
              assets=tmp_path)["state"] == "running"
    done = at(10, "poll", "local", "text_to_video", job["job_id"], assets=tmp_path)
    assert done["state"] == "failed"
    assert done["failure_code"] == "LOCAL.TEST_FAILURE"
    assert "fail-placeholder" in done["failure"]
    assert done["result_url"] == ""
    assert sorted(os.listdir(tmp_path)) == [job["job_id"] + ".json"]


def test_fail_placeholder_must_be_a_word_of_its_own(tmp_path):
    job = submit(tmp_path, "text_to_image", "nofail-placeholders here")
    assert at(10, "poll", "local", "text_to_image", job["job_id"],
              assets=tmp_path)["state"] == "succeeded"


def test_polls_after_completion_do_not_rewrite_the_asset(tmp_path):
    job = submit(tmp_path, "text_to_video")
    first = at(10, "poll", "local", "text_to_video", job["job_id"], assets=tmp_path)
    paths = [path_of(first["result_url"]), path_of(first["thumbnail_url"])]
    before = [os.stat(p) for p in paths]
    lines, _ = drive("--now-s", str(T + 11), "--repeat", "2", "poll", "local",
                     "text_to_video", job["job_id"], assets=tmp_path)
    assert [j["result_url"] for j in lines] == [first["result_url"]] * 2
    after = [os.stat(p) for p in paths]
    for b, a in zip(before, after):
        assert (b.st_ino, b.st_mtime_ns, b.st_size) == (a.st_ino, a.st_mtime_ns, a.st_size)


def test_concurrent_pollers_leave_one_whole_asset(tmp_path):
    job = submit(tmp_path, "text_to_image", "race", "--resolution", "1024")
    binary = os.environ["VIDGO_PROVIDER_DRIVER"]
    env = {k: v for k, v in os.environ.items() if k not in KEY_VARS}
    procs = [subprocess.Popen([binary, "--mode", "local", "--assets", str(tmp_path), "--now-s",
                               str(T + 10), "poll", "local", "text_to_image", job["job_id"]],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(4)]
    outs = [json.loads(p.communicate(timeout=60)[0]) for p in procs]
    assert {o["state"] for o in outs} == {"succeeded"}
    assert len({o["result_url"] for o in outs}) == 1
    assert read_png(path_of(outs[0]["result_url"]))[:2] == (1024, 1024)
    assert sorted(os.listdir(tmp_path)) == sorted([job["job_id"] + ".json",
                                                   job["job_id"] + ".png"])


# ---- reconcile -------------------------------------------------------------------------------

def test_reconcile_finds_the_job_submitted_since(tmp_path):
    job = submit(tmp_path, "text_to_video", "lost answer", when=5)
    found = at(10, "reconcile", "local", "text_to_video", "--since-us", str(T * 1_000_000),
               "--prompt", "lost answer", assets=tmp_path)
    assert found["status"] == "VG_OK", found
    assert found["job_id"] == job["job_id"]
    assert found["state"] == "succeeded"


def test_reconcile_ignores_jobs_before_since_and_other_tasks(tmp_path):
    submit(tmp_path, "text_to_video", "lost answer", when=0)
    later = str((T + 5) * 1_000_000)
    for kind, prompt, since in [("text_to_video", "lost answer", later),  # before since
                                ("text_to_video", "another prompt", "0"),
                                ("text_to_image", "lost answer", "0")]:
        r = at(6, "reconcile", "local", kind, "--since-us", since, "--prompt", prompt,
               assets=tmp_path)
        assert r["status"] == "VG_ENOTFOUND", (kind, prompt, r)


def test_reconcile_without_a_folder_is_not_found(tmp_path):
    r = at(0, "reconcile", "local", "text_to_image", "--since-us", "0", "--prompt", "x",
           assets=tmp_path / "none")
    assert r["status"] == "VG_ENOTFOUND", r


# ---- the asset folder ------------------------------------------------------------------------

def test_asset_folder_is_created_with_its_parents(tmp_path):
    assets = tmp_path / "a" / "b" / "c"
    submit(assets)
    assert assets.is_dir()
    assert (os.stat(assets).st_mode & 0o777) == 0o755 & ~current_umask()


def current_umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_unusable_asset_folder_is_eio_with_the_path(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assets = blocker / "assets"
    r = at(0, "submit", "local", "text_to_image", "--prompt", "x", assets=assets)
    assert r["status"] == "VG_EIO", r
    assert str(blocker) in r["message"]
    info = at(0, "check", "local", assets=assets)
    assert (info["status"], info["checked"], info["reachable"]) == ("VG_OK", 1, 0)
    assert info["check_status"] == "VG_EIO"


def test_asset_folder_that_is_a_file_is_eio(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    r = at(0, "submit", "local", "text_to_image", "--prompt", "x", assets=blocker)
    assert r["status"] == "VG_EIO", r


def test_check_and_info_describe_the_local_provider(tmp_path):
    info = at(0, "info", "local", assets=tmp_path)
    assert (info["name"], info["has_key"], info["serves"]) == ("local", 1, 1)
    assert info["base_url"] == str(tmp_path)
    check = at(0, "check", "local", assets=tmp_path)
    assert (check["checked"], check["reachable"], check["check_status"]) == (1, 1, "VG_OK")
    assert check["detail"] == "offline placeholders in %s" % tmp_path
    assert os.listdir(tmp_path) == []  # the probe file is gone


# ---- moderation and enhancement --------------------------------------------------------------

MODERATION = [
    # en
    ("a kitchen knife set on a wooden board", None),
    ("knife attack in a dark alley", "violence"),
    ("A NUDE model with a perfume bottle", "adult"),
    ("nude lipstick on a marble table", None),
    ("massage gun for athletes", None),
    ("a gun on a table", "illegal_goods"),
    ("a nude child", "minors"),
    ("suicide scene", "self_harm"),
    ("a swastika flag", "hate"),
    ("Gore-Tex hiking jacket", None),
    # es
    ("zapatillas rojas en la playa", None),
    ("una pistola sobre la mesa", "illegal_goods"),
    ("pistola de masaje para deportistas", None),
    ("escena de asesinato", "violence"),
    # ja
    ("赤いスニーカーの広告", None),
    ("ヌード写真", "adult"),
    ("イエローのバッグ", None),
    ("自殺のシーン", "self_harm"),
    # zh-TW
    ("紅色情人節禮盒", None),
    ("海洛因和針筒", "illegal_goods"),
    ("納粹的旗幟", "hate"),
    # ko
    ("바나나치즈케이크 광고", None),
    ("권총을 든 남자", "illegal_goods"),
    ("누드톤 립스틱", None),
    ("살해 장면", "violence"),
]


@pytest.mark.parametrize("prompt,reason", MODERATION)
def test_moderation_word_lists_in_five_languages(prompt, reason):
    m = one("moderate", prompt)
    assert m["status"] == "VG_OK", m
    assert m["provider"] == "local"
    assert m["blocked"] is (reason is not None), m
    assert m["reason"] == (reason or "")
    if reason:
        assert m["detail"].startswith("local word list: %s (" % reason)
        assert m["message"]
    else:
        assert m["detail"] == ""


def test_moderation_of_an_empty_prompt_is_refused():
    assert one("moderate", "   ")["status"] == "VG_EPROMPT_EMPTY"


def test_enhance_wraps_an_english_prompt_in_the_template():
    r = one("enhance", "  a red sneaker on a wet street. ")
    assert r["status"] == "VG_OK", r
    assert r["provider"] == "local"
    assert r["text"] == ("Product advertising video: a red sneaker on a wet street. Studio "
                         "lighting, clean background, smooth camera motion, sharp focus on "
                         "the product, commercial style.")


@pytest.mark.parametrize("prompt,lang", [("赤いスニーカー", "ja"), ("zapatillas rojas", "es"),
                                         ("紅色運動鞋", None)])
def test_enhance_keeps_other_languages_untranslated(prompt, lang):
    r = one("enhance", prompt, *(["--lang", lang] if lang else []))
    assert r["status"] == "VG_OK", r
    assert r["text"].startswith("Product advertising video: " + prompt + ". Studio lighting")
