"""/healthz: each dependency answers "ok" or names the kind of failure.

The endpoint is public, so the answer names what is down and the error's class; the details
(addresses, paths) go to the log.
"""

import logging

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # any driver error means "down"
        return _failed("database", exc)
    return "ok"


def redis_status() -> str:
    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as exc:
        return _failed("redis", exc)
    finally:
        client.close()
    return "ok"


def _failed(dependency: str, exc: Exception) -> str:
    logger.warning("healthz: %s is down: %s", dependency, exc)
    return f"error: {exc.__class__.__name__}"


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database and Redis both answer; 503 naming what is down otherwise."""
    checks = {"database": database_status(), "redis": redis_status()}
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(checks, status=200 if healthy else 503)
