"""The private iCalendar feed: parsed by the `icalendar` package, every field of every event
comes back as stored; the address is a secret that a reset replaces."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse
from icalendar import Calendar

from schedule.models import CalendarEvent, CalendarSettings
from schedule.services import feed_token_reset, follow_up_create
from tests.factories import ContactFactory, CustomerActivityFactory, QueueFactory
from tests.schedule.helpers import agent_in, event_of

pytestmark = pytest.mark.django_db


def feed_events(client, token: str) -> dict[str, dict]:
    response = client.get(reverse("schedule:feed", args=[token]))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["VERSION"]) == "2.0"
    return {str(item["UID"]): item for item in calendar.walk("VEVENT")}


def test_every_field_round_trips(client):
    # given: a private event with a multi-line description and a queue's event, and a
    # follow-up of a chat
    sales = QueueFactory(name="Sales")
    activity = CustomerActivityFactory(contact=ContactFactory(first_name="Jana", last_name="D"))
    alice = activity.owner
    sales.memberships.create(agent=alice)
    note = "Line one\nLine two: ünïcödé, commas; and semicolons"
    private = event_of(alice, "Dentist; then lunch, at 1", minutes=90, description=note)
    shared = event_of(None, "Sales review", queue=sales)
    follow_up = follow_up_create(agent=alice, activity_id=activity.pk,
                                 starts_at=datetime(2030, 1, 2, 9, 30, tzinfo=UTC),
                                 note="Refund?")  # fmt: skip
    token = feed_token_reset(agent=alice)
    # when
    items = feed_events(client, token)
    # then: each event, field by field (iCalendar keeps whole seconds)
    assert set(items) == {f"calendar-event-{e.pk}@testserver"
                          for e in (private, shared, follow_up)}  # fmt: skip
    for event in CalendarEvent.objects.all():
        item = items[f"calendar-event-{event.pk}@testserver"]
        assert str(item["SUMMARY"]) == event.title
        assert str(item.get("DESCRIPTION", "")) == event.description
        assert item.decoded("DTSTART") == event.starts_at.replace(microsecond=0)
        assert item.decoded("DTEND") == event.ends_at.replace(microsecond=0)
        assert item.decoded("LAST-MODIFIED") == event.updated_at.replace(microsecond=0)
        assert item.decoded("CREATED") == event.created_at.replace(microsecond=0)
        assert item.decoded("DTSTART").tzinfo is not None
    follow_up_item = items[f"calendar-event-{follow_up.pk}@testserver"]
    assert str(follow_up_item["URL"]) == f"http://testserver/#activity-{activity.pk}"
    assert "URL" not in items[f"calendar-event-{private.pk}@testserver"]
    assert items[f"calendar-event-{shared.pk}@testserver"]["CATEGORIES"].cats == ["Sales"]


def test_the_secret_is_kept_hashed_and_a_reset_retires_the_old_address(client):
    alice = agent_in()
    event_of(alice)
    old = feed_token_reset(agent=alice)
    assert old not in CalendarSettings.objects.get(agent=alice).feed_token_hash
    new = feed_token_reset(agent=alice)
    assert client.get(reverse("schedule:feed", args=[old])).status_code == 404
    assert len(feed_events(client, new)) == 1


def test_an_unknown_address_is_not_found(client):
    assert client.get(reverse("schedule:feed", args=["nothing"])).status_code == 404
