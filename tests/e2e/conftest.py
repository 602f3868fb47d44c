"""Browser tests: the real ASGI server (daphne) on the test database, driven by Chromium."""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from tests.e2e.servers import daphne, free_port, use_simulator_at
from tests.workers import celery_worker

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = Path(settings.VAR_DIR) / "screenshots"


def chromium_path() -> str | None:
    """CHROMIUM_PATH when set, else the system's Chromium."""
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """Launch the system's Chromium; without one, skip (fail under CI=true, where it must run)."""
    path = chromium_path()
    if path is None:
        reason = "no Chromium: apt-get install chromium, or set CHROMIUM_PATH"
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests must run under CI: {reason}")
        pytest.skip(reason)
    return {**browser_type_launch_args, "executable_path": path, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session", autouse=True)
def _orm_beside_playwright() -> Iterator[None]:
    """Playwright's sync API keeps an event loop running in this thread, and Django refuses ORM
    calls while one runs. The tests' own set-up and flush queries are safe: allow them from the
    first browser test on (browser tests run last, see tests/conftest.py)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="session")
def asgi_server(django_db_setup, redis_url: str, tmp_path_factory) -> Iterator[str]:
    """One server for the browser tests that do not stop it."""
    with daphne(free_port(), redis_url, tmp_path_factory.mktemp("daphne") / "daphne.log") as url:
        yield url


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """Where browser tests leave pictures of the screens they reach, for people to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture
def worker(asgi_server, settings) -> Iterator[str]:
    """A real Celery worker in this process, for the browser's server: it applies webhooks,
    sends replies through the simulator and runs the deadlines. Yields the server's URL."""
    use_simulator_at(settings, asgi_server)
    with celery_worker():
        yield asgi_server
