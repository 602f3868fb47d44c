"""The agent workspace's websocket, /ws/agent/.

An interface only: it authenticates by the Django session, joins the agent's group, reports
presence, sends the snapshot, and turns group events into frames. Close codes: 4401 not logged
in, 4403 logged in but not an agent.

Frames from the page:
- `{"type": "ping"}`: answered `{"type": "pong"}`; keeps the connection counted as alive.
- `{"type": "resync"}`: answered with a fresh snapshot (the page saw a gap in event ids).
- `{"type": "viewing", "activity_id": N | null}`: which activity tab the page shows (null: none,
  or the page is hidden); reminders skip agents who are looking.
Actions (accept, close, ...) go through the REST API, which answers with errors in place.
"""

import json

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from contactcenter.events import agent_group
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
        # Join before reading the snapshot: an event published in between arrives after the
        # snapshot with a larger id, and the page applies it.
        await self.channel_layer.group_add(agent_group(agent.pk), self.channel_name)
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

    async def disconnect(self, code: int) -> None:
        if self.agent is None:
            return
        await self.channel_layer.group_discard(agent_group(self.agent.pk), self.channel_name)
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
            await self.send_json({"type": "pong"})
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
                    "detail": 'Expected a "ping", "resync" or "viewing" frame.',
                }
            )

    async def _send_snapshot(self) -> None:
        await self.send_json(await database_sync_to_async(agent_snapshot)(self.agent.pk))

    async def cc_event(self, message: dict) -> None:
        """A group event published with type "cc.event": its `event` goes to the page as is."""
        await self.send_json(message["event"])


def _is_activity_id(value) -> bool:
    return value is None or (isinstance(value, int) and not isinstance(value, bool))
