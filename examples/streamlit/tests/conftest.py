# SPDX-License-Identifier: MIT
"""The app's AppTest tests: each test gets its own store (the app opens one engine per store
path, st.cache_resource), offline providers, the payments sandbox, cheap password hashing.
The browser test (screens.py) shares the paths and the skip rules."""
import os
import sys
from pathlib import Path

import pytest

APP_DIR = Path(__file__).resolve().parents[1]
ROOT = APP_DIR.parents[1]

# meson sets this in a sanitized build whose runtime cannot be preloaded into Python (as for
# the binding's own suite): report SKIP (77) with the reason.
SKIP_ALL = os.environ.get("VIDGO_TEST_SKIP_PYTHON", "")
try:
    import streamlit.testing.v1  # noqa: F401
except ImportError:
    SKIP_ALL = SKIP_ALL or "streamlit is not installed (scripts/install-deps.sh installs it)"
if SKIP_ALL:
    print(f"the Streamlit app's tests are skipped: {SKIP_ALL}", file=sys.stderr)
    collect_ignore_glob = ["test_*.py"]


def pytest_sessionfinish(session, exitstatus):
    """meson's SKIP (77) when no test ran: SKIP_ALL, or every test skipped (screens.py
    without a browser)."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    stats = reporter.stats if reporter else {}
    nothing_failed = exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED)
    if SKIP_ALL or (nothing_failed and stats.get("skipped") and not stats.get("passed")):
        session.exitstatus = 77

# The checkout's binding and the app's own modules (i18n) for the tests.
sys.path.insert(0, str(ROOT / "bindings" / "python"))
sys.path.insert(0, str(APP_DIR))
for name in ("VIDGO_SMTP_URL", "VIDGO_PAYMENTS_SANDBOX", "VIDGO_SECRET", "VIDGO_MAIL_DIR"):
    os.environ.pop(name, None)


@pytest.fixture
def app_env(tmp_path, monkeypatch):
    monkeypatch.setenv("VIDGO_DB", str(tmp_path / "vidgo-app.db"))
    monkeypatch.setenv("VIDGO_PROVIDER_MODE", "local")
    monkeypatch.setenv("VIDGO_APP_FAST_HASH", "1")
    return tmp_path
