"""Another agent's private events are never shown: not in the widget, the module, the dashboard
card, the API or the feed; a queue's events are shown to its members only."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from contactcenter.models import QueueWidget, WidgetKind
from schedule.models import CalendarEvent
from schedule.services import feed_token_reset
from tests.api import api_for
from tests.factories import CustomerActivityFactory, QueueFactory
from tests.schedule.helpers import agent_in, event_of

pytestmark = pytest.mark.django_db

TODAY_NOON = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0)


@pytest.fixture
def calendars():
    """Alice and Bob in Sales, Carol in Support; each with a private event today, and one event
    shared with each queue."""
    sales, support = QueueFactory(name="Sales"), QueueFactory(name="Support")
    alice, bob, carol = agent_in(sales), agent_in(sales), agent_in(support)
    for agent, title in ((alice, "Alice's dentist"), (bob, "Bob's interview"),
                         (carol, "Carol's review")):  # fmt: skip
        event_of(agent, title, at=TODAY_NOON)
    event_of(bob, "Sales meeting", at=TODAY_NOON, queue=sales)
    event_of(None, "Support training", at=TODAY_NOON, queue=support)
    return alice


SEEN = ["Alice&#x27;s dentist", "Sales meeting"]
UNSEEN = ["Bob&#x27;s interview", "Carol&#x27;s review", "Support training"]


def _shown(page: str) -> list[str]:
    return [title for title in SEEN + UNSEEN if title in page]


def test_the_module_shows_only_own_and_queue_events(client, calendars):
    client.force_login(calendars.user)
    assert _shown(client.get(reverse("schedule:calendar")).content.decode()) == SEEN


def test_the_dashboard_card_shows_only_own_and_queue_events(client, calendars):
    client.force_login(calendars.user)
    assert _shown(client.get(reverse("schedule:today")).content.decode()) == SEEN


def test_the_widget_shows_only_own_and_queue_events(client, calendars):
    activity = CustomerActivityFactory(owner=calendars)
    QueueWidget.objects.create(queue=activity.queue, kind=WidgetKind.CALENDAR)
    client.force_login(calendars.user)
    page = client.get(reverse("activity-widget", args=[activity.pk, "calendar"])).content.decode()
    assert _shown(page) == SEEN


def test_the_api_lists_only_own_and_queue_events_and_hides_the_others(calendars):
    api = api_for(calendars.user)
    titles = [event["title"] for event in api.get("/api/v1/calendar/events/").json()["results"]]
    assert sorted(titles) == ["Alice's dentist", "Sales meeting"]
    private = CalendarEvent.objects.get(title="Bob's interview")
    assert api.get(f"/api/v1/calendar/events/{private.pk}/").status_code == 404
    assert api.patch(f"/api/v1/calendar/events/{private.pk}/", {"title": "x"}).status_code == 404
    assert api.delete(f"/api/v1/calendar/events/{private.pk}/").status_code == 404


def test_the_feed_holds_only_own_and_queue_events(client, calendars):
    token = feed_token_reset(agent=calendars)
    body = client.get(reverse("schedule:feed", args=[token])).content
    titles = sorted(str(event["SUMMARY"]) for event in Calendar.from_ical(body).walk("VEVENT"))
    assert titles == ["Alice's dentist", "Sales meeting"]


def test_a_member_who_leaves_the_queue_no_longer_sees_its_events(client, calendars):
    calendars.memberships.all().delete()
    client.force_login(calendars.user)
    assert _shown(client.get(reverse("schedule:calendar")).content.decode()) == SEEN[:1]


def test_the_event_stays_in_utc_whatever_zone_it_was_given_in(calendars):
    api = api_for(calendars.user)
    body = {"title": "Call", "starts_at": "2026-05-04T10:00:00+02:00",
            "ends_at": "2026-05-04T10:30:00+02:00"}  # fmt: skip
    created = api.post("/api/v1/calendar/events/", body, format="json").json()
    stored = calendars.calendar_events.get(pk=created["id"]).starts_at
    assert stored == datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
