"""What an agent's workspace would receive: a channel of our own in the agent's channel-layer
group, so service tests can assert which agent got which real-time event. And what a Celery
worker would be asked to run (`delays`), since no worker consumes the tests' broker.

Services publish after their transaction commits and before they return, so the events are
already in Redis when a test reads them; the short timeout only decides when nothing more came.

Every inbox receives on one event loop of its own thread, not through `async_to_sync` (a new
loop per call): channels-redis keeps the messages of its `new_channel` channels in one buffer
per layer whose queues belong to the loop that first waited on them.
"""

import asyncio
import threading
from collections.abc import Coroutine
from functools import cache

import pytest
from celery import Task
from channels.layers import get_channel_layer

from contactcenter.events import agent_group
from contactcenter.models import Agent

# Seconds of silence after which an inbox is read to the end.
QUIET = 0.2


class Inbox:
    """Subscribed from creation on; `events()` and `types()` return everything received so far.

    Not unsubscribed at the end: the channel layer forgets group members after its group expiry,
    and what reaches a forgotten channel is dropped after the layer's message expiry.
    """

    def __init__(self, agent: Agent):
        self.layer = get_channel_layer()
        self.received: list[dict] = []
        self.channel = _run(self.layer.new_channel())
        _run(self.layer.group_add(agent_group(agent.pk), self.channel))

    def events(self, type: str | None = None) -> list[dict]:
        """Every event received so far (of one type, if given), oldest first."""
        self.received += _run(self._drain())
        return [event for event in self.received if type is None or event["type"] == type]

    def types(self) -> list[str]:
        """The types of every event received so far, oldest first."""
        return [event["type"] for event in self.events()]

    async def _drain(self) -> list[dict]:
        events = []
        while True:
            try:
                message = await asyncio.wait_for(self.layer.receive(self.channel), QUIET)
            except TimeoutError:
                return events
            events.append(message["event"])


@cache
def _loop() -> asyncio.AbstractEventLoop:
    """The inboxes' event loop, running for the rest of the test session."""
    loop = asyncio.new_event_loop()
    threading.Thread(target=loop.run_forever, name="inboxes", daemon=True).start()
    return loop


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
