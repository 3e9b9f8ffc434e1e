# SPDX-License-Identifier: MIT
"""A loopback fake of the Pollo AI API (docs/providers.md §5), on tests/fakes/fake_http.py.

Endpoints, under the base URL (the real one is https://pollo.ai/api/platform):
  POST /v1/generation/{brand}/{model}/video   creates a task: {"taskId", "status": "waiting"}
  GET  /generation/{taskId}/status            {"taskId", "credit", "generations": [{id,
                                              status, failMsg, url, mediaType, createdDate,
                                              updatedDate}]}; 404 for an unknown task
  GET  /credit/balance                        {"availableCredits", "totalCredits"}

It checks what the real API checks: the x-api-key header (401 without the right key), the
method and the path, a JSON body {"input": {...}, "webhookUrl"?} with the model's input fields
and their types (prompt a non-empty string of at most 2500 characters, image an http(s) URL,
duration the integer 5 or 10, negativePrompt a string, mode "std" or "pro"), and no field the
model does not have. A refused request is answered 400 (404 for an unknown model) with
{"message", "code"} and recorded in FakePollo.violations.

Each status request advances a task one step along FakePollo.steps (by default waiting, then
processing, then succeed; ["waiting"] keeps it pending forever; ending in "failed" fails it
with failMsg FAIL_MSG).

The server, faults and spoilt answers are fake_jobs.JobFake's: fault(route, kind, times=None)
on the routes "create", "status" and "balance". Refusing before acting: "unauthorized" (401),
"rate_limited" (429 with Retry-After: 1), "server_error" (500), "unavailable" (503). Acting,
then spoiling the answer: fake_jobs.SPOILERS ("lost", "timeout", "drip", "truncated",
"malformed", "oversized"), and Pollo's own: "no_task_id" (a create answer without taskId),
"unknown_status" (a status the docs do not list), "wrapped" (the answer inside {"code",
"message", "data"}). A create spoilt after acting still made its task: a real server would
have.

sign_webhook() signs a webhook delivery as Pollo does (docs.pollo.ai/webhooks), with the
secret's bytes or, for a "whsec_" secret, its Base64-decoded bytes.

Run alone: python3 fake_pollo.py --key KEY (prints the base URL).
"""
import argparse
import base64
import hashlib
import hmac
import itertools
import json
import re

from fake_http import Reply
from fake_jobs import JobFake, json_reply, serve

CREATE_RE = re.compile(r"^/v1/generation/([a-z0-9.-]+)/([a-z0-9.-]+)/video$")
STATUS_RE = re.compile(r"^/generation/([^/]+)/status$")
BALANCE_PATH = "/credit/balance"
FAIL_MSG = "The prompt was flagged by the content filter"
REFUSING = {"unauthorized": (401, "API key expired", "UNAUTHORIZED"),
            "rate_limited": (429, "Too many requests", "TOO_MANY_REQUESTS"),
            "server_error": (500, "Internal server error", "INTERNAL_SERVER_ERROR"),
            "unavailable": (503, "Service unavailable", "SERVICE_UNAVAILABLE")}

# The input fields of each model the fake serves, with the credits a 5 s video costs.
MODELS = {
    "kling-ai/kling-v1-5": ({"image", "prompt", "negativePrompt", "imageTail", "duration",
                             "mode", "strength"}, 20),
    "kling-ai/kling-v2-6": ({"image", "prompt", "duration", "generateAudio"}, 30.5),
}


def sign_webhook(secret, webhook_id, timestamp, body):
    """The X-Webhook-Signature of a delivery: Base64 HMAC-SHA256 of "id.timestamp.body".
    A secret starting with "whsec_" is Base64-decoded first (Standard Webhooks style)."""
    if isinstance(body, str):
        body = body.encode()
    key = (base64.b64decode(secret[len("whsec_"):]) if secret.startswith("whsec_")
           else secret.encode())
    content = ("%s.%s." % (webhook_id, timestamp)).encode() + body
    return base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode()


def webhook_body(task_id, status="succeed", url="https://cdn.pollo.test/out/v.mp4",
                 fail_msg=""):
    """A delivery's payload as the status endpoint shapes a task."""
    gen = {"id": "gen-" + task_id, "status": status, "failMsg": fail_msg,
           "url": url if status == "succeed" else "", "mediaType": "video"}
    return json.dumps({"taskId": task_id, "status": status, "generations": [gen]},
                      separators=(",", ":"))


def error(status, message, code, headers=None):
    return json_reply(status, {"message": message, "code": code}, headers=headers)


class FakePollo(JobFake):
    def __init__(self, key):
        self._ids = itertools.count(1)
        super().__init__(key)

    def reset(self):
        """Back to a healthy server with no tasks and no requests seen (task ids go on)."""
        super().reset()
        with self.lock:
            self.steps = ["waiting", "processing", "succeed"]
            self.tasks = {}         # taskId -> {"model", "body", "polls"}

    def requests_to(self, kind):
        """The requests of one kind: "create", "status" or "balance"."""
        return [r for r in self.http.requests if self._kind(r.path) == kind]

    def json_of(self, request):
        return json.loads(request.body)

    # ---- one request ----------------------------------------------------------------------

    @staticmethod
    def _kind(path):
        path = path.split("?", 1)[0]
        if CREATE_RE.match(path):
            return "create"
        if STATUS_RE.match(path):
            return "status"
        if path == BALANCE_PATH:
            return "balance"
        return None

    def _refuse(self, why, status=400, code="BAD_REQUEST"):
        self.refuse(why)
        return error(status, why, code)

    def refusal(self, kind):
        if kind not in REFUSING:
            return None
        status, message, code = REFUSING[kind]
        return error(status, message, code, {"Retry-After": "1"} if status == 429 else None)

    def _handle(self, req):
        path = req.path.split("?", 1)[0]
        kind = self._kind(path)
        if kind is None:
            return error(404, "Not found", "NOT_FOUND")
        want = "POST" if kind == "create" else "GET"
        if req.method != want:
            return self._refuse("method %s not allowed on %s" % (req.method, path), 405,
                                "METHOD_NOT_SUPPORTED")
        key = req.headers.get("x-api-key")
        if key != self.key:
            return error(401, "Invalid API key" if key else "Missing API key", "UNAUTHORIZED")
        return self.faulted(kind, lambda fault: self._act(req, path, kind, fault))

    def _act(self, req, path, kind, fault):
        if kind == "create":
            status, answer = self._create(req, CREATE_RE.match(path))
        elif kind == "status":
            status, answer = self._status(STATUS_RE.match(path).group(1), fault)
        else:
            status, answer = 200, {"availableCredits": 1234.5, "totalCredits": 2000}
        if isinstance(answer, Reply):
            return answer
        if fault == "no_task_id" and kind == "create":
            answer.pop("taskId", None)
        if fault == "wrapped":
            answer = {"code": "SUCCESS", "message": "success", "data": answer}
        return json_reply(status, answer)

    def _create(self, req, m):
        model = m.group(1) + "/" + m.group(2)
        if model not in MODELS:
            return 0, error(404, "Model %s not found" % model, "NOT_FOUND")
        if not req.headers.get("content-type", "").startswith("application/json"):
            return 0, self._refuse("Content-Type is not application/json")
        try:
            body = json.loads(req.body)
        except ValueError:
            return 0, self._refuse("the body is not JSON")
        problem = self._check_body(body, MODELS[model][0])
        if problem:
            return 0, self._refuse(problem)
        task_id = "pollo-task-%04d" % next(self._ids)
        with self.lock:
            self.tasks[task_id] = {"model": model, "body": body, "polls": 0}
        return 200, {"taskId": task_id, "status": "waiting"}

    @staticmethod
    def _check_body(body, fields):
        if not isinstance(body, dict):
            return "the body is not an object"
        extra = set(body) - {"input", "webhookUrl"}
        if extra:
            return "unknown fields %s" % sorted(extra)
        inp = body.get("input")
        if not isinstance(inp, dict):
            return "input is required and must be an object"
        hook = body.get("webhookUrl")
        if hook is not None and (not isinstance(hook, str) or not hook.startswith("https://")):
            return "webhookUrl must be an https URL"
        extra = set(inp) - fields
        if extra:
            return "input: unknown fields %s" % sorted(extra)
        prompt = inp.get("prompt")
        if not isinstance(prompt, str) or not prompt or len(prompt) > 2500:
            return "input.prompt must be a string of 1 to 2500 characters"
        image = inp.get("image")
        if image is not None and (not isinstance(image, str)
                                  or not re.match(r"^https?://\S+$", image)):
            return "input.image must be an image URL"
        duration = inp.get("duration", 5)
        if type(duration) is not int or duration not in (5, 10):
            return "input.duration must be the integer 5 or 10"
        neg = inp.get("negativePrompt")
        if neg is not None and not isinstance(neg, str):
            return "input.negativePrompt must be a string"
        mode = inp.get("mode")
        if mode is not None and mode not in ("std", "pro"):
            return "input.mode must be std or pro"
        return None

    def _status(self, task_id, fault):
        with self.lock:
            task = self.tasks.get(task_id)
            if task is None:
                return 0, error(404, "Task %s not found" % task_id, "NOT_FOUND")
            step = self.steps[min(task["polls"], len(self.steps) - 1)]
            task["polls"] += 1
            duration = task["body"]["input"].get("duration", 5)
            credit = MODELS[task["model"]][1] * duration / 5
        if fault == "unknown_status":
            step = "queued_somewhere"
        gen = {"id": "gen-" + task_id, "status": step,
               "failMsg": FAIL_MSG if step == "failed" else "",
               "url": "https://cdn.pollo.test/out/%s.mp4" % task_id if step == "succeed" else "",
               "mediaType": "video", "createdDate": "2026-01-02T03:04:05.000Z",
               "updatedDate": "2026-01-02T03:04:%02d.000Z" % min(task["polls"], 59)}
        return 200, {"taskId": task_id, "credit": credit, "generations": [gen]}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--key", required=True)
    args = ap.parse_args()
    serve(FakePollo(args.key))


if __name__ == "__main__":
    main()
