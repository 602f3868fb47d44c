"""The process's Redis connection for what the core keeps there: event counters and presence."""

from functools import cache

import redis
from django.conf import settings


def redis_client() -> redis.Redis:
    """A pooled client for the configured Redis (tests may point REDIS_URL elsewhere)."""
    return _client_for(settings.REDIS_URL)


@cache
def _client_for(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
