# SPDX-License-Identifier: MIT
"""A loopback fake of Gemini's batchEmbedContents and generateContent (docs/providers.md
§2.1-§2.3).

It checks what the real API checks (POST, the path, the x-goog-api-key header, the JSON body's
shape and types, each request's model equal to the URL's, taskType, outputDimensionality) and
answers vectors derived from the text (a signed bag of hashed words), so identical texts give
identical vectors and texts sharing most words give close ones.

Fault modes (FakeGemini.mode): "ok", "unauthorized" (401 UNAUTHENTICATED),
"api_key_invalid" (400 INVALID_ARGUMENT, reason API_KEY_INVALID), "rate_limited" (429
RESOURCE_EXHAUSTED with Retry-After: 1, always), "flaky" (500 INTERNAL on the first call, then
OK), "malformed" (a truncated JSON body), "wrong_count" (one embedding too few),
"wrong_dimension" (vectors one value short).

generateContent (moderation when generationConfig.responseMimeType is "application/json",
enhancement otherwise) checks contents[].parts[] (a text, and optionally inline_data
{mime_type, data} whose base64 must decode; the bytes are kept in FakeGemini.images),
systemInstruction and generationConfig, and answers by rules on the prompt text: "knife
attack" gives the verdict {"allowed": false, "reason": "violence"}, "trigger-block" a
promptFeedback.blockReason SAFETY with no candidates, "trigger-finish" a candidate with
finishReason SAFETY and no content, "trigger-odd-reason" a verdict with an unknown reason,
anything else allowed; enhancement answers "Enhanced: <prompt>" split over two parts and
padded with white space. Extra modes for it: "empty" (a candidate with no text),
"bad_verdict" (a verdict that is not JSON).

Run alone: python3 fake_gemini.py --key KEY [--mode MODE] (prints the base URL).
"""
import argparse
import base64
import binascii
import hashlib
import json
import math
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PATH_RE = re.compile(r"^/v1beta/models/([A-Za-z0-9._-]+):(batchEmbedContents|generateContent)$")
TASK_TYPES = {"TASK_TYPE_UNSPECIFIED", "RETRIEVAL_QUERY", "RETRIEVAL_DOCUMENT",
              "SEMANTIC_SIMILARITY", "CLASSIFICATION", "CLUSTERING", "QUESTION_ANSWERING",
              "FACT_VERIFICATION", "CODE_RETRIEVAL_QUERY"}
MAX_BATCH = 100
DEFAULT_DIMENSION = 3072


def vector_for(text, dimension):
    """The fake's embedding of a text: each word adds +-1 at a hashed position, plus a
    small constant so that no vector is all zeros. Not normalised (the client must do it)."""
    v = [0.0] * dimension
    for word in text.split():
        h = hashlib.sha256(word.encode("utf-8")).digest()
        i = int.from_bytes(h[:4], "little") % dimension
        v[i] += 3.0 if h[4] & 1 else -3.0
    v[0] += 0.5
    return v


def normalised(v):
    n = math.sqrt(sum(x * x for x in v))
    return [x / n for x in v]


def error_body(code, status, message, reason=None):
    err = {"code": code, "message": message, "status": status}
    if reason:
        err["details"] = [{"@type": "type.googleapis.com/google.rpc.ErrorInfo",
                           "reason": reason, "domain": "googleapis.com"}]
    return json.dumps({"error": err}).encode()


class FakeGemini:
    def __init__(self, key, mode="ok"):
        self.key = key
        self.mode = mode
        self.requests = []     # every request seen: method, path, headers, json
        self.violations = []   # what a real server would have refused
        self.images = []       # (mime_type, bytes) of every inline image received
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                fake._handle(self, "GET")

            def do_POST(self):
                fake._handle(self, "POST")

            def do_PUT(self):
                fake._handle(self, "PUT")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self):
        return "http://127.0.0.1:%d" % self.server.server_address[1]

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # ---- one request ----------------------------------------------------------------------

    def _send(self, h, code, body, extra=()):
        h.send_response(code)
        h.send_header("Content-Type", "application/json; charset=UTF-8")
        h.send_header("Content-Length", str(len(body)))
        for name, value in extra:
            h.send_header(name, value)
        h.end_headers()
        h.wfile.write(body)

    def _refuse(self, h, why, code=400, status="INVALID_ARGUMENT", reason=None):
        with self.lock:
            self.violations.append(why)
        self._send(h, code, error_body(code, status, why, reason))

    def _handle(self, h, method):
        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        with self.lock:
            self.requests.append({"method": method, "path": h.path,
                                  "headers": {k.lower(): v for k, v in h.headers.items()},
                                  "json": body, "raw": raw})
            calls = len(self.requests)
        m = PATH_RE.match(h.path)
        if not m:
            return self._refuse(h, "no such path: " + h.path, 404, "NOT_FOUND")
        if method != "POST":
            return self._refuse(h, "method %s not allowed" % method, 405, "INVALID_ARGUMENT")
        key = h.headers.get("x-goog-api-key")
        if key is None:
            return self._refuse(h, "Method doesn't allow unregistered callers", 403,
                                "PERMISSION_DENIED")
        if key != self.key:
            return self._refuse(h, "API key not valid. Please pass a valid API key.", 400,
                                "INVALID_ARGUMENT", "API_KEY_INVALID")
        ctype = h.headers.get("Content-Type", "")
        if not ctype.startswith("application/json"):
            return self._refuse(h, "Content-Type is %r, not application/json" % ctype)
        if m.group(2) == "generateContent":
            problem = self._check_generate(body)
        else:
            problem, dims = self._check_body(body, "models/" + m.group(1))
        if problem:
            return self._refuse(h, problem)

        mode = self.mode
        if mode == "unauthorized":
            return self._send(h, 401, error_body(401, "UNAUTHENTICATED",
                                                 "Request had invalid authentication credentials."))
        if mode == "api_key_invalid":
            return self._send(h, 400, error_body(400, "INVALID_ARGUMENT",
                                                 "API key not valid. Please pass a valid API key.",
                                                 "API_KEY_INVALID"))
        if mode == "rate_limited":
            return self._send(h, 429, error_body(429, "RESOURCE_EXHAUSTED",
                                                 "You exceeded your current quota."),
                              [("Retry-After", "1")])
        if mode == "flaky" and calls == 1:
            return self._send(h, 500, error_body(500, "INTERNAL", "An internal error has occurred."))
        if m.group(2) == "generateContent":
            return self._generate(h, body, mode)
        texts = [r["content"]["parts"][0]["text"] for r in body["requests"]]
        embeddings = [{"values": vector_for(t, d)} for t, d in zip(texts, dims)]
        if mode == "wrong_count":
            embeddings = embeddings[:-1]
        if mode == "wrong_dimension":
            embeddings = [{"values": e["values"][:-1]} for e in embeddings]
        out = json.dumps({"embeddings": embeddings}).encode()
        if mode == "malformed":
            out = out[: len(out) // 2]
        self._send(h, 200, out)

    def _generate(self, h, body, mode):
        parts = body["contents"][0]["parts"]
        text = "".join(p.get("text", "") for p in parts)
        for p in parts:
            if "inline_data" in p:
                with self.lock:
                    self.images.append((p["inline_data"]["mime_type"],
                                        base64.b64decode(p["inline_data"]["data"],
                                                         validate=True)))
        moderation = body.get("generationConfig", {}).get("responseMimeType") == \
            "application/json"
        ratings = [{"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "probability": "NEGLIGIBLE"}]
        if "trigger-block" in text:
            out = {"promptFeedback": {"blockReason": "SAFETY", "safetyRatings": [
                {"category": "HARM_CATEGORY_SEXUALLY_EXPLICIT", "probability": "HIGH"}]}}
        elif "trigger-finish" in text:
            out = {"candidates": [{"finishReason": "SAFETY", "index": 0, "safetyRatings": [
                {"category": "HARM_CATEGORY_HATE_SPEECH", "probability": "MEDIUM"}]}]}
        else:
            if moderation:
                if "knife attack" in text:
                    verdict = {"allowed": False, "reason": "violence"}
                elif "trigger-odd-reason" in text:
                    verdict = {"allowed": False, "reason": "spooky"}
                else:
                    verdict = {"allowed": True, "reason": ""}
                answer = [{"text": json.dumps(verdict)}]
                if mode == "bad_verdict":
                    answer = [{"text": "I think it is fine."}]
            else:
                prompt = text.split("Prompt: ", 1)[1] if "Prompt: " in text else text
                answer = [{"text": "\n  Enhanced: "}, {"text": prompt + " \n"}]
            if mode == "empty":
                answer = [{"text": "  "}]
            out = {"candidates": [{"content": {"role": "model", "parts": answer},
                                   "finishReason": "STOP", "index": 0,
                                   "safetyRatings": ratings}]}
        out.update({"usageMetadata": {"promptTokenCount": 10, "candidatesTokenCount": 5,
                                      "totalTokenCount": 15},
                    "modelVersion": "fake", "responseId": "r1"})
        raw = json.dumps(out).encode()
        if mode == "malformed":
            raw = raw[: len(raw) // 2]
        self._send(h, 200, raw)

    @staticmethod
    def _check_generate(body):
        """Returns a problem with a generateContent body, or None."""
        if not isinstance(body, dict):
            return "the body is not a JSON object"
        extra = set(body) - {"contents", "systemInstruction", "generationConfig",
                             "safetySettings"}
        if extra:
            return "unknown fields %s" % sorted(extra)
        contents = body.get("contents")
        if not isinstance(contents, list) or not contents:
            return "contents must be a non-empty array"
        for i, c in enumerate(contents):
            if not isinstance(c, dict) or c.get("role", "user") not in ("user", "model"):
                return "contents[%d] is not a user or model turn" % i
            parts = c.get("parts")
            if not isinstance(parts, list) or not parts:
                return "contents[%d].parts must be a non-empty array" % i
            for j, p in enumerate(parts):
                if not isinstance(p, dict) or len(p) != 1:
                    return "contents[%d].parts[%d] must hold exactly one field" % (i, j)
                if "text" in p:
                    if not isinstance(p["text"], str):
                        return "contents[%d].parts[%d].text is not a string" % (i, j)
                elif "inline_data" in p:
                    d = p["inline_data"]
                    if (not isinstance(d, dict) or set(d) != {"mime_type", "data"}
                            or not isinstance(d["mime_type"], str)
                            or "/" not in d["mime_type"] or not isinstance(d["data"], str)):
                        return "contents[%d].parts[%d].inline_data needs mime_type, data" % (i, j)
                    try:
                        base64.b64decode(d["data"], validate=True)
                    except (binascii.Error, ValueError):
                        return "contents[%d].parts[%d].inline_data.data is not base64" % (i, j)
                else:
                    return "contents[%d].parts[%d]: unknown part %s" % (i, j, sorted(p))
        si = body.get("systemInstruction")
        if si is not None:
            sparts = si.get("parts") if isinstance(si, dict) else None
            if (not isinstance(sparts, list) or not sparts
                    or not all(isinstance(p, dict) and isinstance(p.get("text"), str)
                               for p in sparts)):
                return "systemInstruction.parts must hold texts"
        cfg = body.get("generationConfig")
        if cfg is not None:
            if not isinstance(cfg, dict):
                return "generationConfig is not an object"
            extra = set(cfg) - {"temperature", "topP", "topK", "maxOutputTokens",
                                "candidateCount", "stopSequences", "responseMimeType",
                                "responseSchema"}
            if extra:
                return "generationConfig: unknown fields %s" % sorted(extra)
            for k in ("temperature", "topP"):
                v = cfg.get(k, 0.0)
                if not isinstance(v, (int, float)) or isinstance(v, bool):
                    return "generationConfig.%s is not a number" % k
            mime = cfg.get("responseMimeType")
            if mime is not None and mime not in ("text/plain", "application/json",
                                                 "text/x.enum"):
                return "generationConfig.responseMimeType %r is not supported" % mime
        return None

    @staticmethod
    def _check_body(body, resource):
        """Returns (problem or None, the dimension of each request)."""
        if not isinstance(body, dict):
            return "the body is not a JSON object", None
        extra = set(body) - {"requests"}
        if extra:
            return "unknown fields %s" % sorted(extra), None
        requests = body.get("requests")
        if not isinstance(requests, list) or not requests:
            return "requests must be a non-empty array", None
        if len(requests) > MAX_BATCH:
            return "at most %d requests can be in one batch" % MAX_BATCH, None
        dims = []
        for i, r in enumerate(requests):
            if not isinstance(r, dict):
                return "requests[%d] is not an object" % i, None
            extra = set(r) - {"model", "content", "taskType", "title", "outputDimensionality"}
            if extra:
                return "requests[%d]: unknown fields %s" % (i, sorted(extra)), None
            if r.get("model") != resource:
                return "requests[%d].model is %r, the URL's is %r" % (i, r.get("model"),
                                                                     resource), None
            content = r.get("content")
            parts = content.get("parts") if isinstance(content, dict) else None
            if (not isinstance(parts, list) or len(parts) != 1 or not isinstance(parts[0], dict)
                    or not isinstance(parts[0].get("text"), str) or not parts[0]["text"]):
                return "requests[%d].content.parts must hold one non-empty text" % i, None
            task = r.get("taskType")
            if task is not None and task not in TASK_TYPES:
                return "requests[%d].taskType %r is unknown" % (i, task), None
            dim = r.get("outputDimensionality", DEFAULT_DIMENSION)
            if not isinstance(dim, int) or isinstance(dim, bool) or not 1 <= dim <= 3072:
                return "requests[%d].outputDimensionality must be an integer 1..3072" % i, None
            dims.append(dim)
        return None, dims


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--key", required=True)
    ap.add_argument("--mode", default="ok")
    args = ap.parse_args()
    fake = FakeGemini(args.key, args.mode)
    print(fake.base_url, flush=True)
    try:
        fake.server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
