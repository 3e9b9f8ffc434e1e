# SPDX-License-Identifier: MIT
"""The VidGo Streamlit app through its main flows with Streamlit's AppTest, offline."""
import re

from conftest import APP_DIR

import i18n

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


def start():
    at = AppTest.from_file(str(APP_DIR / "app.py"), default_timeout=90)
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
    at.button(key="apply_effect").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert visible(at, i18n.t("en", "result"))
