# SPDX-License-Identifier: MIT
"""The app's shared state: one engine per process (st.cache_resource) with a generator whose
job events feed the progress bars and a worker thread, the e-mail catcher of dev mode, the
signed-in user and the translated-string helper."""
import contextlib
import functools
import os
import queue
import re
import threading
import time
import uuid
from pathlib import Path
from typing import NamedTuple
from urllib.parse import unquote, urlparse

import streamlit as st
import vidgo

import i18n

SMTP_URL = os.environ.get("VIDGO_SMTP_URL", "")
SANDBOX = os.environ.get("VIDGO_PAYMENTS_SANDBOX", "1") != "0"
# A progress bar reads the job itself only when no event came for this long: a missed event
# (one made before the page started watching) delays it, never stalls it.
POLL_FALLBACK_S = 2.0


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


class JobEvents:
    """Hands the generator's job events (on_event, called in the worker's thread) to the
    pages waiting for those jobs, one queue per watched job."""

    def __init__(self):
        self.lock = threading.Lock()
        self.watchers = {}

    def __call__(self, job):  # must not call back into the generator
        with self.lock:
            changes = self.watchers.get(job.id)
        if changes is not None:
            changes.put(job)

    @contextlib.contextmanager
    def watch(self, job_id):
        changes = queue.Queue()
        with self.lock:
            self.watchers[job_id] = changes
        try:
            yield changes
        finally:
            with self.lock:
                self.watchers.pop(job_id, None)


class Resources(NamedTuple):
    engine: vidgo.Engine
    outbox: Outbox
    jobs: vidgo.Generator  # submit through it: its jobs' changes reach `events`
    events: JobEvents


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
    events = JobEvents()
    jobs = engine.generator(on_event=events)
    jobs.start_worker()  # a thread of this process runs the generation jobs
    return Resources(engine, outbox, jobs, events)


def _resources():
    return _open(os.environ.get("VIDGO_DB", "./vidgo-app.db"),
                 os.environ.get("VIDGO_PROVIDER_MODE", "local"))


def engine():
    return _resources().engine


def jobs():
    return _resources().jobs


def outbox():
    return None if SMTP_URL else _resources().outbox


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


def keep(key, options):
    """Re-sets the value of the widget `key` before it is drawn, or drops it when it is no
    longer one of its options. A widget whose option labels follow the language would
    otherwise show no option selected in the browser after a language switch, and fall back
    to its first option on the next run."""
    if key in st.session_state:
        if st.session_state[key] in options:
            st.session_state[key] = st.session_state[key]
        else:
            del st.session_state[key]


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
    """Draws a progress bar from the job's events until it is final (a worker thread runs
    it); returns it final, or as last seen after `timeout` seconds."""
    resources = _resources()
    bar = st.progress(0, text=t("queued"))
    shown = 0
    deadline = time.monotonic() + timeout
    with resources.events.watch(job.id) as changes:
        job = resources.jobs.get(job.id)  # it may have moved before the watch began
        while not job.final and (left := deadline - time.monotonic()) > 0:
            if job.percent >= 0:  # events can arrive out of order with the read above
                shown = max(shown, min(100, job.percent))
                bar.progress(shown, text=t("progress", percent=shown))
            try:
                job = changes.get(timeout=min(POLL_FALLBACK_S, left))
            except queue.Empty:
                job = resources.jobs.get(job.id)
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
