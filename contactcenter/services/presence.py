"""Presence: an agent is online while at least one workspace page is connected, and each page
says which activity tab it shows (reminders skip agents already looking at the activity).

Live connections are kept in Redis, one hash per agent (`channel name -> expiry`), refreshed by
the page's pings, so several tabs count once and a server that dies without closing its sockets
lets its agents go offline when their entries expire. The database's `Agent.is_online` follows
through `agent_set_online`, after a grace period so a page reload or a network blip does not
make an agent miss routing.
"""

import time

from django.conf import settings

from contactcenter.models import Agent
from contactcenter.redis_client import redis_client
from contactcenter.services.availability import agent_set_online
from contactcenter.tasks import presence_settle as presence_settle_task

# A page pings every 25 s; an entry not refreshed for this long belongs to a dead page.
CONNECTION_TTL = 70


def _connections_key(agent_id: int) -> str:
    return f"cc:agent:{agent_id}:connections"


def _viewing_key(agent_id: int) -> str:
    return f"cc:agent:{agent_id}:viewing"


def agent_connected(*, agent_id: int, channel_name: str) -> None:
    """A workspace page connected: the agent is online."""
    connection_refresh(agent_id=agent_id, channel_name=channel_name)
    agent_set_online(agent_id=agent_id, online=True)


def connection_refresh(*, agent_id: int, channel_name: str) -> None:
    """The page pinged: its connection is alive for another CONNECTION_TTL seconds."""
    redis_client().hset(_connections_key(agent_id), channel_name, time.time() + CONNECTION_TTL)


def agent_disconnected(*, agent_id: int, channel_name: str) -> None:
    """A page closed: once the grace period passes with no page connected, the agent is
    offline."""
    pipeline = redis_client().pipeline()
    pipeline.hdel(_connections_key(agent_id), channel_name)
    pipeline.hdel(_viewing_key(agent_id), channel_name)
    pipeline.execute()
    presence_settle_task.apply_async(args=[agent_id], countdown=settings.AGENT_OFFLINE_GRACE)


def agent_viewing(*, agent_id: int, channel_name: str, activity_id: int | None) -> None:
    """The page shows this activity's tab (None: no activity, or the page is hidden)."""
    if activity_id is None:
        redis_client().hdel(_viewing_key(agent_id), channel_name)
    else:
        redis_client().hset(_viewing_key(agent_id), channel_name, activity_id)


def agents_viewing(*, agent_ids: list[int], activity_id: int) -> set[int]:
    """Which of the agents have a page showing the activity right now."""
    pipeline = redis_client().pipeline(transaction=False)
    for agent_id in agent_ids:
        pipeline.hvals(_viewing_key(agent_id))
    shown = pipeline.execute()
    wanted = str(activity_id).encode()
    return {agent_id for agent_id, values in zip(agent_ids, shown, strict=True) if wanted in values}


def live_connections(agent_id: int) -> int:
    """How many pages of the agent are connected, forgetting those whose pings stopped."""
    client = redis_client()
    key = _connections_key(agent_id)
    now = time.time()
    expired = [name for name, expiry in client.hgetall(key).items() if float(expiry) < now]
    if expired:
        client.hdel(key, *expired)
        client.hdel(_viewing_key(agent_id), *expired)
    return client.hlen(key)


def presence_settle(*, agent_id: int) -> bool:
    """Mark the agent offline if no page of theirs is connected. Returns whether they went
    offline."""
    if live_connections(agent_id):
        return False
    return agent_set_online(agent_id=agent_id, online=False)


def presence_sweep() -> int:
    """Settle every agent marked online (their server may have died). Returns how many went
    offline."""
    online = Agent.objects.filter(is_online=True).values_list("pk", flat=True)
    return sum(presence_settle(agent_id=pk) for pk in list(online))
