"""Races of the calendar on PostgreSQL (SQLite serialises writers and ignores row locks): a
follow-up's timer, its redelivery and the sweep all firing at once remind once; a reminder
racing the event's deletion either reminds before it is gone or not at all."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from schedule.models import CalendarEvent
from schedule.services import event_delete, event_remind, events_remind_due, follow_up_create
from tests.contactcenter.test_routing_races import at_once
from tests.factories import CustomerActivityFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("races are tested on PostgreSQL (CI's second run)")


def due_follow_up():
    activity = CustomerActivityFactory()
    event = follow_up_create(agent=activity.owner, activity_id=activity.pk,
                             starts_at=timezone.now() + timedelta(minutes=1))  # fmt: skip
    CalendarEvent.objects.filter(pk=event.pk).update(starts_at=timezone.now())
    return event


def test_timers_and_sweeps_firing_together_remind_once(published_events):
    """Six timers (redeliveries) and four sweeps at the same moment: one reminder."""
    event = due_follow_up()
    results = at_once([lambda: event_remind(event_id=event.pk)] * 6 + [events_remind_due] * 4)
    assert sum(int(result) for result in results) == 1
    assert len([e for e in published_events if e["type"] == "calendar.reminder"]) == 1


def test_a_reminder_racing_the_deletion_reminds_only_an_event_that_was_there(published_events):
    """20 rounds of the timer against the agent deleting the event: neither fails, the event
    is gone at the end, and a reminder went out exactly in the rounds whose timer says so."""
    rounds = []
    for _ in range(20):
        event = due_follow_up()
        remind = lambda event=event: event_remind(event_id=event.pk)  # noqa: E731
        delete = lambda event=event: event_delete(event_id=event.pk, by=event.agent)  # noqa: E731
        rounds.append(at_once([remind, delete]))
        assert not CalendarEvent.objects.filter(pk=event.pk).exists()
    assert {deleted for _, deleted in rounds} == {None}
    reminded = [event_id for event_id, (sent, _) in enumerate(rounds) if sent is True]
    reminders = [e for e in published_events if e["type"] == "calendar.reminder"]
    assert len(reminders) == len(reminded)
