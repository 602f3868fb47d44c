"""Supervisors manage queues' events and agents' time zones in the admin, through the services."""

import pytest
from django.urls import reverse

from schedule.models import CalendarEvent, CalendarSettings
from tests.factories import GroupSupervisorFactory, QueueFactory
from tests.schedule.helpers import agent_in, event_of

pytestmark = pytest.mark.django_db

EVENT = {"title": "Training", "starts_at_0": "2030-05-04", "starts_at_1": "13:00:00",
         "ends_at_0": "2030-05-04", "ends_at_1": "14:00:00", "description": ""}  # fmt: skip


@pytest.fixture
def supervisor(client):
    client.force_login(GroupSupervisorFactory())
    return client


def test_a_supervisor_adds_a_queues_event_for_its_members(
    supervisor, published_events, django_capture_on_commit_callbacks
):
    support = QueueFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = supervisor.post(reverse("admin:schedule_calendarevent_add"),
                                   {**EVENT, "queue": support.pk})  # fmt: skip
    assert response.status_code == 302
    event = CalendarEvent.objects.get()
    assert (event.agent, event.queue, event.title) == (None, support, "Training")
    assert [e["stream"] for e in published_events] == [f"queue.{support.pk}"]


def test_the_admin_refuses_an_event_of_no_one(supervisor):
    response = supervisor.post(reverse("admin:schedule_calendarevent_add"), EVENT)
    assert "An event belongs to an agent or a queue." in response.content.decode()
    assert not CalendarEvent.objects.exists()


def test_a_supervisor_moves_and_deletes_an_event(supervisor):
    event = event_of(agent_in(), "Review")
    url = reverse("admin:schedule_calendarevent_change", args=[event.pk])
    supervisor.post(url, {**EVENT, "agent": event.agent_id, "title": "Review"})
    event.refresh_from_db()
    assert event.starts_at.isoformat() == "2030-05-04T13:00:00+00:00"
    supervisor.post(reverse("admin:schedule_calendarevent_delete", args=[event.pk]),
                    {"post": "yes"})  # fmt: skip
    assert not CalendarEvent.objects.exists()


def test_a_supervisor_sets_an_agents_time_zone(supervisor):
    alice = agent_in()
    url = reverse("admin:schedule_calendarsettings_add")
    refused = supervisor.post(url, {"agent": alice.pk, "time_zone": "Europe/Nowhere"})
    assert "Unknown time zone: Europe/Nowhere." in refused.content.decode()
    supervisor.post(url, {"agent": alice.pk, "time_zone": "America/New_York"})
    assert CalendarSettings.objects.get(agent=alice).time_zone == "America/New_York"
