"""Session-wide services for the suite: a real Redis, and the settings that point at it; the
check that every event a test publishes matches its definition; no API throttling carried from
one test to the next; the events for integrators a test wrote, held to their examples."""

import os
from collections.abc import Callable, Iterator

import pytest
import redis
from django.test import override_settings

from config.celery import app as celery_app
from config.embedded_redis import EmbeddedRedis
from config.environment import redis_settings
from contactcenter.events import transport
from contactcenter.events.schema import event_problems
from contactcenter.models import OutboxEvent
from contactcenter.outbox import example_problems
from tests.contactcenter.inbox import inboxes_stop


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
        inboxes_stop()  # their subscriptions would keep reconnecting to the stopped Redis


@pytest.fixture(scope="session")
def redis_client(redis_url: str) -> redis.Redis:
    return redis.Redis.from_url(redis_url)


@pytest.fixture
def empty_broker() -> Iterator[None]:
    """No task of an earlier test in any queue, and none of this test's left for a later one
    (workers started in the test take them)."""
    celery_app.control.purge()
    yield
    celery_app.control.purge()


@pytest.fixture(autouse=True)
def _api_throttles_forgotten(redis_client: redis.Redis) -> None:
    """DRF's throttles keep each caller's recent requests in the suite's Redis, under keys that
    the next test shares (user ids that rows reuse, 127.0.0.1): each test starts with none, so
    that no test is throttled for what the tests before it did."""
    for key in redis_client.scan_iter(match="*throttle_*"):
        redis_client.delete(key)


@pytest.fixture(autouse=True)
def published_events(monkeypatch) -> Iterator[list[dict]]:
    """Every event this process publishes during the test, as the pages receive it; at the end
    each must match its definition (contactcenter/events/schema.py), or the test fails."""
    published: list[dict] = []
    deliver = transport.deliver

    def recorded(copies: list[tuple[int, dict]]) -> None:
        published.extend(event for _, event in copies)
        deliver(copies)

    monkeypatch.setattr(transport, "deliver", recorded)
    yield published
    problems = {event["type"]: event_problems(event) for event in published}
    assert not {kind: found for kind, found in problems.items() if found}, (
        "events off their definition"
    )


@pytest.fixture
def outbox(db) -> Iterator[Callable[..., list[tuple[str, dict]]]]:
    """The events for integrators written so far, as (type, data) in order, the data as an
    endpoint receives it (JSON); given types, those only. At the end each must have its type's
    example keys (contactcenter/outbox.py), or the test fails: the documented examples cannot
    drift from what is sent."""

    def written(*types: str) -> list[tuple[str, dict]]:
        rows = OutboxEvent.objects.order_by("pk").values_list("type", "data")
        return [(kind, data) for kind, data in rows if not types or kind in types]

    yield written
    problems = [problem for kind, data in written() for problem in example_problems(kind, data)]
    assert problems == [], "events for integrators off their examples"
