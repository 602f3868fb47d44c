"""How events reach the agents' pages: each copy gets the agent's next event id (a Redis
counter), then goes to the agent's channel-layer group, which every workspace page of theirs
joins.

`event_id` counts up by one per agent, so a page that sees a gap knows it missed something and
asks for a snapshot (frame `{"type": "resync"}`); the channel layer delivers at most once.
Events describe state, not commands: applying one twice, or after a snapshot that already
contains it, is harmless.

Services publish through `publish_on_commit`: an event about a change that rolled back must
never reach a page. `publish_rollback_unsafe` sends at once, for callers outside a transaction
(or in an on-commit callback). A publish that fails after the commit (Redis down or restarting)
is logged and dropped: the change stands, and the pages resync when they reconnect or see a gap
in the ids.
"""

import asyncio
import os
import threading
from collections.abc import Callable, Iterable

from channels.layers import get_channel_layer
from django.db import transaction

from contactcenter.redis_client import redis_client

# Seconds a publish may take before the caller gives up on it (delivery is at most once anyway).
PUBLISH_TIMEOUT = 10


def agent_group(agent_id: int) -> str:
    """The channel-layer group every open workspace of one agent joins."""
    return f"agent.{agent_id}"


def _counter_key(agent_id: int) -> str:
    return f"cc:agent:{agent_id}:event_id"


def last_event_id(agent_id: int) -> int:
    """The id of the last event sent to the agent; a snapshot read after it includes it."""
    return int(redis_client().get(_counter_key(agent_id)) or 0)


def after_commit(publish: Callable[[], None]) -> None:
    """Run `publish` once the current transaction commits (never if it rolls back); an error in
    it is logged, never raised into the request or task whose change it reports."""
    transaction.on_commit(publish, robust=True)


def publish_on_commit(agent_ids: Iterable[int], event: dict) -> None:
    """Send `event` to each agent's pages once the current transaction commits."""
    recipients = sorted(set(agent_ids))
    if recipients:
        after_commit(lambda: publish_rollback_unsafe(recipients, event))


def publish_rollback_unsafe(agent_ids: Iterable[int], event: dict) -> None:
    """Send `event` now, each copy with the agent's next event id."""
    publish_all_rollback_unsafe([(agent_ids, event)])


def publish_all_rollback_unsafe(batch: Iterable[tuple[Iterable[int], dict]]) -> None:
    """Send several events now, in order, each copy with its agent's next event id: one Redis
    round trip for all the ids and one hand-over to the publisher loop."""
    copies = [(agent_id, event) for agent_ids, event in batch for agent_id in agent_ids]
    if not copies:
        return
    pipeline = redis_client().pipeline(transaction=False)
    for agent_id, _ in copies:
        pipeline.incr(_counter_key(agent_id))
    event_ids = pipeline.execute()
    deliver(
        [
            (agent_id, {**event, "event_id": event_id})
            for (agent_id, event), event_id in zip(copies, event_ids, strict=True)
        ]
    )


def deliver(copies: list[tuple[int, dict]]) -> None:
    """Hand each agent's copy, numbered, to their group, in order."""
    messages = [
        (agent_group(agent_id), {"type": "cc.event", "event": event}) for agent_id, event in copies
    ]
    future = asyncio.run_coroutine_threadsafe(_group_send_all(messages), _publisher_loop())
    future.result(timeout=PUBLISH_TIMEOUT)


async def _group_send_all(messages: list[tuple[str, dict]]) -> None:
    layer = get_channel_layer()
    for group, message in messages:
        await layer.group_send(group, message)


def _publisher_loop() -> asyncio.AbstractEventLoop:
    """One event loop per process, in a thread of its own, for every publish: the channel
    layer's Redis connections belong to a loop, and a fresh loop per publish (async_to_sync)
    reconnected every time, twice the cost of the send itself (bench/e2e_latency.py). Made
    again in a forked child (Celery's prefork pool), whose copy has no running thread."""
    global _loop, _loop_pid
    with _loop_lock:
        if _loop is None or _loop_pid != os.getpid():
            _loop = asyncio.new_event_loop()
            _loop_pid = os.getpid()
            threading.Thread(target=_loop.run_forever, name="cc-events", daemon=True).start()
        return _loop


_loop: asyncio.AbstractEventLoop | None = None
_loop_pid: int | None = None
_loop_lock = threading.Lock()
