"""Every change of the calendar through its services: who may change what, what they publish,
and follow-ups' reminders, sent once, on time, never for a deleted event."""

from datetime import timedelta

import pytest
from django.utils import timezone

from contactcenter.exceptions import ApplicationError
from schedule import services
from schedule.models import CalendarEvent, CalendarSettings
from schedule.services import (
    event_create,
    event_delete,
    event_remind,
    event_update,
    events_remind_due,
    follow_up_create,
)
from tests.factories import ContactFactory, CustomerActivityFactory, QueueFactory
from tests.schedule.helpers import agent_in, event_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def timers(monkeypatch) -> list[tuple[int, object]]:
    """The reminders' timers asked of the broker: (event id, ETA)."""
    asked = []
    monkeypatch.setattr(
        services.event_remind_task,
        "apply_async",
        lambda args, eta: asked.append((args[0], eta)),
    )
    return asked


def test_an_agent_shares_an_event_with_a_queue_of_theirs(django_capture_on_commit_callbacks,
                                                         published_events):  # fmt: skip
    # given
    queue = QueueFactory()
    alice = agent_in(queue)
    start = timezone.now() + timedelta(days=1)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        event = event_create(by=alice, agent=alice, title="  Sales review ", starts_at=start,
                             ends_at=start + timedelta(hours=1), queue=queue)  # fmt: skip
    # then: stored trimmed, in UTC; the owner's and the queue's pages are told
    assert (event.title, event.queue, event.agent) == ("Sales review", queue, alice)
    assert CalendarEvent.objects.get().starts_at == start
    changed = [e for e in published_events if e["type"] == "calendar.changed"]
    assert sorted(e["stream"] for e in changed) == [f"agent.{alice.pk}", f"queue.{queue.pk}"]


def test_an_agent_cannot_share_with_a_queue_they_are_not_in():
    alice = agent_in()
    start = timezone.now()
    with pytest.raises(ApplicationError, match="only with your queues"):
        event_create(by=alice, agent=alice, title="X", starts_at=start, ends_at=start,
                     queue=QueueFactory())  # fmt: skip


def test_an_agent_makes_no_events_for_someone_else():
    alice, bob = agent_in(), agent_in()
    start = timezone.now()
    with pytest.raises(ApplicationError, match="of their own"):
        event_create(by=alice, agent=bob, title="X", starts_at=start, ends_at=start)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": "   "}, "needs a title"),
        ({"ends_at": timezone.now() - timedelta(days=1)}, "cannot end before it starts"),
    ],
)
def test_an_event_is_refused_without_a_title_or_ending_before_it_starts(fields, message):
    alice = agent_in()
    event = event_of(alice)
    with pytest.raises(ApplicationError, match=message):
        event_update(event_id=event.pk, by=alice, **fields)


def test_another_agents_private_event_cannot_be_changed_or_deleted():
    alice, bob = agent_in(), agent_in()
    event = event_of(alice)
    with pytest.raises(ApplicationError, match="No such event"):
        event_update(event_id=event.pk, by=bob, title="Mine now")
    with pytest.raises(ApplicationError, match="No such event"):
        event_delete(event_id=event.pk, by=bob)
    assert CalendarEvent.objects.get().title == "Team meeting"


def test_a_queue_member_changes_the_queues_event_made_by_a_supervisor():
    queue = QueueFactory()
    bob = agent_in(queue)
    event = event_of(None, "Training", queue=queue)
    event_update(event_id=event.pk, by=bob, title="Training (room 2)")
    assert CalendarEvent.objects.get().title == "Training (room 2)"


def test_an_agent_cannot_give_an_event_away():
    alice, bob = agent_in(), agent_in()
    event = event_of(alice)
    with pytest.raises(ApplicationError, match="cannot be changed"):
        event_update(event_id=event.pk, by=alice, agent=bob)


def test_a_follow_up_links_the_chat_and_contact_and_arms_its_timer(
    django_capture_on_commit_callbacks, timers
):
    # given: Alice's chat with a known contact
    activity = CustomerActivityFactory(contact=ContactFactory(first_name="Jana", last_name="D"))
    alice = activity.owner
    when = timezone.now() + timedelta(days=1)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        event = follow_up_create(agent=alice, activity_id=activity.pk, starts_at=when,
                                 note="Call about the refund")  # fmt: skip
    # then
    assert (event.title, event.description) == ("Follow up: Jana D", "Call about the refund")
    assert (event.activity, event.contact, event.agent, event.queue) == (
        activity, activity.contact, alice, None)  # fmt: skip
    assert (event.remind, event.ends_at - event.starts_at) == (True, timedelta(minutes=15))
    assert timers == [(event.pk, when)]


def test_a_follow_up_is_refused_for_a_chat_the_agent_is_not_in():
    activity = CustomerActivityFactory()
    with pytest.raises(ApplicationError, match="do not take part"):
        follow_up_create(agent=agent_in(), activity_id=activity.pk,
                         starts_at=timezone.now() + timedelta(days=1))  # fmt: skip


def test_a_follow_up_must_be_for_a_time_to_come():
    activity = CustomerActivityFactory()
    with pytest.raises(ApplicationError, match="time to come"):
        follow_up_create(agent=activity.owner, activity_id=activity.pk,
                         starts_at=timezone.now() - timedelta(minutes=1))  # fmt: skip


def _due_follow_up(activity):
    """A follow-up of `activity` made a moment ago for now."""
    event = follow_up_create(agent=activity.owner, activity_id=activity.pk,
                             starts_at=timezone.now() + timedelta(seconds=30))  # fmt: skip
    CalendarEvent.objects.filter(pk=event.pk).update(starts_at=timezone.now())
    return event


def test_the_reminder_opens_the_chat_the_agent_is_still_in_once(
    django_capture_on_commit_callbacks, published_events
):
    # given
    activity = CustomerActivityFactory()
    event = _due_follow_up(activity)
    # when: its timer fires twice (a redelivery), and the sweep passes
    with django_capture_on_commit_callbacks(execute=True):
        first = event_remind(event_id=event.pk)
    with django_capture_on_commit_callbacks(execute=True):
        second = event_remind(event_id=event.pk)
        swept = events_remind_due()
    # then: one reminder, to Alice, naming the chat
    assert (first, second, swept) == (True, False, 0)
    [reminder] = [e for e in published_events if e["type"] == "calendar.reminder"]
    assert reminder["stream"] == f"agent.{activity.owner_id}"
    assert (reminder["activity_id"], reminder["customer"]) == (activity.pk, None)
    assert CalendarEvent.objects.get().reminded_at is not None


def test_the_reminder_of_a_closed_chat_starts_a_new_message_to_its_customer(
    django_capture_on_commit_callbacks, published_events
):
    activity = CustomerActivityFactory()
    event = _due_follow_up(activity)
    activity.state = "closed"
    activity.closed_at = timezone.now()
    activity.save()
    with django_capture_on_commit_callbacks(execute=True):
        event_remind(event_id=event.pk)
    [reminder] = [e for e in published_events if e["type"] == "calendar.reminder"]
    identity = activity.identity
    assert reminder["activity_id"] is None
    assert reminder["customer"] == {
        "provider": identity.channel_account.provider,
        "identity_id": identity.pk,
        "name": identity.display_name or identity.provider_user_id,
    }


def test_a_deleted_or_moved_follow_up_does_not_remind(published_events):
    # given: one follow-up deleted, one moved to tomorrow, both timers still due
    activity = CustomerActivityFactory()
    deleted, moved = _due_follow_up(activity), _due_follow_up(activity)
    event_delete(event_id=deleted.pk, by=activity.owner)
    tomorrow = timezone.now() + timedelta(days=1)
    event_update(event_id=moved.pk, by=activity.owner, starts_at=tomorrow,
                 ends_at=tomorrow + timedelta(minutes=15))  # fmt: skip
    # when
    fired = [event_remind(event_id=deleted.pk), event_remind(event_id=moved.pk)]
    # then
    assert fired == [False, False]
    assert events_remind_due() == 0
    assert not [e for e in published_events if e["type"] == "calendar.reminder"]


def test_the_sweep_sends_reminders_whose_timer_was_lost_but_not_stale_ones(
    django_capture_on_commit_callbacks, published_events
):
    # given: two due follow-ups whose timers were lost, one a day late
    activity = CustomerActivityFactory()
    recent, stale = _due_follow_up(activity), _due_follow_up(activity)
    CalendarEvent.objects.filter(pk=stale.pk).update(starts_at=timezone.now() - timedelta(days=1))
    # when
    with django_capture_on_commit_callbacks(execute=True):
        swept = events_remind_due()
    # then
    assert swept == 1
    [reminder] = [e for e in published_events if e["type"] == "calendar.reminder"]
    assert reminder["calendar_event_id"] == recent.pk


def test_an_events_time_moved_arms_its_reminder_again(django_capture_on_commit_callbacks, timers):
    activity = CustomerActivityFactory()
    event = _due_follow_up(activity)
    event_remind(event_id=event.pk)
    later = timezone.now() + timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        event_update(event_id=event.pk, by=activity.owner, starts_at=later, ends_at=later)
    assert CalendarEvent.objects.get().reminded_at is None
    assert timers[-1] == (event.pk, later)


def test_the_agents_time_zone_must_be_a_real_one():
    alice = agent_in()
    services.calendar_settings_update(agent=alice, time_zone="Europe/Prague")
    with pytest.raises(ApplicationError, match="Unknown time zone"):
        services.calendar_settings_update(agent=alice, time_zone="Mars/Olympus")
    assert CalendarSettings.objects.get(agent=alice).time_zone == "Europe/Prague"
