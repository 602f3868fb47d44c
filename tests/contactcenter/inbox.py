"""What an agent's workspace would receive: a channel of our own in the groups of the streams
the agent's workspace follows (their own and their queues'), so service tests can assert which
agent got which real-time event. And what a Celery worker would be asked to run (`delays`),
since no worker consumes the tests' broker.

Services publish after their transaction commits and before they return, so the events are
on their way when a test reads them; a short silence decides when nothing more came.

Every inbox receives on one event loop of its own thread, not through `async_to_sync` (a new
loop per call): the channel layer's connections and queues belong to the loop that made them.
"""

import asyncio
import json
import threading
import time
from collections.abc import Coroutine
from functools import cache

import pytest
from celery import Task
from channels.layers import get_channel_layer

from contactcenter.events import workspace_streams
from contactcenter.models import Agent, QueueMembership

# Seconds of silence after which an inbox is read to the end.
QUIET = 0.2


class Inbox:
    """Subscribed from creation on; `events()` and `types()` return everything received so far.

    Its channel receives for the rest of the session (the pub/sub layer drops a channel whose
    receive is cancelled), on the inboxes' loop.
    """

    def __init__(self, agent: Agent):
        self.layer = get_channel_layer()
        self.received: list[dict] = []
        self.channel = _run(self.layer.new_channel())
        queues = QueueMembership.objects.filter(agent=agent).values_list("queue_id", flat=True)
        for stream in workspace_streams(agent.pk, queues):
            _run(self.layer.group_add(stream, self.channel))
        asyncio.run_coroutine_threadsafe(self._receive(), _loop())

    def events(self, type: str | None = None) -> list[dict]:
        """Every event received so far (of one type, if given), oldest first."""
        _quiet_for(QUIET, lambda: len(self.received))
        return [event for event in self.received if type is None or event["type"] == type]

    def types(self) -> list[str]:
        """The types of every event received so far, oldest first."""
        return [event["type"] for event in self.events()]

    async def _receive(self) -> None:
        while True:
            message = await self.layer.receive(self.channel)
            self.received.append(json.loads(message["text"]))


def _quiet_for(seconds: float, count) -> None:
    """Wait until `count()` has not changed for `seconds` (10 s at the most)."""
    give_up = time.monotonic() + 10
    last, since = count(), time.monotonic()
    while time.monotonic() - since < seconds and time.monotonic() < give_up:
        time.sleep(0.02)
        if count() != last:
            last, since = count(), time.monotonic()


@cache
def _loop() -> asyncio.AbstractEventLoop:
    """The inboxes' event loop, running for the rest of the test session."""
    loop = asyncio.new_event_loop()
    threading.Thread(target=loop.run_forever, name="inboxes", daemon=True).start()
    return loop


def inboxes_stop() -> None:
    """Stop the inboxes' loop, if it ever started (at the end of the session)."""
    if _loop.cache_info().currsize:
        _loop().call_soon_threadsafe(_loop().stop)


def _run(coroutine: Coroutine):
    return asyncio.run_coroutine_threadsafe(coroutine, _loop()).result(timeout=30)


def inboxes(*agents: Agent) -> list[Inbox]:
    """One inbox per agent, in order."""
    return [Inbox(agent) for agent in agents]


def delays(monkeypatch: pytest.MonkeyPatch, task: Task) -> list[tuple]:
    """Record the arguments of every `task.delay(...)` (also those `delay_on_commit` makes after
    the commit) instead of sending them to the broker."""
    calls: list[tuple] = []
    monkeypatch.setattr(task, "delay", lambda *args: calls.append(args))
    return calls
