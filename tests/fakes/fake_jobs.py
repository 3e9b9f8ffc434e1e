# SPDX-License-Identifier: MIT
"""JobFake: what every loopback fake of a paid job API is made of (fake_runway.py,
fake_goenhance.py, fake_pollo.py, fake_leonardo.py), on fake_http.FakeHTTP.

- the server and its lifecycle: start() (or `with`), stop(), base_url, requests (each a
  fake_http.Request), reset() (back to a healthy server with no jobs, faults or requests, so
  one server can serve a whole test module);
- `violations`: what a real server would have refused (refuse() records it);
- faults per route: fault(route, kind, times=None) misbehaves on the next `times` requests of
  a route (None: all of them). A subclass's refusal(kind) answers the kinds that refuse before
  acting (a create then makes no job); every other kind lets the server act and then spoils
  its answer (spoil(), which a subclass extends with its own kinds):
    "lost"       the connection is closed without an answer;
    "timeout"    no answer for `hang` seconds, then the connection is closed;
    "drip"       the answer one byte every `drip` seconds;
    "truncated"  Content-Length announces 64 bytes more than are sent;
    "malformed"  a body that is not JSON (`malformed`, or the answer's first half);
    "oversized"  a 17 MiB body (over the client's 16 MiB cap).
  faulted(route, act) runs that order for one request.
ScriptedJob is a job that moves one step along its script at each poll; serve(fake) runs a
fake alone (python3 fake_<name>.py --key KEY prints its base URL).
"""
import json
import threading
import time

from fake_http import FakeHTTP, Reply

SPOILERS = ("lost", "timeout", "drip", "truncated", "malformed", "oversized")


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def json_reply(status, obj, headers=None, **extra):
    """A JSON answer."""
    h = {"Content-Type": "application/json"}
    h.update(headers or {})
    return Reply(status, headers=h, body=json.dumps(obj).encode(), **extra)


class ScriptedJob:
    """A job that moves one step along `script` at each poll (the last step repeats)."""

    def __init__(self, job_id, script):
        self.id = job_id
        self.script = list(script)
        self.step = -1

    def status(self):
        return self.script[max(0, min(self.step, len(self.script) - 1))]


def serve(fake):
    """Runs a fake until Ctrl-C, its base URL on stdout."""
    fake.start()
    print(fake.base_url, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        fake.stop()


class JobFake:
    malformed = None     # the body of a "malformed" answer (None: the answer's first half)
    default_drip = 0.05  # seconds per byte of a "drip" answer, after reset()
    hang = 3.0           # seconds a "timeout" answer is held back

    def __init__(self, key):
        self.key = key
        self.lock = threading.Lock()
        self.http = FakeHTTP(handler=self._handle)
        self.reset()

    def reset(self):
        """Back to a healthy server with no faults, violations or requests (subclasses forget
        their jobs too)."""
        with self.lock:
            self.faults = {}         # route -> [kind, times left or None]
            self.violations = []
            self.drip = self.default_drip
        self.http.reset()

    # ---- life ----------------------------------------------------------------------------

    def start(self):
        self.http.start()
        return self

    def stop(self):
        self.http.stop()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def base_url(self):
        return self.http.url("").rstrip("/")

    @property
    def requests(self):
        return self.http.requests

    # ---- what a real server refuses ---------------------------------------------------------

    def refuse(self, message):
        """Records a violation; the subclass shapes the answer."""
        with self.lock:
            self.violations.append(message)
        return message

    # ---- faults ----------------------------------------------------------------------------

    def fault(self, route, kind, times=None):
        """Misbehave on the next `times` requests of a route (None: all of them)."""
        with self.lock:
            self.faults[route] = [kind, times]

    def take_fault(self, route):
        """The fault for this request of a route, or None (and counts it down)."""
        with self.lock:
            f = self.faults.get(route)
            if not f:
                return None
            kind, left = f
            if left is not None:
                if left <= 0:
                    del self.faults[route]
                    return None
                f[1] = left - 1
            return kind

    def refusal(self, kind):
        """The answer of a kind that refuses before acting, or None (subclasses say)."""
        return None

    def spoil(self, kind, reply):
        """An answer spoiled after the server acted."""
        if kind == "lost":
            return Reply(close=True)
        if kind == "timeout":
            return Reply(delay=self.hang, close=True)
        if kind == "drip":
            reply.drip = self.drip
        elif kind == "truncated":
            reply.truncate = 64
        elif kind == "malformed":
            reply.body = self.malformed or reply.body[: len(reply.body) // 2]
        elif kind == "oversized":
            reply.body = b""
            reply.oversize = 17 * 1024 * 1024
        return reply

    def faulted(self, route, act):
        """One request of a route under its fault: a refusal answers without acting; else
        act(kind) makes the answer (kind None when there is no fault), which a fault spoils
        when it is a success."""
        kind = self.take_fault(route)
        refused = self.refusal(kind) if kind else None
        if refused is not None:
            return refused
        reply = act(kind)
        if kind and reply.status < 400:
            reply = self.spoil(kind, reply)
        return reply

    def _handle(self, request):
        raise NotImplementedError
