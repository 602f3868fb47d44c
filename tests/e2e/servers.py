"""Running the product under daphne for browser tests, on the test database and Redis.

Django's live_server speaks no websockets, so a daphne subprocess serves the test database (a
file on SQLite, the test database on PostgreSQL) and the suite's Redis.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from django.db import connection


def test_database_url() -> str:
    """The URL of the database the tests run on, for the server subprocess."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    credentials = f"{quote(db['USER'] or '')}:{quote(db['PASSWORD'] or '')}"
    return f"postgres://{credentials}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_healthy(url: str, server: subprocess.Popen, log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            break
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):  # starting, or busy
            time.sleep(0.1)
    server.kill()
    raise RuntimeError(f"daphne did not become healthy:\n{log.read_text()}")


@contextmanager
def daphne(port: int, redis_url: str, log: Path) -> Iterator[str]:
    """The product under daphne on `port`, as `make run` serves it; yields its base URL."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": test_database_url(),
        "REDIS_URL": redis_url,
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    with log.open("a") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
             "config.asgi:application"],
            env=env, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, server, log)
        yield url
    finally:
        _stop(server)


def _stop(server: subprocess.Popen) -> None:
    """Stop daphne as a process manager would: SIGTERM, then SIGKILL if it is still there.
    A request in flight at SIGTERM (the page was still loading) leaves a thread waiting for
    the stopped event loop, and the interpreter waits for that thread at exit."""
    server.terminate()
    try:
        server.wait(timeout=5)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=5)


def use_simulator_at(settings, site: str) -> None:
    """Point this process (where a test's worker runs) at the simulator served by `site`, and
    its webhooks and file links back at `site`."""
    settings.SITE_URL = site
    settings.WHATSAPP_API_URL = settings.MESSENGER_API_URL = f"{site}/simulator/graph/v25.0"
    settings.INSTAGRAM_API_URL = f"{site}/simulator/instagram/v25.0"
    settings.VIBER_API_URL = f"{site}/simulator/viber/pa"
