# SPDX-License-Identifier: MIT
"""A loopback fake of Leonardo AI's v1 REST API (docs/providers.md §1), on fake_jobs.JobFake.

It checks what the real API checks: the `authorization: Bearer <key>` header, `accept:
application/json`, a JSON content type on JSON bodies, the method and path, the required
fields and their JSON types (modelId a UUID string, width an integer 32..1536 in multiples of
8, prompt a non-empty string, imageType and model and resolution from their enums, the
init-image extension from its enum), and the presigned upload (a multipart/form-data POST
that carries no key, holds every presigned field with its exact value, and ends with the
part named `file` holding the photo's bytes).

It keeps jobs in memory: a generation is PENDING for `polls_to_complete` polls, then
COMPLETE with generated_images[0] {url, motionMP4URL for videos}. `job_mode` changes that:
"pending_forever", "failed", "no_url" (COMPLETE without images), "unknown_status".
`cost_mode` sets the create answers' cost: "dollars" (cost in DOLLARS plus apiCreditCost),
"credits" (cost in CREDITS), "legacy" (apiCreditCost only), "none".

Endpoints served: POST /generations, /generations-text-to-video,
/generations-image-to-video, /generations-video-upscale, /init-image, the presigned upload
POST /presigned-upload/{id}; GET /generations/{id}, /motion-variations/{id}, /me,
/generations/user/{userId}?offset=&limit=; DELETE /generations/{id}.

The server, faults and spoilt answers are fake_jobs.JobFake's: fault(endpoint, kind,
times=None) per endpoint name (see ENDPOINTS). Refusing before acting: "401", "401_echo" (a
401 whose message repeats the key it was given), "403", "404", "400", "429" (Retry-After:
1), "500", "503"; "500_once" and "503_once" stand for times=1, "500_n:N" for "500" with
times=N. "null": GET /generations/{id} answers generations_by_pk null. Every other kind
(fake_jobs.SPOILERS: "lost", "timeout", "drip" (0.2 s a byte), "truncated", "malformed",
"oversized") lets the endpoint act (a create makes its job) and spoils its answer.
Every request is kept in `requests` (fake_http.Request); what a real server would refuse is
also appended to `violations`. reset() forgets every job, fault and request.

Run alone: python3 fake_leonardo.py --key KEY (prints the base URL).
"""
import argparse
import datetime
import json
import os
import re
import sys
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fake_http import Reply  # noqa: E402
from fake_jobs import JobFake, is_int, serve  # noqa: E402

PHOENIX_1_0 = "de7d3faf-762f-48e0-b3b7-9d0ac3a3fcf3"
PHOENIX_0_9 = "6b645e3a-d64f-4341-a6d8-7a3690fbf042"
UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                     r"[0-9a-fA-F]{12}$")
VIDEO_MODELS = {"MOTION2", "MOTION2FAST", "VEO3", "VEO3FAST", "KLING2_1", "KLING2_5"}
MOTION2_MODELS = {"MOTION2", "MOTION2FAST"}
RESOLUTIONS = {"RESOLUTION_480", "RESOLUTION_720", "RESOLUTION_1080"}
CONTRASTS = {1.0, 1.3, 1.8, 2.5, 3, 3.5, 4, 4.5}
EXTENSIONS = {"png", "jpg", "jpeg", "webp"}

# The body fields each create endpoint knows (SDK outbound schemas); others are refused.
IMAGE_FIELDS = {"prompt", "negative_prompt", "modelId", "width", "height", "num_images",
                "guidance_scale", "num_inference_steps", "init_image_id",
                "init_generation_image_id", "init_strength", "sd_version", "alchemy",
                "presetStyle", "contrast", "styleUUID", "enhancePrompt", "ultra", "photoReal",
                "public", "seed", "scheduler", "tiling", "transparency"}
VIDEO_FIELDS = {"prompt", "negativePrompt", "model", "resolution", "width", "height",
                "duration", "seed", "isPublic", "promptEnhance", "promptEnhanceInstruction",
                "styleIds", "elements", "frameInterpolation"}
IMAGE_VIDEO_FIELDS = VIDEO_FIELDS | {"imageId", "imageType", "endFrameImage"}
UPSCALE_FIELDS = {"sourceGenerationId", "resolution"}

# Endpoint names for fault(): (method, path pattern).
ENDPOINTS = [
    ("create_image", "POST", re.compile(r"^/generations$")),
    ("create_text_video", "POST", re.compile(r"^/generations-text-to-video$")),
    ("create_image_video", "POST", re.compile(r"^/generations-image-to-video$")),
    ("create_upscale", "POST", re.compile(r"^/generations-video-upscale$")),
    ("init_image", "POST", re.compile(r"^/init-image$")),
    ("upload", "POST", re.compile(r"^/presigned-upload/([^/]+)$")),
    ("user_generations", "GET", re.compile(r"^/generations/user/([^/]+)$")),
    ("poll", "GET", re.compile(r"^/generations/([^/]+)$")),
    ("variation", "GET", re.compile(r"^/motion-variations/([^/]+)$")),
    ("delete", "DELETE", re.compile(r"^/generations/([^/]+)$")),
    ("me", "GET", re.compile(r"^/me$")),
]
CREATES = {"create_image", "create_text_video", "create_image_video", "create_upscale"}


def now_text():
    """Hasura's timestamp form as Leonardo answers it: UTC, milliseconds, no zone."""
    t = datetime.datetime.now(datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03d" % (t.microsecond // 1000)


def is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def error_body(message, code="unexpected"):
    return json.dumps({"error": message, "path": "$", "code": code}).encode()


def parse_multipart(body, content_type):
    """Returns ([(name, filename or None, headers dict, bytes)], problem or None)."""
    m = re.match(r'^multipart/form-data;\s*boundary="?([^";]+)"?$', content_type or "")
    if not m:
        return None, "the content type is not multipart/form-data with a boundary"
    delim = b"--" + m.group(1).encode()
    if not body.startswith(delim + b"\r\n"):
        return None, "the body does not start with the boundary"
    end = body.rfind(b"\r\n" + delim + b"--")
    if end < 0 or body[end + len(delim) + 4:] not in (b"\r\n", b""):
        return None, "the body does not end with the closing boundary"
    parts = []
    for chunk in body[len(delim) + 2:end].split(b"\r\n" + delim + b"\r\n"):
        head, sep, data = chunk.partition(b"\r\n\r\n")
        if not sep:
            return None, "a part has no header block"
        headers = {}
        for line in head.decode("latin-1").split("\r\n"):
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
        disp = headers.get("content-disposition", "")
        nm = re.search(r'(?:^|;)\s*name="([^"]*)"', disp)
        fn = re.search(r'filename="([^"]*)"', disp)
        if not disp.startswith("form-data") or not nm:
            return None, "a part has no form-data name"
        parts.append((nm.group(1), fn.group(1) if fn else None, headers, data))
    return parts, None


REFUSALS = {  # kind: status, message, code
    "401": (401, "Invalid response from authorization hook", "access-denied"),
    "403": (403, "Authentication hook unauthorized this request", "access-denied"),
    "400": (400, "Your request is invalid: content moderation", "unexpected"),
    "404": (404, "not found", "not-found"),
    "429": (429, "Too many requests", "rate-limited"),
    "500": (500, "internal error", "unexpected"),
    "503": (503, "service unavailable", "unexpected"),
}


class FakeLeonardo(JobFake):
    default_drip = 0.2

    def __init__(self, key, polls_to_complete=2):
        super().__init__(key)
        self.polls_to_complete = polls_to_complete

    def reset(self, polls_to_complete=2):
        """Forgets every job, fault and request (one server can serve many tests)."""
        super().reset()
        with self.lock:
            self.polls_to_complete = polls_to_complete
            self.job_mode = "ok"
            self.cost_mode = "dollars"
            self.user_id = "user-0000-fake"
            self.username = "fake-shop"
            self.jobs = {}         # generation id -> job dict
            self.variations = {}   # variation id -> dict
            self.init_images = {}  # id -> {"extension", "fields", "bytes" (None until sent)}
            self.generated_images = {"gen-image-0001"}  # image ids GENERATED accepts
            self.created_at_suffix = ""  # "", "Z", "+00:00", "+00": how createdAt ends

    @property
    def base_url(self):
        return self.http.url("")

    def fault(self, endpoint, kind, times=None):
        assert endpoint in dict((e[0], 1) for e in ENDPOINTS), endpoint
        if kind in ("500_once", "503_once"):
            kind, times = kind[:3], 1
        elif kind.startswith("500_n:"):
            kind, times = "500", int(kind.split(":")[1])
        super().fault(endpoint, kind, times)

    def count(self, method, path):
        return sum(1 for r in self.requests
                   if r.method == method and r.path.split("?", 1)[0] == path)

    def seen(self, endpoint):
        """The requests that reached an endpoint (by its name in ENDPOINTS)."""
        return [r for r in self.requests if self._route(r)[0] == endpoint]

    def add_job(self, kind="text_to_video", status="COMPLETE", prompt="seeded", **extra):
        """A job the fake already holds (for poll, upscale and reconcile tests)."""
        gid = str(uuid.uuid4())
        with self.lock:
            self.jobs[gid] = dict(id=gid, kind=kind, prompt=prompt, status=status, polls=0,
                                  createdAt=now_text(), modelId=None, width=1280, height=720,
                                  mode=self.job_mode, **extra)
        return gid

    # ---- dispatch ----------------------------------------------------------------------

    @staticmethod
    def _route(r):
        path = r.path.split("?", 1)[0]
        for name, method, pattern in ENDPOINTS:
            m = pattern.match(path)
            if m and method == r.method:
                return name, m
        return None, None

    def _refuse(self, why, status=400, code="validation-failed"):
        self.refuse(why)
        return Reply(status, {"Content-Type": "application/json"}, error_body(why, code))

    @staticmethod
    def _json(obj, status=200):
        return Reply(status, {"Content-Type": "application/json"}, json.dumps(obj).encode())

    def refusal(self, kind):
        if kind == "401_echo":
            return Reply(401, {"Content-Type": "application/json"},
                         error_body("Invalid response from authorization hook for key "
                                    + self.key, "access-denied"))
        if kind not in REFUSALS:
            return None
        status, message, code = REFUSALS[kind]
        headers = {"Content-Type": "application/json"}
        if status == 429:
            headers["Retry-After"] = "1"
        return Reply(status, headers, error_body(message, code))

    def _handle(self, r):
        name, m = self._route(r)
        if name is None:
            return Reply(404, {"Content-Type": "application/json"},
                         error_body("no route for %s %s" % (r.method, r.path), "not-found"))
        if name == "upload":
            problem = self._check_upload(r, m.group(1))
            if problem:
                return self._refuse(problem, 400, "upload")
            return self.faulted(name, lambda kind: Reply(204))
        # the API itself: key, accept, JSON body
        if r.headers.get("authorization") != "Bearer " + self.key:
            return Reply(401, {"Content-Type": "application/json"},
                         error_body("Invalid response from authorization hook", "unexpected"))
        if "application/json" not in r.headers.get("accept", ""):
            return self._refuse("accept is not application/json")
        body = None
        if r.method == "POST":
            if not r.headers.get("content-type", "").startswith("application/json"):
                return self._refuse("content-type is not application/json")
            try:
                body = json.loads(r.body)
            except ValueError:
                return self._refuse("the body is not JSON")
            if not isinstance(body, dict):
                return self._refuse("the body is not a JSON object")
        elif r.body:
            return self._refuse("a %s with a body" % r.method)
        handler = getattr(self, "_do_" + name)
        return handler(r, m, body)

    # ---- creates -------------------------------------------------------------------------

    def _cost(self):
        if self.cost_mode == "dollars":
            return {"cost": {"amount": "0.0125", "unit": "DOLLARS"}, "apiCreditCost": 11}
        if self.cost_mode == "credits":
            return {"cost": {"amount": "24", "unit": "CREDITS"}}
        if self.cost_mode == "legacy":
            return {"apiCreditCost": 17}
        return {}

    def _create(self, name, answer_key, answer, store):
        """Makes the job (store() keeps it) unless the fault says none was made, and answers
        {answer_key: answer plus the cost}."""
        def act(kind):
            with self.lock:
                store()
            out = dict(answer)
            out.update(self._cost())
            return self._json({answer_key: out})
        return self.faulted(name, act)

    def _create_job(self, name, answer_key, job):
        return self._create(name, answer_key, {"generationId": job["id"]},
                            lambda: self.jobs.__setitem__(job["id"], job))

    def _new_job(self, kind, prompt, **extra):
        gid = str(uuid.uuid4())
        return dict(id=gid, kind=kind, prompt=prompt, status="PENDING", polls=0,
                    createdAt=now_text(), mode=self.job_mode, **extra)

    def _do_create_image(self, r, m, b):
        extra = set(b) - IMAGE_FIELDS
        if extra:
            return self._refuse("unknown fields %s" % sorted(extra))
        if not isinstance(b.get("prompt"), str) or not b["prompt"]:
            return self._refuse("prompt must be a non-empty string")
        model = b.get("modelId")
        if model is not None and (not isinstance(model, str) or not UUID_RE.match(model)):
            return self._refuse("modelId must be a UUID string")
        for k in ("width", "height"):
            v = b.get(k, 1024)
            if not is_int(v) or not 32 <= v <= 1536 or v % 8:
                return self._refuse("%s must be an integer 32..1536, a multiple of 8" % k)
        n = b.get("num_images", 4)
        big = b.get("width", 1024) > 768 or b.get("height", 1024) > 768
        if not is_int(n) or not 1 <= n <= (4 if big else 8):
            return self._refuse("num_images is out of range")
        if "negative_prompt" in b and not isinstance(b["negative_prompt"], str):
            return self._refuse("negative_prompt must be a string")
        if "seed" in b and not is_int(b["seed"]):
            return self._refuse("seed must be an integer")
        if "public" in b and not isinstance(b["public"], bool):
            return self._refuse("public must be a boolean")
        if "contrast" in b and (not is_num(b["contrast"]) or b["contrast"] not in CONTRASTS):
            return self._refuse("contrast must be one of %s" % sorted(CONTRASTS))
        if model in (PHOENIX_1_0, PHOENIX_0_9) and "contrast" not in b:
            return self._refuse("Phoenix needs contrast")
        job = self._new_job("text_to_image", b["prompt"], modelId=model,
                            width=b.get("width", 1024), height=b.get("height", 1024))
        return self._create_job("create_image", "sdGenerationJob", job)

    def _check_video(self, b, fields, needs_image):
        extra = set(b) - fields
        if extra:
            return "unknown fields %s" % sorted(extra)
        if not isinstance(b.get("prompt"), str) or not b["prompt"]:
            return "prompt must be a non-empty string"
        model = b.get("model", "MOTION2")
        if model not in VIDEO_MODELS:
            return "model must be one of %s" % sorted(VIDEO_MODELS)
        res = b.get("resolution", "RESOLUTION_480")
        if res not in RESOLUTIONS:
            return "resolution must be one of %s" % sorted(RESOLUTIONS)
        if model in MOTION2_MODELS and res == "RESOLUTION_1080":
            return "MOTION2 supports RESOLUTION_480 and RESOLUTION_720"
        if model in MOTION2_MODELS and "duration" in b:
            return "MOTION2 takes no duration"
        for k in ("width", "height", "duration", "seed"):
            if k in b and not is_int(b[k]):
                return "%s must be an integer" % k
        for k in ("negativePrompt",):
            if k in b and not isinstance(b[k], str):
                return "%s must be a string" % k
        if "isPublic" in b and not isinstance(b["isPublic"], bool):
            return "isPublic must be a boolean"
        if needs_image:
            if not isinstance(b.get("imageId"), str) or not b["imageId"]:
                return "imageId must be a non-empty string"
            if b.get("imageType") not in ("GENERATED", "UPLOADED"):
                return "imageType must be GENERATED or UPLOADED"
        return None

    def _do_create_text_video(self, r, m, b):
        problem = self._check_video(b, VIDEO_FIELDS, False)
        if problem:
            return self._refuse(problem)
        job = self._new_job("text_to_video", b["prompt"], modelId=None,
                            width=b.get("width", 832), height=b.get("height", 480))
        return self._create_job("create_text_video", "motionVideoGenerationJob", job)

    def _do_create_image_video(self, r, m, b):
        problem = self._check_video(b, IMAGE_VIDEO_FIELDS, True)
        if problem:
            return self._refuse(problem)
        image_id, image_type = b["imageId"], b["imageType"]
        with self.lock:
            init = self.init_images.get(image_id)
        if image_type == "UPLOADED" and (init is None or init["bytes"] is None):
            return Reply(400, {"Content-Type": "application/json"},
                         error_body("init image %s was not uploaded" % image_id, "unexpected"))
        if image_type == "GENERATED" and image_id not in self.generated_images:
            return Reply(400, {"Content-Type": "application/json"},
                         error_body("no generated image %s" % image_id, "unexpected"))
        job = self._new_job("image_to_video", b["prompt"], modelId=None, width=1280,
                            height=720, imageId=image_id)
        return self._create_job("create_image_video", "motionVideoGenerationJob", job)

    def _do_create_upscale(self, r, m, b):
        extra = set(b) - UPSCALE_FIELDS
        if extra:
            return self._refuse("unknown fields %s" % sorted(extra))
        if b.get("resolution") != "RESOLUTION_720":
            return self._refuse("resolution must be RESOLUTION_720")
        src = b.get("sourceGenerationId")
        if not isinstance(src, str):
            return self._refuse("sourceGenerationId must be a string")
        with self.lock:
            source = self.jobs.get(src)
        if not source or source["kind"] == "text_to_image" or source["status"] != "COMPLETE":
            return Reply(400, {"Content-Type": "application/json"},
                         error_body("no finished video generation %s" % src, "unexpected"))
        vid = str(uuid.uuid4())
        variation = dict(id=vid, status="PENDING", polls=0, createdAt=now_text(), source=src,
                         mode=self.job_mode)
        return self._create("create_upscale", "motionVideoGenerationJob",
                            {"generationId": src, "variationId": vid},
                            lambda: self.variations.__setitem__(vid, variation))

    def _do_init_image(self, r, m, b):
        return self.faulted("init_image", lambda kind: self._init_image(b))

    def _init_image(self, b):
        if set(b) != {"extension"} or b["extension"] not in EXTENSIONS:
            return self._refuse("invalid file extension", 400, "unexpected")
        iid = str(uuid.uuid4())
        fields = {"Content-Type": "image/" + ("jpeg" if b["extension"] in ("jpg", "jpeg")
                                              else b["extension"]),
                  "bucket": "fake-leonardo-uploads",
                  "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
                  "X-Amz-Credential": "FAKEACCESSKEY/20250101/us-west-2/s3/aws4_request",
                  "X-Amz-Date": "20250101T000000Z",
                  "key": "init/%s.%s" % (iid, b["extension"]),
                  "Policy": "eyJmYWtlIjogInBvbGljeSJ9",
                  "X-Amz-Signature": "0123456789abcdef" * 4}
        with self.lock:
            self.init_images[iid] = {"extension": b["extension"], "fields": fields,
                                     "bytes": None}
        return self._json({"uploadInitImage": {
            "id": iid, "url": self.http.url("/presigned-upload/" + iid),
            "key": fields["key"], "fields": json.dumps(fields)}})

    def _check_upload(self, r, iid):
        """Returns a problem with a presigned upload, or None (and keeps the bytes)."""
        with self.lock:
            init = self.init_images.get(iid)
        if init is None:
            return "no presigned upload %s" % iid
        if "authorization" in r.headers:
            return "the presigned upload carried an authorization header"
        parts, problem = parse_multipart(r.body, r.headers.get("content-type"))
        if problem:
            return problem
        names = [p[0] for p in parts]
        if len(set(names)) != len(names):
            return "a form field appears twice"
        if not names or names[-1] != "file" or parts[-1][1] is None:
            return "the file part must come last, named file, with a filename"
        got = {p[0]: p[3].decode("utf-8") for p in parts[:-1]}
        if got != init["fields"]:
            return "the form fields differ from the presigned fields: %r" % sorted(got)
        with self.lock:
            init["bytes"] = parts[-1][3]
            init["file_headers"] = parts[-1][2]
        return None

    # ---- reads ------------------------------------------------------------------------------

    def _advance(self, job):
        """One poll of a job: PENDING for polls_to_complete polls, then as its mode says."""
        with self.lock:
            job["polls"] += 1
            if job["status"] != "PENDING" or job["mode"] == "pending_forever":
                return
            if job["polls"] >= self.polls_to_complete:
                job["status"] = {"failed": "FAILED",
                                 "unknown_status": "PROCESSING"}.get(job["mode"], "COMPLETE")

    def _generation(self, job):
        video = job["kind"] != "text_to_image"
        images = []
        if job["status"] == "COMPLETE" and job["mode"] != "no_url":
            img = {"id": "img-" + job["id"][:8], "nsfw": False, "likeCount": 0,
                   "generated_image_variation_generics": [],
                   "url": "https://cdn.fake-leonardo.test/%s/%s" % (
                       job["id"], "thumb.jpg" if video else "image.png"),
                   "motionMP4URL": ("https://cdn.fake-leonardo.test/%s/video.mp4" % job["id"])
                   if video else None}
            images.append(img)
        return {"id": job["id"], "status": job["status"],
                "createdAt": job["createdAt"] + self.created_at_suffix,
                "prompt": job["prompt"], "negativePrompt": None, "modelId": job.get("modelId"),
                "imageWidth": job.get("width"), "imageHeight": job.get("height"),
                "public": False, "generated_images": images, "generation_elements": []}

    def _do_poll(self, r, m, b):
        return self.faulted("poll", lambda kind: self._poll(m.group(1), kind))

    def _poll(self, gid, kind):
        with self.lock:
            job = self.jobs.get(gid)
        if job is None or kind == "null":
            return self._json({"generations_by_pk": None})
        self._advance(job)
        return self._json({"generations_by_pk": self._generation(job)})

    def _do_variation(self, r, m, b):
        return self.faulted("variation", lambda kind: self._variation(m))

    def _variation(self, m):
        with self.lock:
            v = self.variations.get(m.group(1))
        if v is None:
            return self._json({"generated_image_variation_motion": []})
        self._advance(v)
        item = {"id": v["id"], "createdAt": v["createdAt"], "status": v["status"],
                "motionTransformType": "UPSCALE", "resolution": "RESOLUTION_720",
                "url": "https://cdn.fake-leonardo.test/%s/upscaled.mp4" % v["id"]
                if v["status"] == "COMPLETE" and v["mode"] != "no_url" else None}
        return self._json({"generated_image_variation_motion": [item]})

    def _do_delete(self, r, m, b):
        return self.faulted("delete", lambda kind: self._delete(m))

    def _delete(self, m):
        with self.lock:
            job = self.jobs.pop(m.group(1), None)
        return self._json({"delete_generations_by_pk": {"id": job["id"]} if job else None})

    def _do_me(self, r, m, b):
        return self.faulted("me", lambda kind: self._me())

    def _me(self):
        body = {"user_details": [{
            "user": {"id": self.user_id, "username": self.username},
            "apiConcurrencySlots": 10, "apiPaidTokens": 1200, "apiSubscriptionTokens": 34,
            "apiPlanTokenRenewalDate": None, "paidTokens": 0, "subscriptionTokens": 150,
            "subscriptionGptTokens": 0, "subscriptionModelTokens": 0,
            "tokenRenewalDate": None}]}
        return self._json(body)

    def _do_user_generations(self, r, m, b):
        return self.faulted("user_generations", lambda kind: self._user_generations(r, m))

    def _user_generations(self, r, m):
        query = dict(p.split("=", 1) for p in r.path.partition("?")[2].split("&") if "=" in p)
        if m.group(1) != self.user_id:
            return self._json({"generations": []})
        try:
            offset, limit = int(query.get("offset", "0")), int(query.get("limit", "10"))
        except ValueError:
            return self._refuse("offset and limit must be integers")
        with self.lock:
            jobs = sorted(self.jobs.values(), key=lambda j: j["createdAt"], reverse=True)
            # the source of an upscale is a generation too; variations are not listed
            listed = [self._generation(j) for j in jobs[offset:offset + limit]]
        return self._json({"generations": listed})


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--key", required=True)
    ap.add_argument("--polls", type=int, default=2)
    args = ap.parse_args()
    serve(FakeLeonardo(args.key, args.polls))


if __name__ == "__main__":
    main()
