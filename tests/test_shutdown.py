"""A deploy's SIGTERM stops the web server within seconds, under load: the requests in flight
finish or are refused (a provider retries a webhook it got no answer to), none hangs it."""

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest

from config.environment import BASE_DIR
from tests.e2e import servers

pytestmark = pytest.mark.django_db(transaction=True)

# What a process manager waits before it kills (systemd's default is 90 s; ours is stricter).
WITHIN = 10.0


def load(url: str, stop: threading.Event) -> None:
    """Ask for `url` again and again; a refusal at shutdown is expected."""
    while not stop.is_set():
        with contextlib.suppress(urllib.error.URLError, ConnectionError, TimeoutError):
            urllib.request.urlopen(url, timeout=5).read()


def test_the_web_server_stops_within_seconds_of_sigterm_under_load(tmp_path, redis_url):
    # given: daphne as the Procfile runs it, busy with sixteen clients
    port = servers.free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": servers.test_database_url(),
        "REDIS_URL": redis_url,
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    log = tmp_path / "web.log"
    with log.open("a") as output:
        web = subprocess.Popen(
            [sys.executable, "-m", "config.keep_running", sys.executable, "-m", "daphne", "-b",
             "127.0.0.1", "-p", str(port), "config.asgi:application"],
            cwd=BASE_DIR, env=env, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    stop = threading.Event()
    try:
        servers.wait_until_healthy(url, web, log)
        clients = [
            threading.Thread(target=load, args=(f"{url}/login/", stop), daemon=True)
            for _ in range(16)
        ]
        for client in clients:
            client.start()
        time.sleep(2)
        # when
        started = time.monotonic()
        web.send_signal(signal.SIGTERM)
        # then
        web.wait(timeout=WITHIN + 20)
        assert time.monotonic() - started < WITHIN, log.read_text()[-3000:]
    finally:
        stop.set()
        if web.poll() is None:
            web.kill()
            web.wait(timeout=5)
