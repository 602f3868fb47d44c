"""What the owner does with an open activity: status, important, postpone and resume (by hand
or when its time comes), close."""

from datetime import timedelta

import pytest
from django.utils import timezone

from contactcenter import events
from contactcenter.exceptions import ApplicationError
from contactcenter.models import Activity, ActivityEvent, EventKind, Offer, Participant
from contactcenter.services.activities import (
    activities_resume_due,
    activity_close,
    activity_postpone,
    activity_resume,
    activity_resume_due,
    activity_set_important,
    activity_set_status,
)
from contactcenter.services.routing import agent_route
from contactcenter.tasks import agent_route as agent_route_task
from tests.contactcenter.inbox import delays, inboxes
from tests.factories import (
    ActivityFactory,
    CustomerActivityFactory,
    OnlineAgentFactory,
    ParticipantFactory,
    QueueFactory,
    StatusFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


def open_for(agent, queue=None) -> Activity:
    """An open activity with a customer, owned by `agent` (in `queue`, if given)."""
    if queue is None:
        return CustomerActivityFactory(owner=agent)
    return CustomerActivityFactory(owner=agent, identity__channel_account__queue=queue)


def queue_with_statuses(*names: str):
    queue = QueueFactory()
    queue.statuses.set([StatusFactory(name=name) for name in names])
    return queue


def kinds(activity: Activity) -> list[str]:
    return list(ActivityEvent.objects.filter(activity=activity).values_list("kind", flat=True))


def refused(call, **kwargs) -> ApplicationError:
    with pytest.raises(ApplicationError) as error:
        call(**kwargs)
    return error.value


def test_closing_without_a_status_the_queue_requires_is_refused_and_changes_nothing():
    # given
    queue = queue_with_statuses("Resolved", "Spam")
    alice = OnlineAgentFactory(queue=queue)
    activity = open_for(alice, queue)
    # when
    error = refused(activity_close, activity_id=activity.pk, agent=alice)
    # then
    assert (error.code, error.status) == ("status_required", 400)
    assert error.message == "Choose a status before closing: Resolved, Spam."
    activity.refresh_from_db()
    assert (activity.state, activity.closed_at) == ("open", None)
    assert Participant.objects.get(activity=activity).left_at is None
    assert kinds(activity) == []


def test_closing_with_an_allowed_status_closes_and_everyone_taking_part_leaves(monkeypatch):
    # given: alice owns the activity, bob was invited into it
    queue = queue_with_statuses("Resolved")
    resolved = queue.statuses.get()
    alice, bob = OnlineAgentFactory(queue=queue), OnlineAgentFactory(queue=queue)
    activity = open_for(alice, queue)
    ParticipantFactory(activity=activity, agent=bob)
    alice_inbox, bob_inbox = inboxes(alice, bob)
    routed = delays(monkeypatch, agent_route_task)
    # when
    activity_close(activity_id=activity.pk, agent=alice, status_id=resolved.pk)
    # then
    activity.refresh_from_db()
    assert (activity.state, activity.status) == ("closed", resolved)
    assert activity.closed_at is not None
    assert not Participant.objects.filter(activity=activity, left_at__isnull=True).exists()
    assert kinds(activity) == [EventKind.STATUS, EventKind.CLOSED]
    [closed] = alice_inbox.events(events.ACTIVITY_CLOSED)
    assert (closed["activity_id"], closed["reason"]) == (activity.pk, "closed")
    assert bob_inbox.types() == [events.ACTIVITY_UPDATED, events.ACTIVITY_CLOSED]
    assert sorted(routed) == [(alice.pk,), (bob.pk,)]


def test_closing_with_a_status_chosen_before_needs_no_status_again():
    # given
    queue = queue_with_statuses("Resolved")
    alice = OnlineAgentFactory(queue=queue)
    activity = open_for(alice, queue)
    activity_set_status(activity_id=activity.pk, agent=alice, status_id=queue.statuses.get().pk)
    # when
    activity_close(activity_id=activity.pk, agent=alice)
    # then
    activity.refresh_from_db()
    assert activity.state == "closed"
    assert kinds(activity) == [EventKind.STATUS, EventKind.CLOSED]


def test_an_activity_in_a_queue_without_statuses_closes_without_one():
    # given
    alice = OnlineAgentFactory()
    activity = open_for(alice)
    # when
    activity_close(activity_id=activity.pk, agent=alice)
    # then
    activity.refresh_from_db()
    assert (activity.state, activity.status) == ("closed", None)


def test_a_status_the_queue_does_not_allow_is_refused():
    # given
    queue = queue_with_statuses("Resolved")
    elsewhere = StatusFactory(name="Sold")
    alice = OnlineAgentFactory(queue=queue)
    activity = open_for(alice, queue)
    # when
    error = refused(activity_close, activity_id=activity.pk, agent=alice, status_id=elsewhere.pk)
    # then
    assert error.code == "status_not_allowed"
    activity.refresh_from_db()
    assert (activity.state, activity.status) == ("open", None)
    assert kinds(activity) == []


def test_setting_a_status_records_it_and_tells_those_taking_part():
    # given
    queue = queue_with_statuses("Resolved")
    alice = OnlineAgentFactory(queue=queue)
    activity = open_for(alice, queue)
    [alice_inbox] = inboxes(alice)
    # when
    activity_set_status(activity_id=activity.pk, agent=alice, status_id=queue.statuses.get().pk)
    # then
    event = ActivityEvent.objects.get(activity=activity)
    assert (event.kind, event.actor, event.data) == (
        EventKind.STATUS,
        alice.user,
        {"status": queue.statuses.get().pk, "name": queue.statuses.get().name},
    )
    [updated] = alice_inbox.events()
    assert (updated["type"], updated["activity"]["status"]["name"]) == (
        events.ACTIVITY_UPDATED,
        "Resolved",
    )


def test_the_agent_a_close_frees_is_offered_the_next_waiting_activity(monkeypatch):
    # given: alice holds one chat at most and has one; another activity waits
    queue = QueueFactory()
    alice = OnlineAgentFactory(queue=queue, max_open_chats=1)
    activity = open_for(alice, queue)
    waiting = ActivityFactory(queue=queue)
    [alice_inbox] = inboxes(alice)
    routed = delays(monkeypatch, agent_route_task)
    # when: she closes it, and the routing task the close enqueued runs
    activity_close(activity_id=activity.pk, agent=alice)
    [(agent_id,)] = routed
    offered = agent_route(agent_id=agent_id)
    # then
    assert agent_id == alice.pk
    assert offered == 1
    assert Offer.objects.get(activity=waiting).agent == alice
    assert alice_inbox.types()[0] == events.ACTIVITY_CLOSED
    assert events.OFFER_NEW in alice_inbox.types()


def test_only_the_owner_may_close():
    # given
    alice, bob = OnlineAgentFactory(), OnlineAgentFactory()
    activity = open_for(alice)
    ParticipantFactory(activity=activity, agent=bob)
    # when
    error = refused(activity_close, activity_id=activity.pk, agent=bob)
    # then
    assert (error.code, error.status) == ("not_owner", 403)
    activity.refresh_from_db()
    assert activity.state == "open"


def test_an_agent_not_taking_part_does_not_see_the_activity():
    # given
    alice, stranger = OnlineAgentFactory(), OnlineAgentFactory()
    activity = open_for(alice)
    # when
    error = refused(activity_set_important, activity_id=activity.pk, agent=stranger, important=True)
    # then
    assert (error.code, error.status) == ("not_found", 404)


def test_marking_important_records_it_and_tells_everyone_taking_part():
    # given
    alice, bob = OnlineAgentFactory(), OnlineAgentFactory()
    activity = open_for(alice)
    ParticipantFactory(activity=activity, agent=bob)
    alice_inbox, bob_inbox = inboxes(alice, bob)
    # when: the invited colleague marks it
    activity_set_important(activity_id=activity.pk, agent=bob, important=True)
    # then
    activity.refresh_from_db()
    assert activity.important is True
    event = ActivityEvent.objects.get(activity=activity)
    assert (event.kind, event.actor, event.data) == (
        EventKind.IMPORTANT,
        bob.user,
        {"important": True},
    )
    assert alice_inbox.events()[0]["activity"]["important"] is True
    assert bob_inbox.events()[0]["activity"]["important"] is True


def test_marking_important_twice_records_it_once():
    # given
    alice = OnlineAgentFactory()
    activity = open_for(alice)
    activity_set_important(activity_id=activity.pk, agent=alice, important=True)
    # when
    activity_set_important(activity_id=activity.pk, agent=alice, important=True)
    # then
    assert kinds(activity) == [EventKind.IMPORTANT]


def test_unmarking_important_records_it():
    # given
    alice = OnlineAgentFactory()
    activity = open_for(alice)
    activity_set_important(activity_id=activity.pk, agent=alice, important=True)
    # when
    activity_set_important(activity_id=activity.pk, agent=alice, important=False)
    # then
    activity.refresh_from_db()
    assert activity.important is False
    assert ActivityEvent.objects.filter(activity=activity).last().data == {"important": False}


def test_postponing_parks_the_activity_and_frees_the_agent_for_another(monkeypatch):
    # given: alice holds one chat at most and has one; another activity waits
    queue = QueueFactory()
    alice = OnlineAgentFactory(queue=queue, max_open_chats=1)
    activity = open_for(alice, queue)
    waiting = ActivityFactory(queue=queue)
    [alice_inbox] = inboxes(alice)
    routed = delays(monkeypatch, agent_route_task)
    # when: she postpones it, and the routing task the postponement enqueued runs
    activity_postpone(activity_id=activity.pk, agent=alice)
    [(agent_id,)] = routed
    offered = agent_route(agent_id=agent_id)
    # then
    activity.refresh_from_db()
    assert (activity.state, activity.owner, activity.postponed_until) == ("postponed", alice, None)
    assert kinds(activity) == [EventKind.POSTPONED]
    assert alice_inbox.events()[0]["activity"]["state"] == "postponed"
    assert offered == 1
    assert Offer.objects.get(activity=waiting).agent == alice


def test_resuming_brings_the_activity_back_to_the_owners_tabs():
    # given
    alice = OnlineAgentFactory()
    activity = open_for(alice)
    activity_postpone(activity_id=activity.pk, agent=alice)
    [alice_inbox] = inboxes(alice)
    # when
    activity_resume(activity_id=activity.pk, agent=alice)
    # then
    activity.refresh_from_db()
    assert activity.state == "open"
    assert kinds(activity) == [EventKind.POSTPONED, EventKind.RESUMED]
    assert ActivityEvent.objects.get(kind=EventKind.RESUMED).actor == alice.user
    [updated] = alice_inbox.events()
    assert (updated["type"], updated["activity"]["state"]) == (events.ACTIVITY_UPDATED, "open")


def test_an_open_activity_cannot_be_resumed():
    # given
    alice = OnlineAgentFactory()
    activity = open_for(alice)
    # when
    error = refused(activity_resume, activity_id=activity.pk, agent=alice)
    # then
    assert (error.code, error.status) == ("wrong_state", 409)


def test_only_the_owner_may_postpone():
    # given
    alice, bob = OnlineAgentFactory(), OnlineAgentFactory()
    activity = open_for(alice)
    ParticipantFactory(activity=activity, agent=bob)
    # when
    error = refused(activity_postpone, activity_id=activity.pk, agent=bob)
    # then
    assert (error.code, error.status) == ("not_owner", 403)


def test_postponing_until_a_past_time_is_refused():
    # given
    alice = OnlineAgentFactory()
    activity = open_for(alice)
    # when
    error = refused(
        activity_postpone,
        activity_id=activity.pk,
        agent=alice,
        until=timezone.now() - timedelta(minutes=1),
    )
    # then
    assert error.code == "until_in_past"
    activity.refresh_from_db()
    assert activity.state == "open"


def test_a_postponement_is_not_resumed_before_its_time():
    # given
    alice = OnlineAgentFactory()
    activity = open_for(alice)
    until = timezone.now() + timedelta(hours=1)
    activity_postpone(activity_id=activity.pk, agent=alice, until=until)
    # when
    resumed = activity_resume_due(activity_id=activity.pk)
    # then
    assert resumed is False
    activity.refresh_from_db()
    assert (activity.state, activity.postponed_until) == ("postponed", until)
    assert ActivityEvent.objects.get(activity=activity).data == {"until": until.isoformat()}


def test_a_postponement_whose_time_came_resumes_with_a_reminder_to_the_owner():
    # given
    alice = OnlineAgentFactory()
    activity = open_for(alice)
    activity_postpone(
        activity_id=activity.pk, agent=alice, until=timezone.now() + timedelta(hours=1)
    )
    Activity.objects.filter(pk=activity.pk).update(
        postponed_until=timezone.now() - timedelta(seconds=1)
    )
    [alice_inbox] = inboxes(alice)
    # when
    resumed = activity_resume_due(activity_id=activity.pk)
    # then
    assert resumed is True
    activity.refresh_from_db()
    assert (activity.state, activity.postponed_until) == ("open", None)
    assert kinds(activity) == [EventKind.POSTPONED, EventKind.RESUMED]
    assert ActivityEvent.objects.get(kind=EventKind.RESUMED).actor is None
    assert alice_inbox.types() == [events.ACTIVITY_UPDATED, events.REMINDER]
    reminder = alice_inbox.events(events.REMINDER)[0]
    assert (reminder["activity_id"], reminder["reason"]) == (activity.pk, "postponed_due")


def test_a_postponement_resumes_once():
    # given
    alice = OnlineAgentFactory()
    activity = open_for(alice)
    activity_postpone(
        activity_id=activity.pk, agent=alice, until=timezone.now() + timedelta(hours=1)
    )
    Activity.objects.filter(pk=activity.pk).update(
        postponed_until=timezone.now() - timedelta(seconds=1)
    )
    activity_resume_due(activity_id=activity.pk)
    # when
    again = activity_resume_due(activity_id=activity.pk)
    # then
    assert again is False
    assert kinds(activity) == [EventKind.POSTPONED, EventKind.RESUMED]


def test_the_sweep_resumes_only_the_postponements_whose_time_came():
    # given
    alice = OnlineAgentFactory()
    due, later = open_for(alice), open_for(alice)
    for activity in (due, later):
        activity_postpone(
            activity_id=activity.pk, agent=alice, until=timezone.now() + timedelta(hours=1)
        )
    Activity.objects.filter(pk=due.pk).update(postponed_until=timezone.now())
    # when
    resumed = activities_resume_due()
    # then
    assert resumed == 1
    assert dict(Activity.objects.values_list("pk", "state")) == {
        due.pk: "open",
        later.pk: "postponed",
    }
