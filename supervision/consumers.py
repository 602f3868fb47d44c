"""The live monitor's websocket, /ws/monitor/, for supervisors (4401 not logged in, 4403 not
a supervisor).

On connect, and on `{"type": "resync"}`, it sends a snapshot: the monitor's whole state
(`supervision.monitor`). It then listens to the events' monitor group: each batch of events
published anywhere names the agents, queues and activities it concerned
(`contactcenter.events.transport.deliver`). Agents or queues named: the state is read again,
at most once per FLUSH_SECONDS however many changes arrive, and sent as `{"type": "state"}`.
Every frame carries an `event_id` one larger than the last, so the page knows it missed
nothing. The activity the page watches (`{"type": "watch", "activity_id": N | null}`) named:
`{"type": "activity.changed"}`, and the page fetches its new lines.
"""

import asyncio
import zoneinfo
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from contactcenter.events import MONITOR_GROUP
from contactcenter.permissions import is_supervisor
from supervision.monitor import monitor_state

CLOSE_NOT_AUTHENTICATED = 4401
CLOSE_NOT_A_SUPERVISOR = 4403
FLUSH_SECONDS = 0.25


class MonitorConsumer(AsyncJsonWebsocketConsumer):
    event_id = 0
    watching: int | None = None
    flush: asyncio.Task | None = None
    joined = False

    async def connect(self) -> None:
        user = self.scope["user"]
        await self.accept()
        if not user.is_authenticated or not is_supervisor(user):
            code = CLOSE_NOT_A_SUPERVISOR if user.is_authenticated else CLOSE_NOT_AUTHENTICATED
            await self.close(code=code)
            return
        self.tz = _time_zone(self.scope.get("query_string", b""))
        # Listen before reading: a change in between is heard and sent after the snapshot.
        await self.channel_layer.group_add(MONITOR_GROUP, self.channel_name)
        self.joined = True
        await self._send_state("snapshot")

    async def disconnect(self, code: int) -> None:
        if self.flush is not None:
            self.flush.cancel()
        if self.joined:
            await self.channel_layer.group_discard(MONITOR_GROUP, self.channel_name)

    async def receive_json(self, content, **kwargs) -> None:
        kind = content.get("type") if isinstance(content, dict) else None
        if kind == "resync":
            await self._send_state("snapshot")
        elif kind == "watch":
            activity_id = content.get("activity_id")
            self.watching = activity_id if isinstance(activity_id, int) else None
        elif kind == "ping":
            await self.send_json({"type": "pong"})

    async def monitor_hint(self, message: dict) -> None:
        """Something changed (see the module's docstring)."""
        if self.watching is not None and self.watching in message["activities"]:
            await self._send({"type": "activity.changed", "activity_id": self.watching})
        if (message["agents"] or message["queues"]) and self.flush is None:
            self.flush = asyncio.ensure_future(self._flush())

    async def _flush(self) -> None:
        await asyncio.sleep(FLUSH_SECONDS)
        self.flush = None
        await self._send_state("state")

    async def _send_state(self, kind: str) -> None:
        state = await database_sync_to_async(monitor_state)(self.tz)
        await self._send({"type": kind, **state})

    async def _send(self, frame: dict) -> None:
        self.event_id += 1
        await self.send_json({**frame, "event_id": self.event_id})


def _time_zone(query_string: bytes) -> zoneinfo.ZoneInfo:
    """The page's `?tz=` (the supervisor's browser's zone), else the installation's."""
    name = parse_qs(query_string.decode()).get("tz", [""])[0]
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)
