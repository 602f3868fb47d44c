"""Real-time events pushed to the agents' workspaces over /ws/agent/: every type, in one place.

Each event is a JSON object `{"type": ..., "event_id": N, ...}`. `event_id` counts up by one per
agent (a Redis counter), so a page that sees a gap knows it missed something and asks for a
snapshot (frame `{"type": "resync"}`); the channel layer delivers at most once. Events describe
state, not commands: applying one twice, or after a snapshot that already contains it, is
harmless.

Types (to whom; what they carry):

- snapshot: the connecting page, and on resync; agent, pause, queues, offers, activities,
  waiting, and `event_id` = the last id sent to the agent before it was read.
- offer.new: the agent it rings; offer (with its activity, deadline and timeout).
- offer.accepted / offer.rejected: that agent's pages (the other tabs drop it); offer_id,
  activity_id.
- offer.expired: that agent; offer_id, activity_id.
- offer.revoked: that agent, when someone else took the activity or it closed; offer_id,
  activity_id.
- activity.opened: an agent who now takes part (a new tab); activity (with `participants`).
- activity.updated: everyone taking part; activity (with `participants`). State "postponed"
  moves it to the postponed list, "open" back to the tabs.
- activity.closed: everyone whose tab closes; activity_id, reason ("closed", "transferred",
  "left").
- message.new: everyone taking part; activity_id, message.
- message.updated: everyone taking part, when a message's delivery status changes (sent,
  delivered, read, failed with its reason, queued again on a retry) or its file is stored;
  activity_id, message (whole, as in message.new).
- waiting.changed: every member of the queue; activity (waiting; `offered_to` names the
  colleague it rings, if any).
- waiting.removed: every member of the queue; activity_id, queue_id.
- pause.changed: the agent; pause (null when not paused).
- queues.changed: the agent; queues (each with logged_in).
- reminder: participants not looking at the activity; activity_id, title, reason
  ("unanswered", "new_message", "postponed_due").

Only `publish_on_commit` is used by services: an event about a change that rolled back must
never reach a page. `publish_rollback_unsafe` sends at once, for callers outside a transaction.
"""

import asyncio
import os
import threading
from collections.abc import Iterable

from channels.layers import get_channel_layer
from django.db import transaction

from contactcenter.redis_client import redis_client

SNAPSHOT = "snapshot"
OFFER_NEW = "offer.new"
OFFER_ACCEPTED = "offer.accepted"
OFFER_REJECTED = "offer.rejected"
OFFER_EXPIRED = "offer.expired"
OFFER_REVOKED = "offer.revoked"
ACTIVITY_OPENED = "activity.opened"
ACTIVITY_UPDATED = "activity.updated"
ACTIVITY_CLOSED = "activity.closed"
MESSAGE_NEW = "message.new"
MESSAGE_UPDATED = "message.updated"
WAITING_CHANGED = "waiting.changed"
WAITING_REMOVED = "waiting.removed"
PAUSE_CHANGED = "pause.changed"
QUEUES_CHANGED = "queues.changed"
REMINDER = "reminder"

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


def publish_on_commit(agent_ids: Iterable[int], event: dict) -> None:
    """Send `event` to each agent's pages once the current transaction commits (never if it
    rolls back)."""
    recipients = sorted(set(agent_ids))
    if recipients:
        transaction.on_commit(lambda: publish_rollback_unsafe(recipients, event))


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
    messages = [
        (agent_group(agent_id), {"type": "cc.event", "event": {**event, "event_id": event_id}})
        for (agent_id, event), event_id in zip(copies, event_ids, strict=True)
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
