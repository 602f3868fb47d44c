"""The calendar's real-time events, defined and built as the core's are
(contactcenter/events/): published after the commit, on the owner's stream and the shared
queue's."""

from typing import Literal, TypedDict

from contactcenter.events import agent_stream, publish_on_commit, queue_stream
from contactcenter.events.schema import define

CALENDAR_CHANGED = "calendar.changed"
CALENDAR_REMINDER = "calendar.reminder"


@define(CALENDAR_CHANGED)
class CalendarChanged(TypedDict):
    """The event's agent and the members of its queue (before and after a change): an event
    was created, changed or deleted; their calendars load again."""

    type: Literal["calendar.changed"]
    calendar_event_id: int


@define(CALENDAR_REMINDER)
class CalendarReminder(TypedDict):
    """The event's agent, at its time: a follow-up is due. `activity_id`: its chat, while the
    agent still takes part in it (the toast opens it); else `customer`, to whom the toast starts
    a new message (null: no channel known)."""

    type: Literal["calendar.reminder"]
    calendar_event_id: int
    title: str
    description: str
    starts_at: str
    activity_id: int | None
    customer: dict | None


def calendar_changed(event_id: int, *, agent_id: int | None, queue_ids: set[int | None]) -> None:
    streams = [agent_stream(agent_id)] if agent_id else []
    streams += [queue_stream(queue_id) for queue_id in sorted(q for q in queue_ids if q)]
    event = CalendarChanged(type=CALENDAR_CHANGED, calendar_event_id=event_id)
    publish_on_commit(streams, event)


def calendar_reminder(agent_id: int, **payload) -> None:
    publish_on_commit([agent_stream(agent_id)], CalendarReminder(type=CALENDAR_REMINDER, **payload))
