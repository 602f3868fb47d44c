"""The video room's signaling socket, /ws/conference/<room number>/.

An interface only: it lets a socket in through `room_enter` (a customer with the join token the
conference page got for the right number, `?token=`; an agent by the session, who must be the
room's agent or take part in its chat), puts it in the room's group, and relays what the
browsers say to each other. A socket that is refused is closed at once and never joins the
group, so it hears nothing of the room. Close codes: 4403 not admitted, 4404 no such room,
4409 the room has its customer already, 4410 the room has ended.

Frames from the page:
- `{"type": "signal", "to": peer, "description": {...}}` or `{..., "candidate": {...}}`:
  WebRTC's offer, answer or ICE candidate, for one peer in the room.
- `{"type": "state", "camera": bool, "microphone": bool, "screen": bool}`: what it sends now,
  shown to the others.
- `{"type": "alive"}`: the heartbeat, every `services.HEARTBEAT` seconds; a customer not heard
  of for `services.STALE_AFTER` no longer keeps the next one out.
Frames to the page: `welcome` (its own peer id, and who is in the room), `joined`, `left`,
`signal` and `state` (each with `from`), `ended`.
"""

import json
import secrets
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from cobrowse import events
from cobrowse.selectors import present_in
from cobrowse.services import participant_seen, room_enter, room_leave
from contactcenter.exceptions import ApplicationError

CLOSE_ENDED = 4410
# An offer with many candidates stays well under this; anything larger is no browser's.
MAX_FRAME = 64 * 1024


class ConferenceConsumer(AsyncJsonWebsocketConsumer):
    peer = ""
    group = ""

    async def connect(self) -> None:
        number = self.scope["url_route"]["kwargs"]["number"]
        token = _query(self.scope).get("token", "")
        peer = secrets.token_hex(8)
        try:
            participant = await database_sync_to_async(room_enter)(
                number=number, peer=peer, user=self.scope.get("user"), token=token
            )
        except ApplicationError as refusal:
            # Accept first: a close before the handshake reaches the page as a bare failure.
            await self.accept()
            await self.close(code=4000 + refusal.status)
            return
        self.peer = peer
        self.group = events.room_group(participant.room_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        others = await database_sync_to_async(_others)(participant.room_id, peer)
        await self.send_json({"type": "welcome", "id": peer, "peers": others})
        await self.channel_layer.group_send(
            self.group, {"type": events.PEER_JOINED, "peer": _card(participant)}
        )

    async def disconnect(self, code: int) -> None:
        if not self.peer:
            return
        await self.channel_layer.group_discard(self.group, self.channel_name)
        await database_sync_to_async(room_leave)(peer=self.peer)
        await self.channel_layer.group_send(self.group, {"type": events.PEER_LEFT, "id": self.peer})

    async def receive(self, text_data=None, bytes_data=None, **kwargs) -> None:
        if text_data is None or len(text_data) > MAX_FRAME:
            return
        await super().receive(text_data=text_data, **kwargs)

    @classmethod
    async def decode_json(cls, text_data: str):
        try:
            return json.loads(text_data)
        except (ValueError, RecursionError):
            return None

    async def receive_json(self, content, **kwargs) -> None:
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        if kind == "signal" and isinstance(content.get("to"), str):
            frame = {"type": "signal", "from": self.peer}
            if isinstance(content.get("description"), dict):
                frame["description"] = content["description"]
            elif isinstance(content.get("candidate"), dict | None):
                frame["candidate"] = content.get("candidate")
            await self._relay(content["to"], frame)
        elif kind == "alive":
            await database_sync_to_async(participant_seen)(peer=self.peer)
        elif kind == "state":
            flags = {key: content.get(key) is True for key in ("camera", "microphone", "screen")}
            await self._relay(None, {"type": "state", "from": self.peer, **flags})

    async def _relay(self, to: str | None, frame: dict) -> None:
        """To one peer of the room, or (None) to every other."""
        await self.channel_layer.group_send(
            self.group, {"type": events.SIGNAL, "to": to, "from": self.peer, "frame": frame}
        )

    async def room_signal(self, message: dict) -> None:
        wanted = message["to"] == self.peer or (message["to"] is None)
        if wanted and message["from"] != self.peer:
            await self.send_json(message["frame"])

    async def room_peer_joined(self, message: dict) -> None:
        if message["peer"]["id"] != self.peer:
            await self.send_json({"type": "joined", "peer": message["peer"]})

    async def room_peer_left(self, message: dict) -> None:
        if message["id"] != self.peer:
            await self.send_json({"type": "left", "id": message["id"]})

    async def room_ended(self, message: dict) -> None:
        await self.send_json({"type": "ended"})
        await self.close(code=CLOSE_ENDED)


def _query(scope: dict) -> dict[str, str]:
    parsed = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    return {key: values[-1] for key, values in parsed.items()}


def _others(room_id: int, peer: str) -> list[dict]:
    return [_card(each) for each in present_in(room_id).exclude(peer=peer)]


def _card(participant) -> dict:
    return {"id": participant.peer, "label": participant.label, "role": participant.role}
