"""A cancelled task stops: a websocket whose page leaves, or a server that shuts down, must not
leave a listener behind that nobody can end (it hung the suite: a scenario's event loop waited
for ever on a consumer it had cancelled)."""

import asyncio

from asgiref.sync import async_to_sync
from channels_redis.core import RedisChannelLayer
from django.conf import settings
from redis.asyncio.connection import AbstractConnection


def test_a_task_cancelled_in_the_moment_its_awaited_write_completes_is_cancelled():
    """Python 3.11's `asyncio.wait_for` returned the result instead (CPython gh-86296)."""

    async def scenario() -> bool:
        written = asyncio.get_running_loop().create_future()
        writer = asyncio.create_task(asyncio.wait_for(written, timeout=5))
        await asyncio.sleep(0)
        written.set_result(None)
        writer.cancel()
        await asyncio.wait({writer}, timeout=5)
        return writer.cancelled()

    assert async_to_sync(scenario)()


def test_a_channel_listener_cancelled_as_it_writes_to_redis_ends(monkeypatch):
    """The listener of a page that leaves while its channel layer connects to Redis ends. It
    used to go back to its blocking read, 5 s at a time, for ever."""
    write = AbstractConnection._send_packed_command
    listeners: list[asyncio.Task] = []

    async def write_as_the_page_leaves(connection, command) -> None:
        await write(connection, command)
        while listeners:
            listeners.pop().cancel()

    monkeypatch.setattr(AbstractConnection, "_send_packed_command", write_as_the_page_leaves)

    async def scenario() -> bool:
        # The layer whose receive loop hung (the product's is pub/sub now, whose reads are
        # not such a loop; both go through redis-py's writes).
        layer = RedisChannelLayer(hosts=[{"address": settings.REDIS_URL}])
        listener = asyncio.create_task(layer.receive(await layer.new_channel()))
        listeners.append(listener)
        await asyncio.wait({listener}, timeout=10)
        return listener.cancelled()

    assert async_to_sync(scenario)()
