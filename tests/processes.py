"""Starting the product's settings in a fresh interpreter, as daphne, celery or a deploy would;
Celery workers and beat as subprocesses."""

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings

from config.environment import BASE_DIR
from tests.e2e import servers
from tests.waiting import wait_for

STRONG_SECRET = "k7Q-vZ2p_" * 6
STRONG_FIELD_KEY = "0C2ubKSB0mYzNchfjp4zBKe1G4m_pPJ_t8aOWcJsq3I="
# What a production deploy must set besides DEBUG=0.
PRODUCTION_SECRETS = {"SECRET_KEY": STRONG_SECRET, "FIELD_ENCRYPTION_KEYS": STRONG_FIELD_KEY}


def product_environ(tmp_path, **env) -> dict[str, str]:
    """This environment, less DEBUG and the secrets, with the product's settings and var/
    here."""
    environ = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "SECRET_KEY", "FIELD_ENCRYPTION_KEYS"}
    }
    return environ | {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "VAR_DIR": str(tmp_path),
        **env,
    }


@contextmanager
def celery(tmp_path, redis_url: str, *arguments: str, name: str) -> Iterator[subprocess.Popen]:
    """`celery -A config <arguments>` as the Procfile starts it, on the suite's Redis and the
    test database, in a session of its own: `kill_all` takes its pool down with it, as a lost
    machine would. Its log is `<name>.log`; stopped (or killed) at the end of the block."""
    log = tmp_path / f"{name}.log"
    environ = product_environ(
        tmp_path,
        SECRET_KEY=STRONG_SECRET,
        # The keys this process encrypted the channel accounts' secrets with.
        FIELD_ENCRYPTION_KEYS=",".join(settings.FIELD_ENCRYPTION_KEYS),
        REDIS_URL=redis_url,
        DATABASE_URL=servers.test_database_url(),
    )
    with log.open("a") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", *arguments, "--loglevel=INFO"],
            cwd=BASE_DIR, env=environ, stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    process.log = log
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                kill_all(process)


def worker_ready(process: subprocess.Popen, timeout: float = 30) -> None:
    """Wait until the worker says it is ready to take tasks."""
    wait_for(lambda: " ready." in process.log.read_text() or process.poll() is not None, timeout)
    assert process.poll() is None, process.log.read_text()[-3000:]


def kill_all(process: subprocess.Popen) -> None:
    """SIGKILL the process and every process it started (a worker's pool): nothing of it
    finishes its task or gives it back."""
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
