"""An agent's events as an iCalendar document (RFC 5545), for their own calendar app: one
VEVENT per event, with a UID stable across fetches, times in UTC, and the chat's address for a
follow-up."""

from collections.abc import Iterable
from urllib.parse import urlsplit

from django.utils import timezone
from icalendar import Calendar, Event

from contactcenter.models import Agent
from schedule.models import CalendarEvent

PRODID = "-//Contact center//Calendar//EN"


def event_uid(event: CalendarEvent, host: str) -> str:
    return f"calendar-event-{event.pk}@{host}"


def chat_url(event: CalendarEvent, base_url: str) -> str | None:
    """The workspace opened on the follow-up's chat (its tab, while the agent takes part)."""
    return f"{base_url}#activity-{event.activity_id}" if event.activity_id else None


def feed_calendar(events: Iterable[CalendarEvent], *, agent: Agent, base_url: str) -> bytes:
    """The document; `base_url` is the site's root ("https://host/")."""
    host = urlsplit(base_url).hostname or "localhost"
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"{agent.display_name} · Contact center")
    stamp = timezone.now()
    for event in events:
        item = Event()
        item.add("uid", event_uid(event, host))
        item.add("summary", event.title)
        if event.description:
            item.add("description", event.description)
        item.add("dtstart", event.starts_at)
        item.add("dtend", event.ends_at)
        item.add("dtstamp", stamp)
        item.add("created", event.created_at)
        item.add("last-modified", event.updated_at)
        if event.queue_id:
            item.add("categories", [event.queue.name])
        url = chat_url(event, base_url)
        if url:
            item.add("url", url)
        calendar.add_component(item)
    return calendar.to_ical()
