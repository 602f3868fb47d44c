"""A local HTTP server that answers each request with the next scripted provider response.

Tests state the exact answers (CHANNELS.md shapes) a provider gives, in order, and read back
what our connectors sent. Real HTTP over loopback, so the real connector and client code run.
"""

import json
import sys
import threading
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body)


class _QuietServer(ThreadingHTTPServer):
    """A client that gave up (its timeout, on purpose in a test) is no error worth a traceback."""

    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class ScriptedServer:
    def __init__(self):
        self.answers: deque[tuple[int, bytes, str, dict, threading.Event | None]] = deque()
        self.requests: list[Recorded] = []
        self._server = _QuietServer(("127.0.0.1", 0), self._handler())
        self.host = f"127.0.0.1:{self._server.server_port}"
        self.url = f"http://{self.host}"

    def answer(
        self,
        status: int,
        body: dict | bytes = b"",
        content_type="application/json",
        headers: dict | None = None,
        held: threading.Event | None = None,
    ):
        """Queue the next answer; a dict is sent as JSON, `headers` (e.g. Location) besides.
        With `held`, the answer waits until the test sets it (a call in flight), for 30 s at
        the most."""
        raw = json.dumps(body).encode() if isinstance(body, dict) else body
        self.answers.append((status, raw, content_type, headers or {}, held))

    def redirect(self, location: str, status: int = 302):
        """Queue an answer that sends the client on to `location`."""
        self.answer(status, b"", content_type="text/plain", headers={"Location": location})

    def posts(self) -> list[Recorded]:
        return [request for request in self.requests if request.method == "POST"]

    def __enter__(self) -> "ScriptedServer":
        thread = threading.Thread(target=self._server.serve_forever, args=(0.01,), daemon=True)
        thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self):
                length = int(self.headers.get("content-length") or 0)
                server.requests.append(
                    Recorded(self.command, self.path, dict(self.headers), self.rfile.read(length))
                )
                status, body, content_type, headers, held = server.answers.popleft()
                if held is not None:
                    held.wait(timeout=30)
                self.send_response(status)
                self.send_header("content-type", content_type)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _serve

            def log_message(self, *args):
                pass

        return Handler
