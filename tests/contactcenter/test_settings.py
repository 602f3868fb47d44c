"""Settings come from the environment; production refuses to start without real secrets."""

import json
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.environment import celery_redis_url, env_bool
from tests.processes import (
    PRODUCTION_SECRETS,
    STRONG_FIELD_KEY,
    STRONG_SECRET,
    product_environ,
)

LOAD_SETTINGS = (
    "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
)


def start(tmp_path, script: str = LOAD_SETTINGS, **env) -> subprocess.CompletedProcess:
    """Load the settings in a fresh interpreter, as daphne or celery would."""
    return subprocess.run(
        [sys.executable, "-c", script],
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
    production = start(
        tmp_path, DEBUG="0", SECRET_KEY=dev_secret, FIELD_ENCRYPTION_KEYS=STRONG_FIELD_KEY
    )
    # then
    assert development.returncode == 0
    assert production.returncode != 0
    assert "development secret" in production.stderr


def test_production_refuses_djangos_placeholder_secret(tmp_path):
    result = start(tmp_path, DEBUG="0", SECRET_KEY="django-insecure-" + "x" * 50)
    assert "too weak" in result.stderr


def test_production_refuses_a_secret_key_shorter_than_djangos_deploy_check_asks(tmp_path):
    result = start(tmp_path, DEBUG="0", SECRET_KEY=STRONG_SECRET[:49])
    assert result.returncode != 0
    assert "too weak for production (50+ random characters" in result.stderr


def test_production_starts_with_secrets_of_its_own(tmp_path):
    result = start(tmp_path, DEBUG="0", **PRODUCTION_SECRETS)
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
    ("url", "celery_url"),
    [
        ("unix:///srv/var/redis.sock", "redis+socket:///srv/var/redis.sock?virtual_host=0"),
        ("unix:///srv/var/redis.sock?db=3", "redis+socket:///srv/var/redis.sock?virtual_host=3"),
        ("redis://127.0.0.1:6379/5", "redis://127.0.0.1:6379/5"),
    ],
)
def test_celery_reaches_the_same_redis(url, celery_url):
    assert celery_redis_url(url) == celery_url


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


def settings_of(tmp_path, *names: str, **env) -> dict:
    """The named settings as a fresh interpreter loads them from `env`."""
    script = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{name: getattr(settings, name) for name in {list(names)!r}}}, "
        "default=str))"
    )
    result = start(tmp_path, script, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_requires_field_encryption_keys(tmp_path):
    result = start(tmp_path, DEBUG="0", SECRET_KEY=STRONG_SECRET)
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS must be set when DEBUG is off" in result.stderr


def test_a_field_encryption_key_that_is_not_a_fernet_key_is_refused(tmp_path):
    keys = f"{STRONG_FIELD_KEY}, not-a-key"
    result = start(tmp_path, DEBUG="0", SECRET_KEY=STRONG_SECRET, FIELD_ENCRYPTION_KEYS=keys)
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS: key 2 is not a Fernet key" in result.stderr


def test_field_encryption_keys_are_read_in_order(tmp_path):
    second = "p" * 43 + "="
    found = settings_of(
        tmp_path,
        "FIELD_ENCRYPTION_KEYS",
        DEBUG="0",
        SECRET_KEY=STRONG_SECRET,
        FIELD_ENCRYPTION_KEYS=f" {STRONG_FIELD_KEY} ,{second}",
    )
    assert found == {"FIELD_ENCRYPTION_KEYS": [STRONG_FIELD_KEY, second]}


def test_development_generates_its_encryption_key_once_and_production_refuses_it(tmp_path):
    # given
    first = settings_of(tmp_path, "FIELD_ENCRYPTION_KEYS", DEBUG="1")
    again = settings_of(tmp_path, "FIELD_ENCRYPTION_KEYS", DEBUG="1")
    dev_key = (tmp_path / "field_encryption_key").read_text().strip()
    # when
    production = start(tmp_path, DEBUG="0", SECRET_KEY=STRONG_SECRET, FIELD_ENCRYPTION_KEYS=dev_key)
    # then
    assert first == again == {"FIELD_ENCRYPTION_KEYS": [dev_key]}
    assert production.returncode != 0
    assert "development key" in production.stderr


def test_hsts_is_off_by_default(tmp_path):
    found = settings_of(tmp_path, "SECURE_HSTS_SECONDS", DEBUG="0", **PRODUCTION_SECRETS)
    assert found == {"SECURE_HSTS_SECONDS": 0}


def test_hsts_is_set_by_the_environment(tmp_path):
    found = settings_of(
        tmp_path,
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        DEBUG="0",
        HSTS_SECONDS="31536000",
        HSTS_INCLUDE_SUBDOMAINS="1",
        HSTS_PRELOAD="1",
        **PRODUCTION_SECRETS,
    )
    assert found == {
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
    }


def test_login_lockout_and_api_rates_are_set_by_the_environment(tmp_path):
    found = settings_of(
        tmp_path,
        "AXES_FAILURE_LIMIT",
        "AXES_COOLOFF_TIME",
        "REST_FRAMEWORK",
        DEBUG="1",
        LOGIN_FAILURE_LIMIT="8",
        LOGIN_LOCKOUT_MINUTES="30",
        API_THROTTLE_USER="100/min",
        API_THROTTLE_ANON="10/min",
    )
    assert found["AXES_FAILURE_LIMIT"] == 8
    assert found["AXES_COOLOFF_TIME"] == "0:30:00"
    assert found["REST_FRAMEWORK"]["DEFAULT_THROTTLE_RATES"] == {
        "user": "100/min",
        "anon": "10/min",
    }
