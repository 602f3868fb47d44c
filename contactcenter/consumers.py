"""The agent workspace's websocket, /ws/agent/.

An interface only: it authenticates by the Django session, joins the agent's group, and turns
group events into frames. Close codes: 4401 not logged in, 4403 logged in but not an agent.
"""

import json

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from contactcenter.selectors import agent_for_user

CLOSE_NOT_AUTHENTICATED = 4401
CLOSE_NOT_AN_AGENT = 4403


def agent_group(agent_id: int) -> str:
    """The channel-layer group every open workspace of one agent joins."""
    return f"agent.{agent_id}"


class AgentConsumer(AsyncJsonWebsocketConsumer):
    group: str | None = None

    async def connect(self) -> None:
        user = self.scope["user"]
        if not user.is_authenticated:
            await self._refuse(CLOSE_NOT_AUTHENTICATED)
            return
        agent = await database_sync_to_async(agent_for_user)(user)
        if agent is None:
            await self._refuse(CLOSE_NOT_AN_AGENT)
            return
        self.group = agent_group(agent.id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def _refuse(self, code: int) -> None:
        # Accept first: a close before the handshake completes reaches the browser as a bare
        # HTTP 403, and the page could not tell "log in again" from any other failure.
        await self.accept()
        await self.close(code=code)

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    @classmethod
    async def decode_json(cls, text_data: str):
        try:
            return json.loads(text_data)
        except ValueError:
            return None

    async def receive_json(self, content, **kwargs) -> None:
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})
        else:
            await self.send_json(
                {
                    "type": "error",
                    "code": "unknown_frame",
                    "detail": 'Expected {"type": "ping"}.',
                }
            )

    async def cc_event(self, message: dict) -> None:
        """A group event published with type "cc.event": its `event` goes to the page as is."""
        await self.send_json(message["event"])
