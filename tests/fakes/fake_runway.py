# SPDX-License-Identifier: MIT
"""A loopback fake of Runway's API (docs/providers.md §3, doc-runway.md), on fake_http.

It checks what Runway checks: the `Authorization: Bearer <key>` header (401 otherwise), the
`X-Runway-Version: 2024-11-06` header (400 when missing or another version), the method and
path, and each create body's fields and JSON types per model (the ratio and model enums,
promptImage as an https:// URL or a data:image/...;base64 URI of at most 5 MB, promptText of
at most 1000 UTF-16 code units, duration, seed 0..4294967295, no unknown fields); a bad body
is a 400 {"error": ...} and is kept in `violations`.

The server, faults and spoilt answers are fake_jobs.JobFake's; reset() forgets every task.
Tasks live in memory and move one step through `script` at each GET (the last step
repeats): by default PENDING, THROTTLED, RUNNING 25 %, RUNNING 75 %, SUCCEEDED. A step is a
status, "RUNNING:<progress>", or "FAILED" (failure and failureCode from the fake). DELETE
cancels a task that is not final (it then reads CANCELLED) and deletes a final one (404
after). GET /v1/organization answers a credit balance.

Faults, per route ("create", "poll", "cancel", "org"), for the next `times` requests (None:
all): fault(route, kind, times). Kinds that refuse before acting: "unauthorized" (401),
"not_found" (404), "bad_request" (400 naming promptImage), "rate_limited" (429,
Retry-After: 1), "server_error" (500), "unavailable" (503). Kinds that act (a create makes
its task) and then spoil the answer:
"lost" (the connection is closed without an answer), "timeout" (no answer for 3 s),
"drip" (the answer one byte per `drip` seconds), "truncated" (the body cut short),
"malformed" (a body that is not JSON), "oversized" (17 MiB), "bad_status" (poll: an
unknown status), "no_output" (poll: SUCCEEDED without output).
"""
import base64
import binascii
import json
import re
import uuid

from fake_http import Reply
from fake_jobs import JobFake, ScriptedJob, is_int, json_reply

VERSION = "2024-11-06"
GEN4_RATIOS = ["1280:720", "720:1280", "1104:832", "832:1104", "960:960", "1584:672"]
VEO_RATIOS = ["1280:720", "720:1280", "1080:1920", "1920:1080"]
# (kind, model): ratios, durations, duration required. From the SDK's create params.
MODELS = {
    ("image_to_video", "gen4_turbo"): (GEN4_RATIOS, [5, 10], False),
    ("image_to_video", "gen4.5"): (GEN4_RATIOS, list(range(2, 11)), True),
    ("image_to_video", "gen3a_turbo"): (["1280:768", "768:1280"], [5, 10], False),
    ("text_to_video", "gen4.5"): (["1280:720", "720:1280"], list(range(2, 11)), True),
    ("text_to_video", "veo3.1"): (VEO_RATIOS, [4, 6, 8], False),
    ("text_to_video", "veo3.1_fast"): (VEO_RATIOS, [4, 6, 8], False),
    ("text_to_video", "veo3"): (VEO_RATIOS, [8], True),
}
FIELDS = {
    "image_to_video": {"model", "promptImage", "promptText", "ratio", "duration", "seed",
                       "contentModeration"},
    "text_to_video": {"model", "promptText", "ratio", "duration", "seed", "contentModeration",
                      "audio"},
}
DATA_URI = re.compile(r"^data:image/(png|jpeg|jpg|webp);base64,([A-Za-z0-9+/]*={0,2})$")
MAX_URI = 5 * 1024 * 1024
REFUSING = {"unauthorized": (401, "Invalid API key"), "not_found": (404, "Not found"),
            "bad_request": (400, "promptImage: the asset could not be fetched"),
            "rate_limited": (429, "Too many requests"),
            "server_error": (500, "Internal server error"),
            "unavailable": (503, "Service unavailable")}
DEFAULT_SCRIPT = ["PENDING", "THROTTLED", "RUNNING:0.25", "RUNNING:0.75", "SUCCEEDED"]
TASK_PATH = re.compile(r"^/v1/tasks/([^/?]+)$")


def utf16_units(s):
    return len(s.encode("utf-16-le")) // 2


def output_url(task_id):
    return "https://cdn.fake-runway.test/tasks/%s/output.mp4?expires=86400&sig=f4k3" % task_id


class Task(ScriptedJob):
    def __init__(self, task_id, kind, body, script):
        super().__init__(task_id, script)
        self.kind = kind
        self.body = body
        self.cancelled = False
        self.deleted = False


class FakeRunway(JobFake):
    def reset(self):
        super().reset()
        with self.lock:
            self.script = list(DEFAULT_SCRIPT)
            self.failure = "The input text was flagged by content moderation."
            self.failure_code = "SAFETY.INPUT.TEXT"
            self.credit_balance = 4242
            self.tasks = {}          # id -> Task

    def add_task(self, kind="image_to_video", script=None):
        """A task made without a request (to poll it)."""
        task = Task(str(uuid.uuid4()), kind, {}, script or self.script)
        with self.lock:
            self.tasks[task.id] = task
        return task.id

    def seen(self, method, path_prefix):
        """The requests of a method whose path starts with path_prefix."""
        return [r for r in self.requests if r.method == method and r.path.startswith(path_prefix)]

    # ---- answers ---------------------------------------------------------------------------

    _json = staticmethod(json_reply)

    def _error(self, status, message, violation=True):
        if violation:
            self.refuse(message)
        return self._json(status, {"error": message})

    def refusal(self, kind):
        if kind not in REFUSING:
            return None
        status, message = REFUSING[kind]
        return self._json(status, {"error": message},
                          headers={"Retry-After": "1"} if status == 429 else None)

    # ---- one request -----------------------------------------------------------------------

    def _handle(self, r):
        path = r.path.split("?", 1)[0]
        route, m = None, TASK_PATH.match(path)
        if path in ("/v1/image_to_video", "/v1/text_to_video"):
            route, methods = "create", ("POST",)
        elif m:
            route, methods = ("cancel" if r.method == "DELETE" else "poll"), ("GET", "DELETE")
        elif path == "/v1/organization":
            route, methods = "org", ("GET",)
        else:
            return self._error(404, "no such path: " + path)
        return self.faulted(route, lambda kind: self._act(r, path, route, methods, m, kind))

    def _act(self, r, path, route, methods, m, kind):
        if r.method not in methods:
            return self._error(405, "method %s not allowed on %s" % (r.method, path))
        if r.headers.get("authorization") != "Bearer " + self.key:
            return self._error(401, "Invalid API key or no API key", violation=False)
        version = r.headers.get("x-runway-version")
        if version is None:
            return self._error(400, "You must provide an X-Runway-Version header")
        if version != VERSION:
            return self._error(400, "X-Runway-Version %r is not a valid version" % version)
        if route == "create":
            return self._create(r, path[len("/v1/"):])
        if route == "org":
            return self._json(200, {"creditBalance": self.credit_balance,
                                    "tier": {"maxMonthlyCreditSpend": 10000, "models": {}},
                                    "usage": {"models": {}}})
        if route == "cancel":
            return self._cancel(m.group(1))
        return self._poll(m.group(1), kind)

    def _create(self, r, kind):
        if not r.headers.get("content-type", "").startswith("application/json"):
            return self._error(400, "Content-Type must be application/json")
        try:
            body = json.loads(r.body)
        except ValueError:
            return self._error(400, "the body is not JSON")
        problem = self.check_body(kind, body)
        if problem:
            return self._error(400, problem)
        task = Task(str(uuid.uuid4()), kind, body, self.script)
        with self.lock:
            self.tasks[task.id] = task
        return self._json(200, {"id": task.id})

    @staticmethod
    def check_body(kind, body):
        """Returns what is wrong with a create body, or None."""
        if not isinstance(body, dict):
            return "the body is not a JSON object"
        extra = set(body) - FIELDS[kind]
        if extra:
            return "unknown fields %s" % sorted(extra)
        model = body.get("model")
        if not isinstance(model, str) or (kind, model) not in MODELS:
            return "model: %r is not a %s model" % (model, kind)
        ratios, durations, duration_required = MODELS[(kind, model)]
        if kind == "image_to_video":
            image = body.get("promptImage")
            if not isinstance(image, str):
                return "promptImage: must be a string"
            if len(image) > MAX_URI:
                return "promptImage: over 5 MB"
            d = DATA_URI.match(image)
            if d:
                try:
                    base64.b64decode(d.group(2), validate=True)
                except (binascii.Error, ValueError):
                    return "promptImage: the data URI is not valid base64"
            elif not image.startswith("https://"):
                return "promptImage: must be an HTTPS URL or a data URI"
        text = body.get("promptText")
        if text is None and kind == "text_to_video":
            return "promptText: required"
        if text is not None and (not isinstance(text, str) or not text
                                 or utf16_units(text) > 1000):
            return "promptText: must be a non-empty string of at most 1000 UTF-16 code units"
        if body.get("ratio") not in ratios:
            return "ratio: %r is not one of %s" % (body.get("ratio"), ratios)
        if "duration" in body:
            if not is_int(body["duration"]) or body["duration"] not in durations:
                return "duration: %r is not one of %s" % (body["duration"], durations)
        elif duration_required:
            return "duration: required for %s" % model
        if "seed" in body and (not is_int(body["seed"]) or not 0 <= body["seed"] <= 4294967295):
            return "seed: must be an integer 0..4294967295"
        return None

    def _task_json(self, task, kind):
        status = "CANCELLED" if task.cancelled else task.status()
        out = {"id": task.id, "createdAt": "2026-01-01T00:00:00.000Z"}
        if status.startswith("RUNNING"):
            out["status"] = "RUNNING"
            if ":" in status:
                out["progress"] = float(status.split(":", 1)[1])
        else:
            out["status"] = status
        if status == "SUCCEEDED" and kind != "no_output":
            out["output"] = [output_url(task.id)]
        if status == "FAILED":
            out["failure"] = self.failure
            out["failureCode"] = self.failure_code
        if kind == "bad_status":
            out["status"] = "EXPLODED"
        return out

    def _poll(self, task_id, kind):
        with self.lock:
            task = self.tasks.get(task_id)
            if not task or task.deleted:
                return self._json(404, {"error": "Task not found"})
            task.step += 1
            return self._json(200, self._task_json(task, kind))

    def _cancel(self, task_id):
        with self.lock:
            task = self.tasks.get(task_id)
            if not task or task.deleted:
                return self._json(404, {"error": "Task not found"})
            if task.cancelled or task.status() in ("SUCCEEDED", "FAILED"):
                task.deleted = True
            else:
                task.cancelled = True
        return Reply(204)
