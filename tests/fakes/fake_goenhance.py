# SPDX-License-Identifier: MIT
"""A loopback fake of GoEnhance's API (docs/providers.md §4, doc-goenhance.md), on fake_http.

Every answer is the envelope {"code": 0, "msg": "Success", "data": ...}. It checks the
`Authorization: Bearer <key>` header (a wrong or missing key is an HTTP 401 envelope, or,
with auth_style "envelope", an HTTP 200 envelope {"code": 1001, "msg": "Invalid token"}),
the method and path, and each generate body: {"args": {...}, "type": ...} with the
documented (third-party) args and JSON types for video-to-video (model an int from the
model list, duration an int 3..30, reference_video_url an https:// string, seed -1 or a
non-negative int, resolution "540p"/"720p"/"1080p", prompt a string), and for the enhance
endpoints the paths and job types the test configures in `enhance` (args
reference_video_url, resolution, optional model). A bad body is an HTTP 400 envelope and is
kept in `violations`.

The server, faults and spoilt answers are fake_jobs.JobFake's; reset() forgets every job.
Jobs live in memory and move one step through `script` at each GET /api/v1/jobs/detail (the
last step repeats): by default pending, processing, success. `result` picks what a done job
carries: "video" (json [{"type": "video"}]), "image", "both" (an image, then a video),
"img_url" (json null, img_url set) or "none". An unknown img_uuid is an HTTP 404 envelope
(missing_style "http404") or an HTTP 200 {"code": 1, "msg": "job not exist"} ("envelope").
GET /api/v1/video2video/modellist answers two categories of styles.

Faults, per route ("create", "poll", "models"), for the next `times` requests (None: all):
fault(route, kind, times). Refusing before acting: "unauthorized" (401), "not_found" (404),
"rate_limited" (429, Retry-After: 1), "server_error" (500), "unavailable" (503), "rejected"
(HTTP 200, code 1003 "Insufficient credits"), "token_invalid" (HTTP 200, code 1001
"Invalid token"). Acting (a create makes its job), then spoiling the answer: "lost",
"timeout" (3 s), "drip", "truncated", "malformed", "oversized" (17 MiB), "bad_status" (poll:
an unknown status), "no_code" (an answer without its envelope code).
"""
import json
import urllib.parse
import uuid

from fake_http import Reply
from fake_jobs import JobFake, ScriptedJob, is_int

GENERATE = "/api/v1/video2video/generate"
DETAIL = "/api/v1/jobs/detail"
MODELLIST = "/api/v1/video2video/modellist"
TOKENS = "/api/v1/user/tokens"
HD_PATH = "/api/v1/fake-hd-enhance/generate"
VE_PATH = "/api/v1/fake-video-enhance/generate"
STYLES = [
    {"label": "Popular", "value": "default", "list": [
        {"value": 2000, "label": "Anime Style", "version": "v5", "isVip": False},
        {"value": 1033, "label": "GPT Anime Style", "version": "v4", "isVip": False},
        {"value": 2004, "label": "Pixar Style", "version": "v5", "isVip": True}]},
    {"label": "Art", "value": "art", "list": [
        {"value": 2005, "label": "Clay Style", "version": "v5", "isVip": False},
        {"value": 2006, "label": "Oil Painting", "version": "v5", "isVip": False}]},
]
STYLE_IDS = {m["value"] for c in STYLES for m in c["list"]}
V2V_RESOLUTIONS = {"540p", "720p", "1080p"}
ENHANCE_RESOLUTIONS = {"720p", "1080p", "2160p"}
REFUSING = {"unauthorized": (401, 401, "Unauthorized"), "not_found": (404, 404, "Not Found"),
            "rate_limited": (429, 429, "Too Many Requests"),
            "server_error": (500, 500, "Internal Server Error"),
            "unavailable": (503, 503, "Service Unavailable"),
            "rejected": (200, 1003, "Insufficient credits"),
            "token_invalid": (200, 1001, "Invalid token")}


def video_url(job_id):
    return "https://openapi-static.fake-goenhance.test/user/%s_0.mp4?q-sign=f4k3" % job_id


def image_url(job_id):
    return "https://openapi-static.fake-goenhance.test/user/%s_0.jpg?q-sign=f4k3" % job_id


class Job(ScriptedJob):
    def __init__(self, job_id, job_type, model_id, script):
        super().__init__(job_id, script)
        self.type = job_type
        self.model_id = model_id


class FakeGoEnhance(JobFake):
    malformed = b'{"code": 0, "data": {"img_uuid": '

    def reset(self):
        super().reset()
        with self.lock:
            self.script = ["pending", "processing", "success"]
            self.result = "video"
            self.auth_style = "http"
            self.missing_style = "http404"
            self.enhance = {HD_PATH: "mx-hd-enhance", VE_PATH: "mx-video-enhance"}
            self.jobs = {}

    def add_job(self, script=None, job_type="mx-v2v"):
        """A job made without a request (to poll it)."""
        job = Job(str(uuid.uuid4()), job_type, "2000", script or self.script)
        with self.lock:
            self.jobs[job.id] = job
        return job.id

    def seen(self, method, path_prefix):
        """The requests of a method whose path starts with path_prefix."""
        return [r for r in self.requests if r.method == method and r.path.startswith(path_prefix)]

    # ---- answers ---------------------------------------------------------------------------

    @staticmethod
    def _envelope(status, code, msg, data=None, **extra):
        return Reply(status, headers={"Content-Type": "application/json"},
                     body=json.dumps({"code": code, "msg": msg, "data": data}).encode(),
                     **extra)

    def _refuse(self, message, status=400):
        self.refuse(message)
        return self._envelope(status, status, message)

    def refusal(self, kind):
        if kind not in REFUSING:
            return None
        status, code, msg = REFUSING[kind]
        reply = self._envelope(status, code, msg)
        if status == 429:
            reply.headers["Retry-After"] = "1"
        return reply

    def spoil(self, kind, reply):
        if kind == "no_code":
            reply.body = json.dumps({"msg": "Success", "data": {}}).encode()
            return reply
        return super().spoil(kind, reply)

    # ---- one request -----------------------------------------------------------------------

    def _handle(self, r):
        url = urllib.parse.urlsplit(r.path)
        path, query = url.path, urllib.parse.parse_qs(url.query)
        if path == GENERATE or path in self.enhance:
            route, method = "create", "POST"
        elif path == DETAIL:
            route, method = "poll", "GET"
        elif path in (MODELLIST, TOKENS):
            route, method = "models", "GET"
        else:
            return self._refuse("no such path: " + path, 404)
        return self.faulted(route, lambda kind: self._act(r, path, query, route, method, kind))

    def _act(self, r, path, query, route, method, kind):
        if r.method != method:
            return self._refuse("method %s not allowed on %s" % (r.method, path), 405)
        if r.headers.get("authorization") != "Bearer " + self.key:
            if self.auth_style == "envelope":
                return self._envelope(200, 1001, "Invalid token")
            return self._envelope(401, 401, "Unauthorized")
        if route == "create":
            return self._create(r, path)
        if path == MODELLIST:
            return self._envelope(200, 0, "Success", STYLES)
        if path == TOKENS:
            return self._envelope(200, 0, "success", {"count": 4207})
        return self._detail(query.get("img_uuid", [""])[0], kind)

    def _create(self, r, path):
        if not r.headers.get("content-type", "").startswith("application/json"):
            return self._refuse("Content-Type must be application/json")
        try:
            body = json.loads(r.body)
        except ValueError:
            return self._refuse("the body is not JSON")
        job_type = "mx-v2v" if path == GENERATE else self.enhance[path]
        problem = self.check_body(body, job_type, path == GENERATE)
        if problem:
            return self._refuse(problem)
        args = body["args"]
        job = Job(str(uuid.uuid4()), job_type, str(args.get("model", -1)), self.script)
        with self.lock:
            self.jobs[job.id] = job
        return self._envelope(200, 0, "Success", {"img_uuid": job.id})

    @staticmethod
    def check_body(body, job_type, v2v):
        """Returns what is wrong with a generate body, or None."""
        if not isinstance(body, dict) or set(body) != {"args", "type"}:
            return "the body must be {\"args\": {...}, \"type\": ...}"
        if body["type"] != job_type:
            return "type: %r is not %r" % (body["type"], job_type)
        args = body["args"]
        if not isinstance(args, dict):
            return "args: not an object"
        url = args.get("reference_video_url")
        if not isinstance(url, str) or not url.startswith("https://"):
            return "args.reference_video_url: must be an https:// URL"
        if v2v:
            allowed = {"model", "duration", "reference_video_url", "seed", "resolution", "prompt"}
            required = allowed - {"prompt"}
            resolutions = V2V_RESOLUTIONS
        else:
            allowed = {"reference_video_url", "resolution", "model"}
            required = {"reference_video_url", "resolution"}
            resolutions = ENHANCE_RESOLUTIONS
        if set(args) - allowed or required - set(args):
            return "args: fields %s, expected %s" % (sorted(args), sorted(allowed))
        model = args.get("model", 0)
        if not is_int(model) or (v2v and model not in STYLE_IDS):
            return "args.model: %r is not a model id" % (model,)
        if args.get("resolution") not in resolutions:
            return "args.resolution: %r is not one of %s" % (args.get("resolution"),
                                                            sorted(resolutions))
        if v2v:
            if not is_int(args["duration"]) or not 3 <= args["duration"] <= 30:
                return "args.duration: must be an integer 3..30"
            seed = args["seed"]
            if not is_int(seed) or not (seed == -1 or 0 <= seed <= 2**31 - 1):
                return "args.seed: must be -1 or a non-negative integer"
            if "prompt" in args and not isinstance(args["prompt"], str):
                return "args.prompt: must be a string"
        return None

    def _job_data(self, job, kind):
        status = job.status()
        data = {"img_uuid": job.id, "status": status, "type": job.type, "job_type": job.type,
                "start_time": "2026-01-01T00:00:00.000Z", "model_id": job.model_id,
                "json": None}
        if status in ("success", "completed"):
            data["end_time"] = "2026-01-01T00:01:00.000Z"
            items = {"video": [{"type": "video", "value": video_url(job.id)}],
                     "image": [{"type": "image", "value": image_url(job.id)}],
                     "both": [{"type": "image", "value": image_url(job.id)},
                              {"type": "video", "value": video_url(job.id)}]}
            data["json"] = items.get(self.result)
            if self.result == "img_url":
                data["img_url"] = video_url(job.id)
        if kind == "bad_status":
            data["status"] = "exploded"
        return data

    def _detail(self, job_id, kind):
        with self.lock:
            job = self.jobs.get(job_id)
            if not job:
                if self.missing_style == "envelope":
                    return self._envelope(200, 1, "job not exist")
                return self._envelope(404, 404, "job not found")
            job.step += 1
            return self._envelope(200, 0, "Success", self._job_data(job, kind))
