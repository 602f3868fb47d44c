"""Reading the environment, and the one Redis URL that every Redis client derives from.

Settings stay declarative; the parsing and the URL dialects live here so that tests can build
the same configuration for a Redis they start themselves (see `redis_settings`).
"""

import os
import secrets
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

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


def var_dir() -> Path:
    """Where the embedded defaults keep their state: database, Redis socket, secret, media."""
    return Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def embedded_redis_socket() -> Path:
    return var_dir() / "redis.sock"


def secret_key(*, debug: bool, directory: Path) -> str:
    """SECRET_KEY from the environment. In development, when absent, one generated once into
    `directory`; with DEBUG off it is required, and never that development one."""
    key = os.environ.get("SECRET_KEY", "")
    dev_path = directory / "secret_key"
    if debug:
        return key or _development_secret(dev_path)
    if not key:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    if dev_path.exists() and dev_path.read_text().strip() == key:
        raise ImproperlyConfigured(
            "SECRET_KEY is the development secret from var/secret_key; "
            "set a secret of your own for production."
        )
    if key.startswith("django-insecure") or len(key) < 40:
        raise ImproperlyConfigured("SECRET_KEY is too weak for production (40+ random characters).")
    return key


def _development_secret(path: Path) -> str:
    """Read the development secret, creating it first if needed. `make run` starts several
    processes at once: the secret is written aside and linked into place, so that exactly one
    wins and nobody reads a half-written file."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as file:
            file.write(secrets.token_urlsafe(50))
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
