"""Settings come from the environment; production refuses to start without a real secret."""

import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.environment import celery_redis_url, env_bool
from tests.processes import STRONG_SECRET, product_environ

LOAD_SETTINGS = (
    "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
)


def start(tmp_path, **env) -> subprocess.CompletedProcess:
    """Load the settings in a fresh interpreter, as daphne or celery would."""
    return subprocess.run(
        [sys.executable, "-c", LOAD_SETTINGS],
        env=product_environ(tmp_path, **env),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_requires_a_secret_key(tmp_path):
    result = start(tmp_path, DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_production_refuses_the_development_secret(tmp_path):
    # given: development generated its secret into var/
    development = start(tmp_path, DEBUG="1")
    dev_secret = (tmp_path / "secret_key").read_text()
    # when
    production = start(tmp_path, DEBUG="0", SECRET_KEY=dev_secret)
    # then
    assert development.returncode == 0
    assert production.returncode != 0
    assert "development secret" in production.stderr


def test_production_refuses_djangos_placeholder_secret(tmp_path):
    result = start(tmp_path, DEBUG="0", SECRET_KEY="django-insecure-" + "x" * 50)
    assert "too weak" in result.stderr


def test_production_starts_with_a_secret_of_its_own(tmp_path):
    result = start(tmp_path, DEBUG="0", SECRET_KEY=STRONG_SECRET)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_development_keeps_its_generated_secret_across_restarts(tmp_path):
    start(tmp_path, DEBUG="1")
    first = (tmp_path / "secret_key").read_text()
    start(tmp_path, DEBUG="1")
    assert (tmp_path / "secret_key").read_text() == first


def test_a_boolean_that_is_neither_yes_nor_no_is_a_configuration_error(monkeypatch):
    monkeypatch.setenv("DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="DEBUG='maybe' is not a boolean"):
        env_bool("DEBUG", default=False)


@pytest.mark.parametrize(
    ("redis_url", "celery_url"),
    [
        ("unix:///srv/var/redis.sock", "redis+socket:///srv/var/redis.sock?virtual_host=0"),
        ("unix:///srv/var/redis.sock?db=3", "redis+socket:///srv/var/redis.sock?virtual_host=3"),
        ("redis://127.0.0.1:6379/5", "redis://127.0.0.1:6379/5"),
    ],
)
def test_celery_reaches_the_same_redis(redis_url, celery_url):
    assert celery_redis_url(redis_url) == celery_url


def test_development_uses_a_secret_key_it_is_given(tmp_path):
    result = start(tmp_path, DEBUG="1", SECRET_KEY=STRONG_SECRET)
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "secret_key").exists()


def test_processes_starting_together_agree_on_one_development_secret(tmp_path):
    # given: daphne, the worker and beat start at once, as under `make run`
    script = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.SECRET_KEY)"
    )
    environ = product_environ(tmp_path, DEBUG="1")
    # when
    processes = [
        subprocess.Popen([sys.executable, "-c", script], env=environ, stdout=subprocess.PIPE)
        for _ in range(4)
    ]
    keys = {process.communicate(timeout=60)[0].strip() for process in processes}
    # then
    assert keys == {(tmp_path / "secret_key").read_text().encode()}
