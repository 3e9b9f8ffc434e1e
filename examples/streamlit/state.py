# SPDX-License-Identifier: MIT
"""The app's shared state: one engine per process (st.cache_resource) with a worker thread,
the e-mail catcher of dev mode, the signed-in user and the translated-string helper."""
import functools
import os
import re
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import unquote, urlparse

import streamlit as st
import vidgo

import i18n

SMTP_URL = os.environ.get("VIDGO_SMTP_URL", "")
SANDBOX = os.environ.get("VIDGO_PAYMENTS_SANDBOX", "1") != "0"


class Outbox:
    """Catches the library's e-mail when there is no SMTP server (dev mode)."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    def __call__(self, email):
        with self.lock:
            self.messages.append(email)

    def code_for(self, address):
        with self.lock:
            for email in reversed(self.messages):
                if email.to == address and email.kind == "verify":
                    found = re.search(r"\b(\d{6})\b", email.text)
                    return found.group(1) if found else None
        return None


@st.cache_resource
def _open(db, provider_mode):
    outbox = Outbox()
    config = dict(provider_mode=provider_mode, payments={"sandbox": SANDBOX},
                  assets_dir=str(Path(db).resolve().parent / "vidgo-assets"))
    if SMTP_URL:
        config["smtp_url"] = SMTP_URL
    else:
        config["email_sender"] = outbox
    if os.environ.get("VIDGO_APP_FAST_HASH") == "1":  # tests only: cheap password hashing
        config["pwhash_opslimit"] = 1
    engine = vidgo.open(db, **config)
    engine.jobs.start_worker()  # a thread of this process runs the generation jobs
    return engine, outbox


def engine():
    return _open(os.environ.get("VIDGO_DB", "./vidgo-app.db"),
                 os.environ.get("VIDGO_PROVIDER_MODE", "local"))[0]


def outbox():
    return None if SMTP_URL else _open(os.environ.get("VIDGO_DB", "./vidgo-app.db"),
                                       os.environ.get("VIDGO_PROVIDER_MODE", "local"))[1]


def offline():
    return os.environ.get("VIDGO_PROVIDER_MODE", "local") == "local"


def lang():
    return st.session_state.get("lang", "en")


def t(key, **values):
    return i18n.t(lang(), key, **values)


def translator():
    """t() bound to the current language, safe to use in format_func callbacks (which
    Streamlit may call after the run, outside its session)."""
    return functools.partial(i18n.t, lang())


def error(exc):
    """Shows a library error in the user's language."""
    st.error(vidgo.strerror(exc.code, lang()) if isinstance(exc, vidgo.VidgoError) else str(exc))


def user():
    """The signed-in user (vidgo.User) or None."""
    uid = st.session_state.get("user_id")
    return engine().users.get(uid) if uid else None


def require_user():
    current = user()
    if current is None:
        st.warning(t("need_sign_in"))
    return current


def new_key(kind):
    """An idempotency key for one click."""
    return f"app-{kind}-{uuid.uuid4().hex}"


def plan_name(name):
    return engine().plans.get(name).display_name.get(lang(), name)


def wait_with_progress(job, timeout=120.0):
    """Polls the job (a worker thread runs it) and draws a progress bar; returns it final."""
    jobs = engine().jobs
    bar = st.progress(0, text=t("queued"))
    deadline = time.monotonic() + timeout
    while not job.final and time.monotonic() < deadline:
        time.sleep(0.2)
        job = jobs.get(job.id)
        percent = max(0, min(100, job.percent))
        bar.progress(percent, text=t("progress", percent=percent) if job.percent >= 0
                     else t("queued"))
    if job.final:
        bar.progress(100, text=t("progress", percent=100))
    else:
        st.info(t("timed_out"))
    return job


def show_result(job):
    """The job's media: st.image for the local placeholders (PNG/GIF), st.video for a video."""
    if job.state != vidgo.JobState.SUCCEEDED:
        if job.error:
            st.error(job.message or vidgo.strerror(job.error, lang()))
        return
    st.subheader(t("result"))
    url = job.result_url
    path = unquote(urlparse(url).path) if url.startswith("file://") else url
    if path.lower().endswith((".png", ".gif", ".jpg", ".jpeg", ".webp")):
        st.image(path)
    elif job.media_type == "video":
        st.video(path)
    else:
        st.image(path)
    if job.cache_hit:
        st.caption(t("cache_hit_note"))
    if job.watermark:
        st.warning(t("watermark_notice"))
