# SPDX-License-Identifier: MIT
"""Each page of the VidGo app in headless Chromium against `streamlit run` on loopback (the
meson test `app-screens`), offline: local providers, the payments sandbox, a fresh store.

The tests run in order in one browser session, as one visitor: the sign-in page signed out,
sign-up with the code of the dev-mode notice, then the creator, gallery, dashboard and
subscription pages, and VidGo Effects once subscribed. On each page they wait until
Streamlit has rendered it, check the page's key text (i18n.py) in the rendered DOM, in
English and, through the language switch, in one other language (all four over the pages),
and take a PNG screenshot, checked with Pillow, into $VIDGO_SCREENS_DIR (meson: the build's
tests/app-screens) or pytest's tmp dir.

Not named test_*.py so that the AppTest suite (`pytest examples/streamlit/tests`) leaves it
out; meson names it. Skipped (meson's 77) without selenium, /usr/bin/chromium or
/usr/bin/chromedriver ($VIDGO_CHROMIUM, $VIDGO_CHROMEDRIVER; scripts/install-deps.sh installs
all three), or when the binding's tests are skipped ($VIDGO_TEST_SKIP_PYTHON)."""
import io
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import APP_DIR, ROOT, SKIP_ALL

if SKIP_ALL:
    pytest.skip(SKIP_ALL, allow_module_level=True)
CHROMIUM = os.environ.get("VIDGO_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("VIDGO_CHROMEDRIVER", "/usr/bin/chromedriver")


def _missing(reason: str) -> None:
    """A missing browser skips the test, or fails it where one must be there (CI sets
    VIDGO_REQUIRE_BROWSER=1 through scripts/test.sh)."""
    if os.environ.get("VIDGO_REQUIRE_BROWSER") == "1":
        pytest.fail(f"VIDGO_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


for _tool in (CHROMIUM, CHROMEDRIVER):
    if not os.access(_tool, os.X_OK):
        _missing(f"no {_tool} (scripts/install-deps.sh installs Debian's chromium and "
                 "chromium-driver)")
try:
    import selenium  # noqa: F401
except ImportError:
    _missing("selenium is not installed (scripts/install-deps.sh installs it)")

from PIL import Image  # noqa: E402
from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import WebDriverException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402

import i18n  # noqa: E402
import vidgo  # noqa: E402

# the networking flags keep Chromium from calling out (updates, sync, QUIC probes)
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]
WINDOW = (1280, 1000)
WAIT_S = 45  # for one page to render; an ASan build is several times slower
EMAIL = "screens@example.com"
PASSWORD = "correct horse battery"


def literal(lang, key):
    """The longest fixed part of a string with placeholders ("Your plan: {plan}")."""
    return max(re.split(r"\{\w+\}", i18n.STRINGS[lang][key]), key=len).strip()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory):
    named = os.environ.get("VIDGO_SCREENS_DIR")
    if not named:
        return tmp_path_factory.mktemp("screens")
    path = Path(named)
    path.mkdir(parents=True, exist_ok=True)
    for old in path.glob("*.png"):
        old.unlink()
    return path


@pytest.fixture(scope="module")
def names(tmp_path_factory):
    """The library's service names in every language, as the pages show them."""
    with vidgo.open(str(tmp_path_factory.mktemp("names") / "names.db")) as engine:
        return {s.name: s.display_name for s in engine.plans.services()}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`streamlit run` of the app on a free loopback port; its URL."""
    root = tmp_path_factory.mktemp("app")
    port = free_port()
    env = dict(os.environ, VIDGO_DB=str(root / "vidgo-app.db"), VIDGO_PROVIDER_MODE="local",
               VIDGO_APP_FAST_HASH="1", PYTHONPATH=os.pathsep.join(
                   [str(ROOT / "bindings" / "python")] + sys.path))
    log = root / "streamlit.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(APP_DIR / "app.py"),
             "--server.headless", "true", "--browser.gatherUsageStats", "false",
             "--server.address", "127.0.0.1", "--server.port", str(port),
             "--server.fileWatcherType", "none"],
            env=env, cwd=root, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url + "_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"streamlit did not start (exit {proc.poll()}):\n"
                            + log.read_text(errors="replace")[-3000:])
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class Page:
    """The app in the browser, driven and read as a visitor sees it."""

    def __init__(self, driver, out_dir):
        self.driver = driver
        self.out_dir = out_dir

    def text(self):
        return self.driver.execute_script("return document.body.innerText")

    def named(self):
        """The page's header and the navigation's selected option."""
        return self.driver.execute_script("""
            const header = document.querySelector('h2');
            const selected = document.querySelector('.st-key-page label[data-selected="true"]');
            return [header && header.innerText, selected && selected.innerText];
        """)

    def _settled(self):
        """Streamlit is connected, its script run is over, nothing stale or still loading."""
        return self.driver.execute_script("""
            const app = document.querySelector('[data-testid="stApp"]');
            return !!app && app.dataset.testScriptState === 'notRunning'
                && app.dataset.testConnectionState === 'CONNECTED'
                && !document.querySelector('[data-stale="true"], [data-testid="stSkeleton"]');
        """)

    def wait(self, present=(), absent=(), title=None):
        """Waits until the page has rendered with every text of `present` and none of
        `absent` (and, given a title, on the page of that title); fails with what is
        missing."""
        deadline = time.monotonic() + WAIT_S
        while True:
            if self._settled():
                text = self.text()
                if (all(s in text for s in present) and not any(s in text for s in absent)
                        and (title is None or self.named() == [title, title])):
                    return text
            if time.monotonic() > deadline:
                text = self.text()
                pytest.fail(f"the page does not show {[s for s in present if s not in text]}"
                            f" or still shows {[s for s in absent if s in text]}"
                            f" or is not {title!r} (header, navigation: {self.named()});"
                            f" it shows:\n{text[:3000]}")
            time.sleep(0.1)

    def find(self, css, text=None):
        """The first element matching css (and containing text); waits for it."""
        deadline = time.monotonic() + WAIT_S
        while True:
            for element in self.driver.find_elements(By.CSS_SELECTOR, css):
                if element.is_displayed() and (text is None or text in element.text):
                    return element
            if time.monotonic() > deadline:
                pytest.fail(f"no element {css} with {text!r}")
            time.sleep(0.1)

    def click(self, css, text=None):
        element = self.find(css, text)
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
        element.click()

    def type(self, key, value):
        """Types into the text input or area of the widget `key` and commits it: Enter in an
        input (Tab would only reach a password's eye button), Tab out of an area."""
        field = self.find(f".st-key-{key} input, .st-key-{key} textarea")
        field.clear()
        field.send_keys(value, Keys.ENTER if field.tag_name == "input" else Keys.TAB)

    def choose(self, key, label):
        """Picks the option of the selectbox `key` whose text is label or begins with
        "label · "."""
        self.click(f".st-key-{key} input[role='combobox']")
        deadline = time.monotonic() + WAIT_S
        while True:
            for option in self.driver.find_elements(By.CSS_SELECTOR, "[role='option']"):
                if option.text == label or option.text.startswith(label + " · "):
                    option.click()
                    return
            if time.monotonic() > deadline:
                pytest.fail(f"the selectbox {key} has no option {label!r}")
            time.sleep(0.1)

    def language(self, lang):
        """Switches the language; waits until no title of another language is left."""
        self.choose("lang", i18n.LANG_NAMES[lang])
        self.wait([i18n.t(lang, "title")],
                  [i18n.t(other, "title") for other in i18n.LANGS if other != lang])

    def go(self, page):
        title = i18n.t("en", "page_" + page)
        self.click(".st-key-page label", title)
        self.wait(title=title)

    def screenshot(self, name):
        """A PNG of the window, saved as <name>.png, checked to be a real picture: the
        window's size, many colours (text is antialiased), not one flat background."""
        png = self.driver.get_screenshot_as_png()
        (self.out_dir / f"{name}.png").write_bytes(png)
        image = Image.open(io.BytesIO(png))
        assert image.format == "PNG"
        assert image.width >= WINDOW[0] * 0.9 and image.height >= WINDOW[1] * 0.5, image.size
        rgb = image.convert("RGB")
        colours = rgb.getcolors(maxcolors=1 << 20)
        assert len(colours) >= 64, f"{name}.png has {len(colours)} colours"
        background = max(colours)[0]
        assert background <= 0.99 * rgb.width * rgb.height, f"{name}.png is nearly blank"

    def check(self, page, lang, keys, extra=(), shot=None):
        """The app is on `page` (its header and the navigation's selected option say so)
        and shows keys (i18n; their fixed parts) and extra texts in lang; then its
        screenshot, <shot or page>-<lang>.png."""
        self.wait([literal(lang, key) for key in keys] + list(extra),
                  title=i18n.t(lang, "page_" + page))
        self.screenshot(f"{shot or page}-{lang}")

    def check_in(self, page, lang, keys):
        """check() in lang through the language switch, then in English again."""
        self.language(lang)
        self.check(page, lang, keys)
        self.language("en")
        self.check(page, "en", keys)


@pytest.fixture(scope="module")
def page(server, out_dir, tmp_path_factory):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS + [f"--window-size={WINDOW[0]},{WINDOW[1]}",
                                  f"--user-data-dir={tmp_path_factory.mktemp('chromium')}"]:
        options.add_argument(flag)
    # the sanitizer runtime that an ASan build preloads into Python is not Chromium's
    env = {k: v for k, v in os.environ.items()
           if k not in ("LD_PRELOAD", "ASAN_OPTIONS", "UBSAN_OPTIONS")}
    # a path to the driver: Selenium Manager (which downloads drivers) is never asked
    service = Service(executable_path=CHROMEDRIVER, env=env, service_args=["--log-level=WARNING"],
                      log_output=str(out_dir / "chromedriver.log"))
    try:
        driver = webdriver.Chrome(service=service, options=options)
    except WebDriverException as e:
        pytest.fail(f"Chromium does not start: {e.msg}")
    try:
        driver.get(server)
        yield Page(driver, out_dir)
    finally:
        driver.quit()


ACCOUNT = ["title", "page_account", "sign_in", "sign_up", "email", "password", "language",
           "navigation", "offline_mode", "page_creator", "page_gallery", "page_dashboard",
           "page_subscription", "page_effects"]
CREATOR = ["page_creator", "input_mode", "mode_prompt", "mode_photo", "prompt", "service",
           "estimate_free", "generate", "signed_in_as"]
GALLERY = ["page_gallery", "topic", "use_prompt"]
DASHBOARD = ["page_dashboard", "balance", "bucket_available", "bucket_subscription",
             "bucket_purchased", "bucket_bonus", "bucket_held", "free_uses", "next_reset",
             "usage_chart", "history"]
SUBSCRIPTION = ["page_subscription", "plans", "col_price", "col_weekly", "col_max_res",
                "col_watermark", "col_priority", "col_discount", "test_mode", "current_plan",
                "topup", "package", "buy"]
EFFECTS = ["page_effects", "video", "effect", "style", "style_anime", "style_3d_cartoon",
           "style_clay", "style_oil_painting", "estimate", "apply_effect"]


def test_sign_in_page_signed_out(page):
    page.check("account", "en", ACCOUNT)
    page.check_in("account", "ja", ACCOUNT)


def test_sign_up_with_the_code_of_the_dev_mode_notice(page):
    page.click("[role='tab']", i18n.t("en", "sign_up"))
    page.type("signup_email", EMAIL)
    page.type("signup_password", PASSWORD)
    page.click(".st-key-signup_button button")
    text = page.wait([i18n.t("en", "code_sent", email=EMAIL), literal("en", "dev_notice")])
    code = re.search(re.escape(literal("en", "dev_notice")) + r"\s*(\d{6})", text).group(1)
    page.type("signup_code", code)
    page.click(".st-key-verify_button button")
    page.check("account", "en", ["verified"], [EMAIL], shot="signed-up")


def test_creator_page_makes_an_image_and_shows_the_new_balance(page, names):
    page.go("creator")
    page.check_in("creator", "zh-TW", CREATOR)
    page.type("prompt", "A red sneaker spinning on a white table")
    page.choose("service", names["image_512"]["en"])
    page.click(".st-key-generate button")
    page.check("creator", "en", ["result", "watermark_notice"],
               [i18n.t("en", "new_balance", price=0, available=0, free=1)], shot="creator-result")
    page.find("[data-testid='stImage'] img")


def test_gallery_page(page):
    page.go("gallery")
    page.check_in("gallery", "ko", GALLERY)


def test_dashboard_page(page):
    page.go("dashboard")
    page.check_in("dashboard", "es", DASHBOARD)


def test_subscription_page_subscribes_in_the_sandbox(page):
    page.go("subscription")
    page.check_in("subscription", "zh-TW", SUBSCRIPTION)
    page.click(".st-key-subscribe_pro button")
    page.check("subscription", "en", [], [i18n.t("en", "subscribed", plan="Pro")],
               shot="subscribed")


def test_effects_page_for_a_subscriber_with_its_style_picker(page, names):
    page.go("creator")
    page.type("prompt", "A silver watch on black velvet")
    page.choose("service", names["video_720p"]["en"])
    page.click(".st-key-generate button")
    # "Your result" still shows the image made before: wait for this video's charge
    page.wait([i18n.t("en", "new_balance", price=5, available=55, free=1)])
    page.go("effects")
    page.choose("effect", names["style_effects"]["en"])
    page.check_in("effects", "ja", EFFECTS)  # the picked effect stays through the switch
    page.language("ja")
    page.click(".st-key-effect_style label", i18n.t("ja", "style_clay"))
    page.click(".st-key-apply_effect button")
    page.check("effects", "ja", ["result", "progress"], shot="effects-result")
