"""What the live monitor shows, read whole: every agent's state and since when, every queue's
load and today's figures, the customers waiting and the chats going on.

The monitor's socket sends it on connect and again after each change it hears of, so the page
never polls and never shows a state older than the last change. A fixed number of queries
(`tests/supervision/test_monitor.py`), whatever the number of agents or chats.
"""

from collections import defaultdict
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import Count, Max, Min
from django.utils import timezone

from contactcenter.models import (
    Activity,
    ActivityState,
    Agent,
    Offer,
    OfferOutcome,
    Participant,
    Pause,
    Queue,
    QueueMembership,
)
from supervision.reports import report_build

# The waiting customers and the chats going on, oldest first, that the monitor lists.
LISTED = 200


def monitor_state(tz: ZoneInfo) -> dict:
    agents = _agents()
    return {
        "server_time": timezone.now().isoformat(),
        "agents": agents,
        "queues": _queues(agents, tz),
        "waiting": _waiting(),
        "chats": _chats(),
    }


def _agents() -> list[dict]:
    """Each agent's state, in this order of precedence: offline, paused, ringing, busy (one or
    more chats open), ready; with the time it began as well as the data can tell."""
    open_chats = _by_owner(
        Activity.objects.filter(state=ActivityState.OPEN)
        .values("owner")
        .annotate(count=Count("pk"), since=Min("accepted_at"))
    )
    ringing = {
        row["agent"]: row
        for row in Offer.objects.filter(outcome=OfferOutcome.PENDING)
        .values("agent")
        .annotate(count=Count("pk"), since=Min("created_at"))
    }
    pauses = {
        pause.agent_id: pause
        for pause in Pause.objects.filter(ended_at__isnull=True).select_related("reason")
    }
    agents = list(Agent.objects.order_by("display_name", "pk"))
    queues = defaultdict(list)
    for membership in QueueMembership.objects.order_by("queue__number").values(
        "agent", "queue", "logged_in"
    ):
        queues[membership["agent"]].append(
            {"id": membership["queue"], "logged_in": membership["logged_in"]}
        )
    free_since = _free_since(
        [agent.pk for agent in agents if agent.is_online and agent.pk not in pauses]
    )
    rows = []
    for agent in agents:
        chats = open_chats.get(agent.pk, {"count": 0, "since": None})
        state, since = _state(agent, pauses.get(agent.pk), ringing.get(agent.pk), chats)
        if state == "ready":
            since = max(filter(None, [agent.presence_changed_at, free_since.get(agent.pk)]),
                        default=None)  # fmt: skip
        pause = pauses.get(agent.pk)
        rows.append({
            "id": agent.pk,
            "name": agent.display_name,
            "state": state,
            "since": _iso(since),
            "open_chats": chats["count"],
            "max_open_chats": agent.max_open_chats,
            "pause": {"reason": pause.reason.name, "paid": pause.reason.paid} if pause else None,
            "queues": queues[agent.pk],
        })  # fmt: skip
    return rows


def _state(agent: Agent, pause, ringing, chats) -> tuple[str, datetime | None]:
    if not agent.is_online:
        return "offline", agent.presence_changed_at
    if pause is not None:
        return "paused", pause.started_at
    if ringing is not None:
        return "ringing", ringing["since"]
    if chats["count"]:
        return "busy", chats["since"]
    return "ready", None


def _free_since(agent_ids: list[int]) -> dict[int, datetime]:
    """When each of these agents (online, not paused) last became free of work: their last
    pause ended, notification answered or chat left (closed, transferred or left). Read through
    the agent's rows only, so the history's size does not matter."""
    latest: dict[int, datetime] = {}
    for rows in (
        Pause.objects.filter(agent__in=agent_ids).values("agent").annotate(at=Max("ended_at")),
        Offer.objects.filter(agent__in=agent_ids).values("agent").annotate(at=Max("decided_at")),
        Participant.objects.filter(agent__in=agent_ids).values("agent").annotate(at=Max("left_at")),
    ):
        for row in rows:
            if row["at"] and (row["agent"] not in latest or row["at"] > latest[row["agent"]]):
                latest[row["agent"]] = row["at"]
    return latest


def _queues(agents: list[dict], tz: ZoneInfo) -> list[dict]:
    waiting = {
        row["queue"]: row
        for row in Activity.objects.filter(state=ActivityState.WAITING)
        .values("queue")
        .annotate(count=Count("pk"), since=Min("queued_at"))
    }
    ringing = dict(
        Offer.objects.filter(outcome=OfferOutcome.PENDING, activity__state=ActivityState.WAITING)
        .values("activity__queue")
        .annotate(count=Count("pk"))
        .values_list("activity__queue", "count")
    )
    today = timezone.localdate(timezone=tz)
    report = report_build(start=today, end=today, by="queue", tz=tz, live=True)
    figures = {row.key: row for row in report.rows}
    rows = []
    for queue in Queue.objects.order_by("number"):
        logged_in = [
            agent for agent in agents
            if agent["state"] != "offline"
            and any(q["id"] == queue.pk and q["logged_in"] for q in agent["queues"])
        ]  # fmt: skip
        rows.append({
            "id": queue.pk,
            "name": str(queue),
            "waiting": waiting.get(queue.pk, {}).get("count", 0),
            "longest_wait_since": _iso(waiting.get(queue.pk, {}).get("since")),
            "ringing": ringing.get(queue.pk, 0),
            "logged_in": len(logged_in),
            "ready": sum(agent["state"] == "ready" for agent in logged_in),
            "paused": sum(agent["state"] == "paused" for agent in logged_in),
            "today": _today(figures.get(queue.pk)),
            "thresholds": {
                "wait_warning": queue.wait_warning_seconds,
                "wait_alert": queue.wait_alert_seconds,
                "service_level_target": queue.service_level_target,
                "service_level_alert": queue.service_level_alert,
            },
        })  # fmt: skip
    return rows


def _today(row) -> dict:
    if row is None:
        return {"offered": 0, "accepted": 0, "missed": 0, "rejected": 0, "unanswered": 0,
                "asa_seconds": None, "service_level": None}  # fmt: skip
    return {
        "offered": row.offered,
        "accepted": row.accepted,
        "missed": row.missed,
        "rejected": row.rejected,
        "unanswered": row.unanswered,
        "asa_seconds": round(row.asa.total_seconds()) if row.asa else None,
        "service_level": row.service_level,
    }


def _waiting() -> list[dict]:
    activities = Activity.objects.filter(state=ActivityState.WAITING).order_by("queued_at", "pk")
    ringing = dict(
        Offer.objects.filter(
            outcome=OfferOutcome.PENDING, activity__state=ActivityState.WAITING
        ).values_list("activity", "agent__display_name")
    )
    return [
        {"id": activity.pk, "title": str(activity), "queue": activity.queue_id,
         "queued_at": _iso(activity.queued_at), "ringing": ringing.get(activity.pk)}
        for activity in activities[:LISTED]
    ]  # fmt: skip


def _chats() -> list[dict]:
    chats = (
        Activity.objects.filter(state=ActivityState.OPEN)
        .select_related("owner")
        .order_by("accepted_at", "pk")
    )
    return [
        {"id": activity.pk, "title": str(activity), "queue": activity.queue_id,
         "owner": activity.owner.display_name, "accepted_at": _iso(activity.accepted_at)}
        for activity in chats[:LISTED]
    ]  # fmt: skip


def _by_owner(rows) -> dict[int, dict]:
    return {row["owner"]: row for row in rows}


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
