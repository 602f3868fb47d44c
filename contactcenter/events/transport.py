"""How events reach the agents' pages: through streams, one per agent (what is theirs: offers,
their chats, their pause) and one per queue (its waiting list, which every member sees).

Publishing an event on a stream numbers it (the stream's next `event_id`), keeps it in a Redis
Stream for replay, and publishes it once to the stream's channel-layer group: a page's
connection joins its agent's group and the groups of the agent's queues. The layer is Redis
pub/sub, so a queue-wide event costs the same two Redis round trips whether its queue has 4
agents or 1,000 (each server process receives it once and hands it to its own pages), and it
is serialized once, not once per page.

Delivery is at most once: a page keeps the last id it applied per stream, and one that sees a
gap asks for the missed events (`events_after`, from the kept stream) instead of a snapshot;
its pings carry its ids, so even a lost last event is found within a ping. Events describe
state, not commands: applying one twice, or after a snapshot that covers it, is harmless.

Services publish through `publish_on_commit`: an event about a change that rolled back must
never reach a page. `publish_rollback_unsafe` sends at once, for callers outside a transaction
(or in an on-commit callback). A publish that fails after the commit (Redis down or restarting)
is logged and dropped: the change stands, and the pages catch up as above.
"""

import asyncio
import json
import os
import threading
from collections.abc import Callable, Iterable

from channels.layers import get_channel_layer
from django.db import transaction

from contactcenter.redis_client import redis_client

# Seconds a publish may take before the caller gives up on it (delivery is at most once anyway).
PUBLISH_TIMEOUT = 10
# Events kept per stream for replay: minutes of a busy queue; a page further behind resyncs.
KEPT_PER_STREAM = 1000
# The supervisors' live monitors listen here for what changed (`deliver`, `monitor_hint`).
MONITOR_GROUP = "monitor"

# Numbers an event and keeps it, in one step, so that ids and the kept order always agree.
_NUMBER_AND_KEEP = """
local event_id = redis.call('INCR', KEYS[1])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], event_id .. '-1', 'event', ARGV[1])
return event_id
"""


def agent_stream(agent_id: int) -> str:
    """What is one agent's: offers, the activities they take part in, pause, queues."""
    return f"agent.{agent_id}"


def queue_stream(queue_id: int) -> str:
    """What every member of a queue sees: its waiting list."""
    return f"queue.{queue_id}"


def agent_streams(agent_ids: Iterable[int]) -> list[str]:
    return [agent_stream(agent_id) for agent_id in sorted(set(agent_ids))]


def workspace_streams(agent_id: int, queue_ids: Iterable[int]) -> list[str]:
    """The streams an agent's workspace follows: their own, and each of their queues'."""
    return [agent_stream(agent_id), *(queue_stream(queue_id) for queue_id in sorted(queue_ids))]


def _sequence_key(stream: str) -> str:
    return f"cc:events:{stream}:last"


def _kept_key(stream: str) -> str:
    return f"cc:events:{stream}:kept"


def last_event_ids(streams: Iterable[str]) -> dict[str, int]:
    """The id of the last event of each stream; a snapshot read after them includes them."""
    streams = list(streams)
    values = redis_client().mget([_sequence_key(stream) for stream in streams]) if streams else []
    return {stream: int(value or 0) for stream, value in zip(streams, values, strict=True)}


def events_after(stream: str, event_id: int) -> list[dict] | None:
    """The stream's events after `event_id`, oldest first, as pages receive them; None when
    some of them are no longer kept (the page needs a snapshot)."""
    entries = redis_client().xrange(_kept_key(stream), min=f"({event_id}-1", max="+")
    numbered = [(int(entry_id.split(b"-")[0]), fields[b"event"]) for entry_id, fields in entries]
    if numbered and numbered[0][0] != event_id + 1:
        return None
    if not numbered and last_event_ids([stream])[stream] > event_id:
        return None
    return [_numbered(json.loads(event), stream, number) for number, event in numbered]


def events_since(positions: dict[str, int]) -> list[dict] | None:
    """Every event a page has not seen, given the last id it applied per stream, stream by
    stream; None when some are no longer kept (the page needs a snapshot)."""
    latest = last_event_ids(positions)
    missed: list[dict] = []
    for stream, seen in positions.items():
        if latest[stream] > seen:
            after = events_after(stream, seen)
            if after is None:
                return None
            missed += after
    return missed


def after_commit(publish: Callable[[], None]) -> None:
    """Run `publish` once the current transaction commits (never if it rolls back); an error in
    it is logged, never raised into the request or task whose change it reports."""
    transaction.on_commit(publish, robust=True)


def publish_on_commit(streams: Iterable[str], event: dict) -> None:
    """Send `event` on each stream once the current transaction commits."""
    streams = list(streams)
    if streams:
        after_commit(lambda: publish_rollback_unsafe(streams, event))


def publish_rollback_unsafe(streams: Iterable[str], event: dict) -> None:
    """Send `event` on each stream now."""
    publish_all_rollback_unsafe([(streams, event)])


def publish_all_rollback_unsafe(batch: Iterable[tuple[Iterable[str], dict]]) -> None:
    """Send several events now, in order: one Redis round trip numbers and keeps them all, one
    hand-over to the publisher loop sends them."""
    copies = [(stream, event) for streams, event in batch for stream in streams]
    if not copies:
        return
    pipeline = redis_client().pipeline(transaction=False)
    for stream, event in copies:
        pipeline.eval(
            _NUMBER_AND_KEEP, 2, _sequence_key(stream), _kept_key(stream),
            json.dumps(event), KEPT_PER_STREAM,
        )  # fmt: skip
    event_ids = pipeline.execute()
    deliver(
        [
            (stream, _numbered(event, stream, event_id))
            for (stream, event), event_id in zip(copies, event_ids, strict=True)
        ]
    )


def _numbered(event: dict, stream: str, event_id: int) -> dict:
    return {**event, "stream": stream, "event_id": event_id}


def deliver(copies: list[tuple[str, dict]]) -> None:
    """Hand each numbered event to its stream's group, in order, serialized once; and tell the
    supervisors' monitors, in the same hand-over, whom and what the events concerned."""
    messages = [
        (stream, {"type": "cc.event", "kind": event["type"], "text": json.dumps(event)})
        for stream, event in copies
    ]
    _send([*messages, (MONITOR_GROUP, _hint(copies))])


def monitor_hint(*, agent_ids: Iterable[int] = (), queue_ids: Iterable[int] = ()) -> None:
    """Tell the monitors, once the current transaction commits, about a change that publishes
    no event to the agents' pages (an agent coming online or going offline)."""
    hint = {"type": "monitor.hint", "agents": list(agent_ids), "queues": list(queue_ids),
            "activities": []}  # fmt: skip
    after_commit(lambda: _send([(MONITOR_GROUP, hint)]))


def _hint(copies: list[tuple[str, dict]]) -> dict:
    """The agents, queues and activities a batch of events concerned: a monitor redraws what
    they show, a supervisor watching one of the activities fetches its new lines."""
    agents, queues, activities = set(), set(), set()
    for stream, event in copies:
        kind, _, number = stream.partition(".")
        (agents if kind == "agent" else queues).add(int(number))
        activity = event.get("activity_id") or (event.get("activity") or {}).get("id")
        activity = activity or ((event.get("offer") or {}).get("activity") or {}).get("id")
        if activity:
            activities.add(activity)
    return {"type": "monitor.hint", "agents": sorted(agents), "queues": sorted(queues),
            "activities": sorted(activities)}  # fmt: skip


def _send(messages: list[tuple[str, dict]]) -> None:
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
