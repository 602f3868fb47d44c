"""The channel layer on the real Redis, as the agents' websockets use it."""

import asyncio

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer


def test_a_channel_idle_longer_than_the_layers_blocking_read_still_receives():
    """An agent's page that hears nothing for a while must not be cut off: channels-redis waits
    5 s per blocking read, and a socket timeout at or under that dropped every idle socket."""

    async def scenario() -> dict:
        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add("idle-test", channel)

        async def later() -> None:
            await asyncio.sleep(6)
            await layer.group_send("idle-test", {"type": "cc.event", "event": {"n": 1}})

        sender = asyncio.create_task(later())
        message = await asyncio.wait_for(layer.receive(channel), timeout=15)
        await sender
        return message

    assert async_to_sync(scenario)()["event"] == {"n": 1}
