# SPDX-License-Identifier: MIT
"""The VidGo Streamlit app through its main flows with Streamlit's AppTest, offline."""
import io
import re

from conftest import APP_DIR
from PIL import Image

import i18n
import state
import vidgo
from views.effects import STYLES

from streamlit.testing.v1 import AppTest

PASSWORD = "correct horse battery"


def texts(at):
    """Every visible text of the run (titles, markdown, notices, captions, metrics)."""
    out = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "success",
                 "warning", "error"):
        out += [str(e.value) for e in getattr(at, kind)]
    out += [f"{m.label} {m.value}" for m in at.metric]
    return out


def visible(at, needle):
    return any(needle in text for text in texts(at))


def start(timeout=90):
    at = AppTest.from_file(str(APP_DIR / "app.py"), default_timeout=timeout)
    at.run()
    assert not at.exception, at.exception
    return at


def go(at, page):
    at.sidebar.radio(key="page").set_value(page).run()
    assert not at.exception, at.exception


def sign_up(at, email="mei@example.com"):
    go(at, "account")
    at.text_input(key="signup_email").input(email)
    at.text_input(key="signup_password").input(PASSWORD)
    at.button(key="signup_button").click().run()
    assert not at.error, [e.value for e in at.error]
    notice = next(text for text in texts(at) if "Code:" in text)  # the dev-mode notice
    code = re.search(r"\b(\d{6})\b", notice).group(1)
    at.text_input(key="signup_code").input(code)
    at.button(key="verify_button").click().run()
    assert not at.error, [e.value for e in at.error]
    assert visible(at, i18n.t("en", "verified"))
    assert at.session_state["user_id"] > 0
    return at


def subscribe_pro(at):
    go(at, "subscription")
    at.button(key="subscribe_pro").click().run()
    assert visible(at, i18n.t("en", "subscribed", plan="Pro"))


def job_of(at):
    """The creator's last job, read through the app's own engine (AppTest runs the script
    in this process)."""
    return state.engine().jobs.get(at.session_state["last_job"])


def product_photo():
    """A small real PNG: a red square on white."""
    image = Image.new("RGB", (64, 64), "white")
    image.paste((200, 30, 30), (16, 16, 48, 48))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def test_every_key_in_every_language():
    keys = set(i18n.STRINGS["en"])
    assert set(i18n.STRINGS) == set(i18n.LANGS) == {"en", "ja", "zh-TW", "ko", "es"}
    for lang, table in i18n.STRINGS.items():
        assert set(table) == keys, (lang, keys ^ set(table))
        for key, text in table.items():
            assert text.strip(), (lang, key)
            assert set(re.findall(r"{(\w+)}", text)) == set(
                re.findall(r"{(\w+)}", i18n.STRINGS["en"][key])), (lang, key)


def test_sign_up_verify_generate_and_see_the_new_balance(app_env):
    at = sign_up(start())
    assert visible(at, "mei@example.com")  # the sidebar's "signed in as"
    go(at, "creator")
    at.text_area(key="prompt").input("A red sneaker spinning on a white table")
    at.selectbox(key="service").set_value("image_512").run()
    assert visible(at, i18n.t("en", "estimate_free", left=2))
    at.button(key="generate").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert visible(at, i18n.t("en", "result"))
    assert at.get("image"), "the placeholder result is shown with st.image"
    assert visible(at, i18n.t("en", "watermark_notice"))  # demo plan: watermarked
    assert visible(at, i18n.t("en", "new_balance", price=0, available=0, free=1))


def test_gallery_use_this_prompt_fills_the_creator(app_env):
    at = sign_up(start(), "gallery@example.com")
    go(at, "gallery")
    buttons = [b for b in at.button if b.key and b.key.startswith("use_")]
    assert buttons and len(at.selectbox(key="gallery_topic").options) >= 1
    prompt = at.markdown  # the examples' prompts are shown
    buttons[0].click().run()
    assert not at.exception, at.exception
    assert at.session_state["page"] == "creator"
    filled = at.text_area(key="prompt").value
    assert filled and any(filled == m.value for m in prompt)


def test_dashboard_shows_balance_countdown_and_history(app_env):
    at = sign_up(start(), "dash@example.com")
    go(at, "dashboard")
    labels = {m.label: m.value for m in at.metric}
    assert labels[i18n.t("en", "free_uses")] == "2"
    assert labels[i18n.t("en", "bucket_available")] == "0"
    assert visible(at, "Monday")
    assert at.dataframe, "the transaction history table"


def test_language_switch_changes_visible_strings(app_env):
    at = start()
    assert at.title[0].value == i18n.t("en", "title")
    for lang in ("ja", "zh-TW", "ko", "es", "ja"):
        at.sidebar.selectbox(key="lang").set_value(lang).run()
        assert not at.exception, at.exception
        assert at.title[0].value == i18n.t(lang, "title")
        assert at.header[0].value == i18n.t(lang, "page_account")
        assert at.sidebar.radio(key="page").options[1] == i18n.t(lang, "page_creator")
    assert at.title[0].value == "VidGo — AI 商品広告動画"
    go(at, "subscription")
    assert visible(at, i18n.t("ja", "plans"))
    assert "スターター" in list(at.table[0].value.index)  # the library's plan name, in ja


def test_subscription_plan_table_and_sandbox_top_up(app_env):
    at = sign_up(start(), "pay@example.com")
    go(at, "subscription")
    assert at.table, "the plan comparison table"
    assert visible(at, i18n.t("en", "test_mode"))
    at.selectbox(key="package").set_value("credits_50").run()
    at.button(key="buy").click().run()
    assert not at.error, [e.value for e in at.error]
    assert any("50 credits" in s.value for s in at.success)
    at.button(key="subscribe_pro").click().run()
    assert visible(at, i18n.t("en", "subscribed", plan="Pro"))
    go(at, "dashboard")
    labels = {m.label: m.value for m in at.metric}
    assert labels[i18n.t("en", "bucket_purchased")] == "50"
    assert labels[i18n.t("en", "bucket_subscription")] == "60"


def test_effects_for_subscribers_on_a_finished_video(app_env):
    at = sign_up(start(), "fx@example.com")
    go(at, "effects")
    assert visible(at, i18n.t("en", "effects_only_subscribers"))
    go(at, "subscription")
    at.button(key="subscribe_pro").click().run()
    go(at, "creator")
    at.text_area(key="prompt").input("A silver watch on black velvet")
    at.selectbox(key="service").set_value("video_720p").run()
    at.button(key="generate").click().run()
    assert not at.error, [e.value for e in at.error]
    assert not visible(at, i18n.t("en", "watermark_notice"))
    go(at, "effects")
    at.selectbox(key="effect").set_value("style_effects").run()
    styles = at.radio(key="effect_style")
    assert styles.options == [i18n.t("en", key) for _, key in STYLES]
    styles.set_value("2005").run()
    at.button(key="apply_effect").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert visible(at, i18n.t("en", "result"))
    effect = next(state.engine().jobs.list(at.session_state["user_id"]))
    assert (effect.service, effect.style) == ("style_effects", "2005")
    assert effect.state == vidgo.JobState.SUCCEEDED


def test_effects_style_picker_only_for_style_transfer(app_env):
    at = sign_up(start(), "styles@example.com")
    subscribe_pro(at)
    go(at, "creator")
    at.text_area(key="prompt").input("A leather bag on a marble shelf")
    at.selectbox(key="service").set_value("video_720p").run()
    at.button(key="generate").click().run()
    go(at, "effects")
    at.sidebar.selectbox(key="lang").set_value("ko").run()
    at.selectbox(key="effect").set_value("style_effects").run()
    assert at.radio(key="effect_style").label == i18n.t("ko", "style")
    assert at.radio(key="effect_style").options == [i18n.t("ko", key) for _, key in STYLES]
    at.selectbox(key="effect").set_value("hd_enhance").run()
    assert "effect_style" not in [r.key for r in at.radio]


def test_progress_comes_from_job_events_not_polling(app_env, monkeypatch):
    # With the fallback read an hour away, only the generator's events can end the wait
    # within AppTest's 30 s.
    monkeypatch.setattr(state, "POLL_FALLBACK_S", 3600.0)
    at = sign_up(start(timeout=30), "events@example.com")
    go(at, "creator")
    at.text_area(key="prompt").input("A glass perfume bottle on wet stone")
    at.selectbox(key="service").set_value("image_512").run()
    at.button(key="generate").click().run()
    assert not at.exception, at.exception
    assert visible(at, i18n.t("en", "result"))
    assert job_of(at).state == vidgo.JobState.SUCCEEDED


def test_photo_mode_offers_only_videos_and_needs_a_photo(app_env):
    at = sign_up(start(), "nophoto@example.com")
    go(at, "creator")
    at.radio(key="creator_mode").set_value("photo").run()
    assert at.file_uploader(key="photo").label == i18n.t("en", "photo")
    videos = {s.display_name["en"] for s in state.engine().plans.services()
              if s.kind == vidgo.ServiceKind.VIDEO}
    offered = {label.split(" · ")[0] for label in at.selectbox(key="service").options}
    assert offered and offered <= videos
    at.text_area(key="prompt").input("The sneaker turns slowly")
    at.button(key="generate").click().run()
    assert visible(at, i18n.t("en", "photo_required"))
    assert "last_job" not in at.session_state


def test_photo_upload_makes_a_video_and_shows_the_new_balance(app_env):
    at = sign_up(start(), "photo@example.com")
    subscribe_pro(at)  # 60 credits; a demo plan's videos come from the gallery's cache only
    go(at, "creator")
    at.radio(key="creator_mode").set_value("photo").run()
    at.file_uploader(key="photo").set_value(("sneaker.png", product_photo(), "image/png")).run()
    at.text_area(key="prompt").input("The sneaker turns slowly on a white table")
    at.selectbox(key="service").set_value("video_720p").run()
    assert visible(at, i18n.t("en", "estimate", credits=5, available=60))
    at.button(key="generate").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert visible(at, i18n.t("en", "result"))
    assert at.get("image"), "the placeholder video (a GIF) is shown"
    assert visible(at, i18n.t("en", "new_balance", price=5, available=55, free=2))
    job = job_of(at)
    assert (job.kind, job.media_type) == (vidgo.TaskKind.IMAGE_TO_VIDEO, "video")
