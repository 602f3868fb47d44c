"""Reminders: the agents taking part in an activity whose customer waits for an answer are told,
unless a page of theirs shows the activity already."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from contactcenter import events
from contactcenter.models import Activity, ReminderMode
from contactcenter.services import reminders
from contactcenter.services.activities import activity_note_agent_reply
from contactcenter.services.presence import agent_viewing
from contactcenter.services.reminders import reminder_unanswered, reminders_after_customer_message
from tests.contactcenter.inbox import inboxes
from tests.factories import (
    CustomerActivityFactory,
    OnlineAgentFactory,
    ParticipantFactory,
    QueueFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


def waiting_customer(agent, mode: str, delay: int | None = None) -> Activity:
    """An open activity owned by `agent` whose customer wrote a minute ago, unanswered."""
    queue = QueueFactory(reminder_mode=mode, reminder_delay=delay)
    since = timezone.now() - timedelta(minutes=1)
    activity = CustomerActivityFactory(
        owner=agent,
        identity__channel_account__queue=queue,
        title="Where is my parcel?",
        awaiting_reply_since=since,
        last_customer_message_at=since,
    )
    activity.refresh_from_db()
    return activity


def customer_writes(activity: Activity) -> None:
    """What ingesting a customer's message does about reminders, committed."""
    with transaction.atomic():
        reminders_after_customer_message(activity=activity, sent_at=timezone.now())


def since_of(activity: Activity) -> str:
    """The unanswered wait the delayed reminder task is given."""
    return Activity.objects.get(pk=activity.pk).awaiting_reply_since.isoformat()


class ScheduledTasks:
    """Stands in for `reminder_due.apply_async` and keeps what it was asked."""

    def __init__(self):
        self.calls: list[dict] = []

    def __call__(self, *, args, eta):
        self.calls.append({"args": args, "eta": eta})


@pytest.fixture
def scheduled(monkeypatch) -> ScheduledTasks:
    tasks = ScheduledTasks()
    monkeypatch.setattr(reminders.reminder_due_task, "apply_async", tasks)
    return tasks


def test_every_customer_message_reminds_the_participants_not_viewing_the_activity():
    # given: alice owns the activity, bob takes part and has it on screen
    alice, bob = OnlineAgentFactory(), OnlineAgentFactory()
    activity = waiting_customer(alice, ReminderMode.EVERY_MESSAGE)
    ParticipantFactory(activity=activity, agent=bob)
    agent_viewing(agent_id=bob.pk, channel_name="bob-page", activity_id=activity.pk)
    alice_inbox, bob_inbox = inboxes(alice, bob)
    # when
    customer_writes(activity)
    # then
    [reminder] = alice_inbox.events()
    assert (reminder["type"], reminder["activity_id"], reminder["title"], reminder["reason"]) == (
        events.REMINDER,
        activity.pk,
        "Where is my parcel?",
        "new_message",
    )
    assert bob_inbox.events() == []


def test_a_participant_viewing_another_activity_is_reminded():
    # given
    alice = OnlineAgentFactory()
    activity = waiting_customer(alice, ReminderMode.EVERY_MESSAGE)
    other = CustomerActivityFactory(owner=alice)
    agent_viewing(agent_id=alice.pk, channel_name="alice-page", activity_id=other.pk)
    [alice_inbox] = inboxes(alice)
    # when
    customer_writes(activity)
    # then
    assert alice_inbox.types() == [events.REMINDER]


def test_a_participant_whose_page_stopped_showing_the_activity_is_reminded_again():
    # given
    alice = OnlineAgentFactory()
    activity = waiting_customer(alice, ReminderMode.EVERY_MESSAGE)
    agent_viewing(agent_id=alice.pk, channel_name="alice-page", activity_id=activity.pk)
    agent_viewing(agent_id=alice.pk, channel_name="alice-page", activity_id=None)
    [alice_inbox] = inboxes(alice)
    # when
    customer_writes(activity)
    # then
    assert alice_inbox.types() == [events.REMINDER]


def test_each_new_customer_message_reminds_again():
    # given
    alice = OnlineAgentFactory()
    activity = waiting_customer(alice, ReminderMode.EVERY_MESSAGE)
    [alice_inbox] = inboxes(alice)
    customer_writes(activity)
    # when
    customer_writes(activity)
    # then
    assert alice_inbox.types() == [events.REMINDER, events.REMINDER]


def test_a_queue_with_reminders_off_reminds_nobody():
    # given
    alice = OnlineAgentFactory()
    activity = waiting_customer(alice, ReminderMode.OFF)
    [alice_inbox] = inboxes(alice)
    # when
    customer_writes(activity)
    # then
    assert alice_inbox.events() == []


def test_a_message_answered_before_the_commit_reminds_nobody():
    # given
    alice = OnlineAgentFactory()
    activity = waiting_customer(alice, ReminderMode.EVERY_MESSAGE)
    [alice_inbox] = inboxes(alice)
    # when: an agent's reply lands in the same transaction
    with transaction.atomic():
        reminders_after_customer_message(activity=activity, sent_at=timezone.now())
        activity_note_agent_reply(activity=activity)
    # then
    assert alice_inbox.events() == []


def test_the_first_unanswered_message_schedules_the_delayed_reminder(scheduled):
    # given
    alice = OnlineAgentFactory()
    activity = waiting_customer(alice, ReminderMode.AFTER_FIRST_MESSAGE, delay=120)
    since = Activity.objects.get(pk=activity.pk).awaiting_reply_since
    # when
    with transaction.atomic():
        reminders_after_customer_message(activity=activity, sent_at=since)
    # then
    assert scheduled.calls == [
        {"args": [activity.pk, since.isoformat()], "eta": since + timedelta(seconds=120)}
    ]


def test_a_later_message_of_the_same_wait_schedules_nothing_more(scheduled):
    # given
    alice = OnlineAgentFactory()
    activity = waiting_customer(alice, ReminderMode.AFTER_FIRST_MESSAGE, delay=120)
    [alice_inbox] = inboxes(alice)
    # when
    customer_writes(activity)
    # then
    assert scheduled.calls == []
    assert alice_inbox.events() == []


def test_the_delayed_reminder_reminds_the_participants_once_per_wait():
    # given
    alice = OnlineAgentFactory()
    activity = waiting_customer(alice, ReminderMode.AFTER_FIRST_MESSAGE, delay=120)
    [alice_inbox] = inboxes(alice)
    # when: the timer fires twice (the task delivered again)
    first = reminder_unanswered(activity_id=activity.pk, awaiting_since=since_of(activity))
    second = reminder_unanswered(activity_id=activity.pk, awaiting_since=since_of(activity))
    # then
    assert (first, second) == (True, False)
    [reminder] = alice_inbox.events()
    assert (reminder["type"], reminder["reason"]) == (events.REMINDER, "unanswered")


def test_the_delayed_reminder_skips_a_participant_viewing_the_activity():
    # given
    alice = OnlineAgentFactory()
    activity = waiting_customer(alice, ReminderMode.AFTER_FIRST_MESSAGE, delay=120)
    agent_viewing(agent_id=alice.pk, channel_name="alice-page", activity_id=activity.pk)
    [alice_inbox] = inboxes(alice)
    # when
    reminder_unanswered(activity_id=activity.pk, awaiting_since=since_of(activity))
    # then
    assert alice_inbox.events() == []


def test_no_delayed_reminder_after_an_agent_replied():
    # given
    alice = OnlineAgentFactory()
    activity = waiting_customer(alice, ReminderMode.AFTER_FIRST_MESSAGE, delay=120)
    awaiting_since = since_of(activity)
    with transaction.atomic():
        activity_note_agent_reply(activity=activity)
    [alice_inbox] = inboxes(alice)
    # when
    reminded = reminder_unanswered(activity_id=activity.pk, awaiting_since=awaiting_since)
    # then
    assert reminded is False
    assert alice_inbox.events() == []


def test_a_reply_then_a_new_message_leaves_the_old_timer_without_effect():
    # given: answered, then the customer wrote again (a new wait with its own timer)
    alice = OnlineAgentFactory()
    activity = waiting_customer(alice, ReminderMode.AFTER_FIRST_MESSAGE, delay=120)
    old_wait = since_of(activity)
    Activity.objects.filter(pk=activity.pk).update(awaiting_reply_since=timezone.now())
    [alice_inbox] = inboxes(alice)
    # when
    reminded = reminder_unanswered(activity_id=activity.pk, awaiting_since=old_wait)
    # then
    assert reminded is False
    assert alice_inbox.events() == []


def test_no_delayed_reminder_for_a_postponed_activity():
    # given
    alice = OnlineAgentFactory()
    activity = waiting_customer(alice, ReminderMode.AFTER_FIRST_MESSAGE, delay=120)
    Activity.objects.filter(pk=activity.pk).update(state="postponed")
    # when
    reminded = reminder_unanswered(activity_id=activity.pk, awaiting_since=since_of(activity))
    # then
    assert reminded is False
