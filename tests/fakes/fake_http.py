# SPDX-License-Identifier: MIT
"""A scripted loopback HTTP server for the provider tests (standard library only).

Start one, script what each path answers, point the client at ``server.url(path)``, then
assert on ``server.requests``. Provider fakes build on it by scripting replies or by
passing ``handler=`` (a function of the Request that returns a Reply, or None to fall back
on the script)::

    with FakeHTTP() as server:
        server.script("/v1/x", Reply(429, headers={"Retry-After": "1"}), Reply(200, body=b"{}"))
        ...
        assert server.count("/v1/x") == 2

A path's replies are used in order; the last one repeats. An unscripted path answers 404.
reset() forgets the scripts and the requests (one server can serve many tests); stop() returns
within POLL_INTERVAL. Answers leave in one write with TCP_NODELAY set, so a kept-alive
client's next request is never held back by Nagle's algorithm waiting for a delayed ACK.
"""
import http.server
import socket
import socketserver
import threading
import time
from dataclasses import dataclass, field


@dataclass
class Reply:
    """What the server does with one request."""
    status: int = 200
    headers: dict = field(default_factory=dict)
    body: bytes = b""
    delay: float = 0.0         # seconds before the status line
    drip: float = 0.0          # seconds between body bytes (a slow drip)
    close: bool = False        # read the request, then close without answering
    truncate: int = 0          # announce this many bytes more than are sent, then close
    bad_chunks: bool = False   # a chunked body with a malformed chunk size
    oversize: int = 0          # a body of this many bytes (b"x" * oversize)


@dataclass
class Request:
    """One request as the server received it."""
    method: str
    path: str                  # with the query string
    headers: dict              # names in lower case
    body: bytes
    raw_headers: str = ""      # as sent, for searching
    at: float = 0.0            # time.monotonic() when it was read


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on (now)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass  # clients that gave up (timeouts) are part of the tests


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True   # TCP_NODELAY on every accepted connection

    def log_message(self, *args):
        pass

    def _serve(self):
        fake = self.server.fake
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        request = Request(self.command, self.path,
                          {k.lower(): v for k, v in self.headers.items()}, body,
                          str(self.headers), time.monotonic())
        reply = fake._record_and_pick(request)
        try:
            self._answer(reply)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _answer(self, reply):
        if reply.delay:
            time.sleep(reply.delay)
        if reply.close:
            self.close_connection = True
            return
        body = b"x" * reply.oversize if reply.oversize else reply.body
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if reply.bad_chunks:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.wfile.write(b"zz\r\nhello\r\n0\r\n\r\n")
            self.close_connection = True
            return
        self.send_header("Content-Length", str(len(body) + reply.truncate))
        # the status line, the headers and the body in one write (end_headers would send the
        # head alone, and a small second write waits for the ACK of the first)
        self._headers_buffer.append(b"\r\n")
        head = b"".join(self._headers_buffer)
        self._headers_buffer = []
        if reply.drip:
            self.wfile.write(head)
            for i in range(len(body)):
                self.wfile.write(body[i:i + 1])
                time.sleep(reply.drip)
        else:
            self.wfile.write(head + body)
        if reply.truncate:
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve


class FakeHTTP:
    """The server: start() (or `with`), script(), url(), requests, count(), reset(), stop()."""

    POLL_INTERVAL = 0.02  # how often serve_forever looks for shutdown(): stop()'s latency

    def __init__(self, handler=None):
        self.handler = handler
        self.requests = []
        self._scripts = {}
        self._lock = threading.Lock()
        self._server = None
        self._thread = None

    def start(self):
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": self.POLL_INTERVAL},
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def reset(self):
        """Forgets every script and every request seen."""
        with self._lock:
            self._scripts.clear()
            del self.requests[:]

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def port(self):
        return self._server.server_address[1]

    def url(self, path="/"):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def script(self, path, *replies):
        """Replies for `path` (without the query string), in order; the last repeats."""
        with self._lock:
            self._scripts[path] = list(replies)

    def count(self, path=None):
        with self._lock:
            return sum(1 for r in self.requests
                       if path is None or r.path.split("?", 1)[0] == path)

    def _record_and_pick(self, request):
        with self._lock:
            self.requests.append(request)
        if self.handler:
            reply = self.handler(request)
            if reply is not None:
                return reply
        with self._lock:
            replies = self._scripts.get(request.path.split("?", 1)[0])
            if not replies:
                return Reply(404, body=b'{"error": "not found"}')
            return replies.pop(0) if len(replies) > 1 else replies[0]
