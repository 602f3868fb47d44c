import pytest
import redis


@pytest.fixture(autouse=True)
def _wrong_numbers_forgotten(redis_client: redis.Redis) -> None:
    """The count of wrong room numbers per address lives in the suite's Redis: each test
    starts with none."""
    for key in redis_client.scan_iter(match="*cobrowse:wrong-numbers:*"):
        redis_client.delete(key)


# The provider APIs as a scripted server (the link to a room goes out through the channel).
from tests.messaging.conftest import provider_api  # noqa: E402, F401
