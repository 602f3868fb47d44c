"""/api/v1/calendar/events/: the agent's and their queues' events, `?start=&end=`, and their
changes through the services."""

from datetime import UTC, datetime

import pytest

from schedule.models import CalendarEvent
from tests.api import api_for
from tests.factories import GroupSupervisorFactory, QueueFactory
from tests.schedule.helpers import agent_in, event_of

pytestmark = pytest.mark.django_db
URL = "/api/v1/calendar/events/"


def at(day: int, hour: int = 9) -> datetime:
    return datetime(2026, 5, day, hour, tzinfo=UTC)


def test_start_and_end_give_the_events_that_overlap_the_span():
    # given: events on 3, 4 (09:00-10:00) and 6 May, and one from 1 to 10 May
    alice = agent_in()
    for day in (3, 4, 6):
        event_of(alice, f"On {day}", at=at(day), minutes=60)
    event_of(alice, "All week", at=at(1), minutes=9 * 24 * 60)
    # when: 4 May 10:00 to 6 May 09:00 (the event on the 4th ends as the span starts)
    response = api_for(alice.user).get(URL, {"start": "2026-05-04T10:00:00Z",
                                             "end": "2026-05-06T09:00:00Z"})  # fmt: skip
    # then
    assert [event["title"] for event in response.json()["results"]] == ["All week"]


def test_an_agent_creates_updates_and_deletes_an_event_of_theirs():
    sales = QueueFactory()
    alice = agent_in(sales)
    api = api_for(alice.user)
    body = {"title": "Review", "starts_at": "2026-05-04T14:00:00Z",
            "ends_at": "2026-05-04T15:00:00Z", "queue": sales.pk, "description": "Q2"}  # fmt: skip
    created = api.post(URL, body, format="json")
    assert created.status_code == 201
    data = created.json()
    assert (data["agent"], data["queue"], data["remind"], data["activity"]) == (
        alice.pk, sales.pk, False, None)  # fmt: skip
    changed = api.patch(f"{URL}{data['id']}/", {"title": "Q2 review"}, format="json")
    assert changed.json()["title"] == "Q2 review"
    assert api.delete(f"{URL}{data['id']}/").status_code == 204
    assert not CalendarEvent.objects.exists()


def test_refusals_come_as_the_apis_errors():
    alice = agent_in()
    api = api_for(alice.user)
    body = {"title": "X", "starts_at": "2026-05-04T14:00:00Z", "ends_at": "2026-05-04T13:00:00Z"}
    ends_before = api.post(URL, body, format="json")
    other_queue = api.post(URL, {**body, "ends_at": body["starts_at"],
                                 "queue": QueueFactory().pk}, format="json")  # fmt: skip
    assert (ends_before.status_code, ends_before.json()["code"]) == (400, "ends_before_start")
    assert (other_queue.status_code, other_queue.json()["code"]) == (400, "not_your_queue")


def test_a_supervisor_has_no_calendar_here():
    response = api_for(GroupSupervisorFactory()).get(URL)
    assert response.status_code == 403
    assert response.json()["detail"] == "Only agents have a calendar."
