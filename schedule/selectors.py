"""Reads of the calendar, always scoped to what the agent may see: their own events and those
shared with a queue they are in. Another agent's private event is never among them."""

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q, QuerySet

from contactcenter.models import Agent, QueueMembership
from schedule.models import CalendarEvent, CalendarSettings


def events_visible_to(agent: Agent) -> QuerySet[CalendarEvent]:
    """The agent's own events and their queues' (one query: the queues are a subquery). The
    module, the widget, the API and the feed all read through this; whoever sees an event may
    change it (a queue's events are its members')."""
    queues = QueueMembership.objects.filter(agent=agent).values("queue_id")
    return CalendarEvent.objects.filter(Q(agent=agent) | Q(queue_id__in=queues))


def events_between(
    agent: Agent, start: datetime | None, end: datetime | None
) -> QuerySet[CalendarEvent]:
    """The agent's events that overlap [start, end) (either bound open; an event of no length
    at `start` counts, one ending at `start` does not), with what a list shows of them."""
    events = events_visible_to(agent)
    if start is not None:
        events = events.filter(Q(ends_at__gt=start) | Q(starts_at__gte=start))
    if end is not None:
        events = events.filter(starts_at__lt=end)
    return events.select_related("queue", "agent", "activity", "contact")


def agent_zone(agent: Agent) -> ZoneInfo:
    """The time zone the agent's times are shown in: their setting, else the server's. The
    settings row is read once per agent object."""
    if not hasattr(agent, "_calendar_zone"):
        name = (
            CalendarSettings.objects.filter(agent=agent).values_list("time_zone", flat=True).first()
        )
        agent._calendar_zone = ZoneInfo(name or settings.TIME_ZONE)
    return agent._calendar_zone


def day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The first instant of `day` and of the next, in `zone` (a day is 23 or 25 hours long when
    the clocks change)."""
    start = datetime.combine(day, time.min, tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
    return start, end


@dataclass(frozen=True)
class Day:
    day: date
    in_month: bool
    has_events: bool
    selected: bool
    today: bool


def month_weeks(agent: Agent, *, month: date, selected: date, today: date) -> list[list[Day]]:
    """The month's grid, Monday first, six weeks or fewer: each day with whether any of the
    agent's events touches it (in their time zone). One query for the whole month."""
    zone = agent_zone(agent)
    first = month.replace(day=1)
    grid_start = first - timedelta(days=first.weekday())
    next_month = (first + timedelta(days=32)).replace(day=1)
    grid_end = next_month + timedelta(days=(7 - next_month.weekday()) % 7)
    start, _ = day_bounds(grid_start, zone)
    end, _ = day_bounds(grid_end, zone)
    busy: set[date] = set()
    spans = events_between(agent, start, end).values_list("starts_at", "ends_at")
    for starts_at, ends_at in spans:
        day = max(starts_at.astimezone(zone).date(), grid_start)
        # An event ending at midnight does not touch the day it ends on.
        last = (ends_at - timedelta(microseconds=1)).astimezone(zone).date()
        last = max(min(last, grid_end - timedelta(days=1)), day)
        while day <= last:
            busy.add(day)
            day += timedelta(days=1)
    days = [grid_start + timedelta(days=n) for n in range((grid_end - grid_start).days)]
    cells = [
        Day(day, day.month == first.month, day in busy, day == selected, day == today)
        for day in days
    ]
    return [cells[n : n + 7] for n in range(0, len(cells), 7)]


def events_on(agent: Agent, day: date) -> QuerySet[CalendarEvent]:
    """The agent's events that touch `day` in their time zone, in order."""
    return events_between(agent, *day_bounds(day, agent_zone(agent)))


def feed_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def agent_for_feed(token: str) -> Agent | None:
    """The agent whose private feed `token` opens, or None (unknown or reset since)."""
    if not token:
        return None
    found = (
        CalendarSettings.objects.filter(feed_token_hash=feed_token_hash(token))
        .select_related("agent")
        .first()
    )
    return found.agent if found else None
