"""Reading the environment, and the one Redis URL that every Redis client derives from.

Settings stay declarative; the parsing and the URL dialects live here so that tests can build
the same configuration for a Redis they start themselves (see `redis_settings`).
"""

import os
import re
import secrets
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from cryptography.fernet import Fernet
from django.core.checks.security.base import (
    SECRET_KEY_INSECURE_PREFIX,
    SECRET_KEY_MIN_LENGTH,
    SECRET_KEY_MIN_UNIQUE_CHARACTERS,
)
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    """A boolean variable; anything but a clear yes or no is a configuration error."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false).")


def env_list(name: str, default: str) -> list[str]:
    """A comma-separated variable, blanks dropped."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


THROTTLE_RATE = re.compile(r"\d+/(s|sec|second|m|min|minute|h|hour|d|day)")


def env_rate(name: str, default: str) -> str:
    """A request rate as DRF's throttles read it (`600/min`); anything else is a configuration
    error now rather than at the first request."""
    rate = os.environ.get(name, default).strip()
    if not THROTTLE_RATE.fullmatch(rate):
        raise ImproperlyConfigured(f"{name}={rate!r} is not a rate such as 600/min or 10/s.")
    return rate


def var_dir() -> Path:
    """Where the embedded defaults keep their state: database, Redis socket, secret, media."""
    return Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def embedded_redis_socket() -> Path:
    return var_dir() / "redis.sock"


def secret_key(*, debug: bool, directory: Path) -> str:
    """SECRET_KEY from the environment. In development, when absent, one generated once into
    `directory`; with DEBUG off it is required, never that development one, and as strong as
    Django's deploy check (security.W009) asks."""
    key = os.environ.get("SECRET_KEY", "")
    dev_path = directory / "secret_key"
    if debug:
        return key or _development_value(dev_path, lambda: secrets.token_urlsafe(50))
    if not key:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    if _is_development_value(dev_path, key):
        raise ImproperlyConfigured(
            "SECRET_KEY is the development secret from var/secret_key; "
            "set a secret of your own for production."
        )
    if not _check_secret_key(key):
        raise ImproperlyConfigured(
            f"SECRET_KEY is too weak for production ({SECRET_KEY_MIN_LENGTH}+ random characters, "
            f"at least {SECRET_KEY_MIN_UNIQUE_CHARACTERS} different ones, "
            f"not Django's {SECRET_KEY_INSECURE_PREFIX!r} placeholder)."
        )
    return key


def _check_secret_key(key: str) -> bool:
    return (
        len(key) >= SECRET_KEY_MIN_LENGTH
        and len(set(key)) >= SECRET_KEY_MIN_UNIQUE_CHARACTERS
        and not key.startswith(SECRET_KEY_INSECURE_PREFIX)
    )


def field_encryption_keys(*, debug: bool, directory: Path) -> list[str]:
    """FIELD_ENCRYPTION_KEYS: Fernet keys, comma-separated; the first encrypts, every one
    decrypts (a rotation puts the new key first). In development, when absent, one generated
    once into `directory`; with DEBUG off they are required, and never that development one."""
    keys = env_list("FIELD_ENCRYPTION_KEYS", "")
    dev_path = directory / "field_encryption_key"
    if debug and not keys:
        keys = [_development_value(dev_path, lambda: Fernet.generate_key().decode())]
    if not keys:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS must be set when DEBUG is off (make one with "
            '`python -c "from cryptography.fernet import Fernet; '
            'print(Fernet.generate_key().decode())"`).'
        )
    for number, key in enumerate(keys, start=1):
        _check_fernet_key(number, key)
        if not debug and _is_development_value(dev_path, key):
            raise ImproperlyConfigured(
                "FIELD_ENCRYPTION_KEYS holds the development key from var/field_encryption_key; "
                "set keys of your own for production."
            )
    return keys


def _check_fernet_key(number: int, key: str) -> None:
    try:
        Fernet(key)
    except ValueError:
        raise ImproperlyConfigured(
            f"FIELD_ENCRYPTION_KEYS: key {number} is not a Fernet key "
            "(32 bytes in URL-safe base64, 44 characters)."
        ) from None


def _is_development_value(path: Path, value: str) -> bool:
    return path.exists() and path.read_text().strip() == value


def _development_value(path: Path, generate: Callable[[], str]) -> str:
    """Read a development secret, creating it first if needed. `make run` starts several
    processes at once: the secret is written aside and linked into place, so that exactly one
    wins and nobody reads a half-written file."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as file:
            file.write(generate())
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()


def provider_api_url(
    variable: str, real: str, simulated_path: str, *, site_url: str, simulator: bool
) -> str:
    """A provider's API base URL: the variable when set, else the simulator's (when it is on)
    or the provider's own."""
    default = f"{site_url}{simulated_path}" if simulator else real
    return os.environ.get(variable, default).rstrip("/")


def unix_redis_url(socket_path: Path) -> str:
    return f"unix://{socket_path}"


def celery_redis_url(redis_url: str) -> str:
    """Celery's dialect of a Redis URL: unix sockets are spelled `redis+socket://`."""
    parts = urlsplit(redis_url)
    if parts.scheme != "unix":
        return redis_url
    db = parse_qs(parts.query).get("db", ["0"])[0]
    return f"redis+socket://{parts.path}?virtual_host={db}"


def redis_settings(redis_url: str) -> dict:
    """Every Django setting that points at Redis, derived from one URL (redis:// or unix://)."""
    celery_url = celery_redis_url(redis_url)
    return {
        "REDIS_URL": redis_url,
        "CACHES": {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": redis_url,
            }
        },
        "CHANNEL_LAYERS": {
            "default": {
                # Pub/sub: a group send is one PUBLISH, which each server process receives once
                # and hands to its own pages, whatever the group's size (contactcenter/events).
                "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
                "CONFIG": {"hosts": [{"address": redis_url}], "prefix": "cc"},
            }
        },
        "CELERY_BROKER_URL": celery_url,
    }
