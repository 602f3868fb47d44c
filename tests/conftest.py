"""Session-wide services for the suite: a real Redis, and the settings that point at it."""

import os
from collections.abc import Iterator

import pytest
import redis
from django.test import override_settings

from config.celery import app as celery_app
from config.embedded_redis import EmbeddedRedis
from config.environment import redis_settings


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests last: Playwright's event loop stays in this thread once it has started,
    and Django's ORM refuses sync calls beside a running loop in the tests after it."""
    items.sort(key=lambda item: "/tests/e2e/" in str(item.path))


@pytest.fixture(scope="session", autouse=True)
def redis_url(tmp_path_factory) -> Iterator[str]:
    """A real Redis for the whole run: REDIS_URL's when it is set, else an embedded one.

    A Redis named by REDIS_URL is flushed first: give the suite a database of its own.
    """
    url = os.environ.get("REDIS_URL")
    if url:
        redis.Redis.from_url(url).flushdb()
        yield url
        return
    with (
        EmbeddedRedis(tmp_path_factory.mktemp("redis") / "redis.sock") as server,
        override_settings(**redis_settings(server.url)),
    ):
        celery_url = redis_settings(server.url)["CELERY_BROKER_URL"]
        celery_app.conf.update(broker_url=celery_url)
        yield server.url
