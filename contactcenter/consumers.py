"""The agent workspace's websocket, /ws/agent/.

An interface only: it authenticates by the Django session, follows the agent's event streams
(their own and their queues': contactcenter/events/transport.py), reports presence, sends the
snapshot, and passes events on as they were serialized. Close codes: 4401 not logged in, 4403
logged in but not an agent.

Frames from the page:
- `{"type": "ping", "event_ids": {stream: id}}`: answered `{"type": "pong"}`, after any event
  of those streams the page has not seen (a lost last event is found this way); keeps the
  connection counted as alive.
- `{"type": "replay", "event_ids": {stream: id}}`: the page saw a gap; answered with the events
  after those ids, then `{"type": "replayed"}` (or a snapshot, when they are no longer kept).
- `{"type": "resync"}`: answered with a fresh snapshot.
- `{"type": "viewing", "activity_id": N | null}`: which activity tab the page shows (null: none,
  or the page is hidden); reminders skip agents who are looking.
Actions (accept, close, ...) go through the REST API, which answers with errors in place.
"""

import json

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from contactcenter import events
from contactcenter.selectors import agent_for_user
from contactcenter.services.presence import (
    agent_connected,
    agent_disconnected,
    agent_viewing,
    connection_refresh,
)
from contactcenter.snapshot import agent_snapshot

CLOSE_NOT_AUTHENTICATED = 4401
CLOSE_NOT_AN_AGENT = 4403


class AgentConsumer(AsyncJsonWebsocketConsumer):
    agent = None
    streams: frozenset[str] = frozenset()

    async def connect(self) -> None:
        user = self.scope["user"]
        if not user.is_authenticated:
            await self._refuse(CLOSE_NOT_AUTHENTICATED)
            return
        agent = await database_sync_to_async(agent_for_user)(user)
        if agent is None:
            await self._refuse(CLOSE_NOT_AN_AGENT)
            return
        self.agent = agent
        # Follow before reading the snapshot: an event published in between arrives after the
        # snapshot with a larger id, and the page applies it.
        queues = [membership.queue_id for membership in agent.memberships.all()]
        await self._follow(events.workspace_streams(agent.pk, queues))
        await self.accept()
        await database_sync_to_async(agent_connected)(
            agent_id=agent.pk, channel_name=self.channel_name
        )
        await self._send_snapshot()

    async def _refuse(self, code: int) -> None:
        # Accept first: a close before the handshake completes reaches the browser as a bare
        # HTTP 403, and the page could not tell "log in again" from any other failure.
        await self.accept()
        await self.close(code=code)

    async def _follow(self, streams: list[str]) -> None:
        """Join the groups of `streams`, leave those of streams no longer followed."""
        wanted = frozenset(streams)
        for stream in self.streams - wanted:
            await self.channel_layer.group_discard(stream, self.channel_name)
        for stream in wanted - self.streams:
            await self.channel_layer.group_add(stream, self.channel_name)
        self.streams = wanted

    async def disconnect(self, code: int) -> None:
        if self.agent is None:
            return
        await self._follow([])
        await database_sync_to_async(agent_disconnected)(
            agent_id=self.agent.pk, channel_name=self.channel_name
        )

    @classmethod
    async def decode_json(cls, text_data: str):
        """The frame, or None for text that is no JSON, or JSON nested too deep to decode
        (Python's decoder gives up on that with a RecursionError)."""
        try:
            return json.loads(text_data)
        except (ValueError, RecursionError):
            return None

    async def receive_json(self, content, **kwargs) -> None:
        kind = content.get("type") if isinstance(content, dict) else None
        if kind == "ping":
            await database_sync_to_async(connection_refresh)(
                agent_id=self.agent.pk, channel_name=self.channel_name
            )
            await self._catch_up(content.get("event_ids"))
            await self.send_json({"type": "pong"})
        elif kind == "replay":
            await self._catch_up(content.get("event_ids"))
            await self.send_json({"type": "replayed"})
        elif kind == "resync":
            await self._send_snapshot()
        elif kind == "viewing" and _is_activity_id(content.get("activity_id")):
            await database_sync_to_async(agent_viewing)(
                agent_id=self.agent.pk,
                channel_name=self.channel_name,
                activity_id=content["activity_id"],
            )
        else:
            await self.send_json(
                {
                    "type": "error",
                    "code": "unknown_frame",
                    "detail": 'Expected a "ping", "replay", "resync" or "viewing" frame.',
                }
            )

    async def _catch_up(self, seen) -> None:
        """Send the events of the followed streams that the page has not seen (`seen`: the last
        id it applied per stream), or a snapshot when they are no longer kept."""
        if not isinstance(seen, dict):
            return
        positions = {
            stream: event_id
            for stream, event_id in seen.items()
            if stream in self.streams and _is_whole(event_id)
        }
        missed = await sync_to_async(events.events_since)(positions)
        if missed is None:
            await self._send_snapshot()
            return
        for event in missed:
            await self.send_json(event)

    async def _send_snapshot(self) -> None:
        await self.send_json(await database_sync_to_async(agent_snapshot)(self.agent.pk))

    async def dispatch(self, message: dict) -> None:
        """A published event goes straight to its handler. Channels' own dispatch first hands
        every message to a thread to close stale database connections: for an event that
        touches no database that hop was most of daphne's CPU when a queue event reached a
        thousand sockets. Every handler that does reach the database goes through
        `database_sync_to_async`, which closes stale connections itself."""
        if message["type"] == "cc.event":
            await self.cc_event(message)
        else:
            await super().dispatch(message)

    async def cc_event(self, message: dict) -> None:
        """A published event (type "cc.event"), already serialized for the page. A change of
        the agent's own queues changes what the page follows: it gets a new snapshot."""
        await self.send(text_data=message["text"])
        if message["kind"] == events.QUEUES_CHANGED:
            queues = [each["queue"]["id"] for each in json.loads(message["text"])["queues"]]
            streams = events.workspace_streams(self.agent.pk, queues)
            if frozenset(streams) != self.streams:
                await self._follow(streams)
                await self._send_snapshot()


def _is_activity_id(value) -> bool:
    return value is None or _is_whole(value)


def _is_whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
