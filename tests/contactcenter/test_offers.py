"""A notification's outcome: accepted, rejected, missed at its deadline, or withdrawn because a
colleague took the activity from the waiting list."""

from datetime import timedelta

import pytest
from django.utils import timezone

from contactcenter import events
from contactcenter.exceptions import ApplicationError
from contactcenter.models import (
    Activity,
    ActivityEvent,
    EventKind,
    Offer,
    OfferOutcome,
    Participant,
    Pause,
    PauseCause,
)
from contactcenter.services.activities import activity_take
from contactcenter.services.availability import pause_end
from contactcenter.services.offers import (
    offer_accept,
    offer_expire,
    offer_reject,
    offers_expire_overdue,
)
from contactcenter.services.routing import activities_route_waiting, activity_route, agent_route
from contactcenter.services.sharing import activity_transfer
from contactcenter.tasks import agent_route as agent_route_task
from tests.contactcenter.inbox import delays, inboxes
from tests.factories import (
    ActivityFactory,
    CustomerActivityFactory,
    MembershipFactory,
    OnlineAgentFactory,
    QueueFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


def rung(queue, *agents) -> tuple[Activity, Offer]:
    """A waiting activity of the queue, ringing the first of `agents` (the others are rung
    later, in order: each was rung more recently than the one before)."""
    now = timezone.now()
    for position, agent in enumerate(agents):
        agent.last_offered_at = now - timedelta(minutes=len(agents) - position)
        agent.save(update_fields=["last_offered_at"])
    activity = ActivityFactory(queue=queue)
    offer = activity_route(activity_id=activity.pk)
    assert offer.agent == agents[0]
    return activity, offer


def overdue(offer: Offer) -> None:
    """Move the offer into the past, as if its time ran out (a deadline follows creation)."""
    now = timezone.now()
    Offer.objects.filter(pk=offer.pk).update(
        created_at=now - timedelta(minutes=1), deadline=now - timedelta(seconds=1)
    )


def kinds(activity: Activity) -> list[str]:
    return list(ActivityEvent.objects.filter(activity=activity).values_list("kind", flat=True))


def test_accepting_opens_the_activity_for_the_agent():
    # given
    queue = QueueFactory()
    alice = OnlineAgentFactory(queue=queue)
    activity, offer = rung(queue, alice)
    # when
    offer_accept(offer_id=offer.pk, agent=alice)
    # then
    activity.refresh_from_db()
    offer.refresh_from_db()
    assert (activity.state, activity.owner) == ("open", alice)
    assert activity.accepted_at is not None
    assert (offer.outcome, offer.decided_at is not None) == (OfferOutcome.ACCEPTED, True)
    participant = Participant.objects.get(activity=activity)
    assert (participant.agent, participant.role, participant.left_at) == (alice, "owner", None)
    accepted = ActivityEvent.objects.get(activity=activity, kind=EventKind.ACCEPTED)
    assert (accepted.agent, accepted.actor) == (alice, alice.user)


def test_accepting_tells_the_agent_and_removes_the_activity_from_every_members_waiting_list():
    # given: bob is a member of the queue but logged out
    queue = QueueFactory()
    alice = OnlineAgentFactory(queue=queue)
    bob = OnlineAgentFactory()
    MembershipFactory(agent=bob, queue=queue, logged_in=False)
    activity, offer = rung(queue, alice)
    alice_inbox, bob_inbox = inboxes(alice, bob)
    # when
    offer_accept(offer_id=offer.pk, agent=alice)
    # then
    assert alice_inbox.types() == [
        events.OFFER_ACCEPTED,
        events.ACTIVITY_OPENED,
        events.WAITING_REMOVED,
    ]
    assert alice_inbox.events(events.ACTIVITY_OPENED)[0]["activity"]["state"] == "open"
    [removed] = bob_inbox.events()
    assert (removed["type"], removed["activity_id"], removed["queue_id"]) == (
        events.WAITING_REMOVED,
        activity.pk,
        queue.pk,
    )


def test_each_streams_events_carry_consecutive_ids():
    # given
    queue = QueueFactory()
    alice = OnlineAgentFactory(queue=queue)
    _, offer = rung(queue, alice)
    [alice_inbox] = inboxes(alice)
    # when
    offer_accept(offer_id=offer.pk, agent=alice)
    # then: hers (accepted, opened) and her queue's (removed), each numbered one by one
    ids: dict[str, list[int]] = {}
    for event in alice_inbox.events():
        ids.setdefault(event["stream"], []).append(event["event_id"])
    assert {stream: len(numbers) for stream, numbers in ids.items()} == {
        events.agent_stream(alice.pk): 2,
        events.queue_stream(queue.pk): 1,
    }
    for numbers in ids.values():
        assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))
    assert events.last_event_ids(ids) == {stream: numbers[-1] for stream, numbers in ids.items()}


def test_a_second_accept_is_refused_with_409():
    # given
    queue = QueueFactory()
    alice = OnlineAgentFactory(queue=queue)
    _, offer = rung(queue, alice)
    offer_accept(offer_id=offer.pk, agent=alice)
    # when
    with pytest.raises(ApplicationError) as refused:
        offer_accept(offer_id=offer.pk, agent=alice)
    # then
    assert (refused.value.status, refused.value.code) == (409, "offer_accepted")
    assert Participant.objects.filter(agent=alice).count() == 1


def test_an_accept_after_the_deadline_is_refused_and_changes_nothing():
    # given
    queue = QueueFactory()
    alice = OnlineAgentFactory(queue=queue)
    activity, offer = rung(queue, alice)
    overdue(offer)
    # when
    with pytest.raises(ApplicationError) as refused:
        offer_accept(offer_id=offer.pk, agent=alice)
    # then
    assert (refused.value.status, refused.value.code) == (409, "offer_expired")
    activity.refresh_from_db()
    offer.refresh_from_db()
    assert (activity.state, activity.owner, offer.outcome) == ("waiting", None, "pending")


def test_an_agent_cannot_accept_a_colleagues_notification():
    # given
    queue = QueueFactory()
    alice, bob = OnlineAgentFactory(queue=queue), OnlineAgentFactory(queue=queue)
    _, offer = rung(queue, alice, bob)
    # when
    with pytest.raises(ApplicationError) as refused:
        offer_accept(offer_id=offer.pk, agent=bob)
    # then
    assert (refused.value.status, refused.value.code) == (404, "not_found")
    offer.refresh_from_db()
    assert offer.outcome == "pending"


def test_rejecting_rings_the_next_agent(monkeypatch):
    # given
    queue = QueueFactory()
    alice, bob = OnlineAgentFactory(queue=queue), OnlineAgentFactory(queue=queue)
    activity, offer = rung(queue, alice, bob)
    alice_inbox, bob_inbox = inboxes(alice, bob)
    routed = delays(monkeypatch, agent_route_task)
    # when
    offer_reject(offer_id=offer.pk, agent=alice)
    # then
    offer.refresh_from_db()
    assert offer.outcome == OfferOutcome.REJECTED
    assert Offer.objects.get(activity=activity, outcome="pending").agent == bob
    assert kinds(activity)[-2:] == [EventKind.REJECTED, EventKind.OFFERED]
    assert events.OFFER_REJECTED in alice_inbox.types()
    assert events.OFFER_NEW not in alice_inbox.types()
    assert events.OFFER_NEW in bob_inbox.types()
    assert routed == [(alice.pk,)]


def test_rejected_by_the_only_agent_the_activity_keeps_waiting():
    # given
    queue = QueueFactory()
    alice = OnlineAgentFactory(queue=queue)
    activity, offer = rung(queue, alice)
    # when
    offer_reject(offer_id=offer.pk, agent=alice)
    # then
    activity.refresh_from_db()
    assert activity.state == "waiting"
    assert not activity.offers.filter(outcome="pending").exists()


def test_the_only_agent_who_rejected_is_rung_again_by_the_next_routing_pass():
    """Rejecting never strands the customer: once nobody else can take it, a new round starts,
    though not straight back from the reject itself."""
    # given: the only agent of the queue rejected, and the routing she then gets changes nothing
    queue = QueueFactory()
    alice = OnlineAgentFactory(queue=queue)
    activity, offer = rung(queue, alice)
    offer_reject(offer_id=offer.pk, agent=alice)
    assert agent_route(agent_id=alice.pk) == 0
    # when: the routing sweep passes
    offered = activities_route_waiting()
    # then: she is rung again
    assert offered == 1
    assert Offer.objects.get(activity=activity, outcome="pending").agent == alice


def test_a_missed_transfer_then_a_reject_rings_the_agent_who_is_ready_again(monkeypatch):
    """#11 item 3: Alice missed a transfer, Bob rejected; once Alice is Ready again she is rung,
    not left out for having declined before."""
    # given: Carol transfers her chat to Alice, who misses it (the unpaid pause follows)
    queue = QueueFactory(unpaid_pause_on_timeout=True)
    alice, bob = OnlineAgentFactory(queue=queue), OnlineAgentFactory(queue=queue)
    activity = CustomerActivityFactory(
        owner=OnlineAgentFactory(), identity__channel_account__queue=queue
    )
    activity_transfer(activity_id=activity.pk, agent=activity.owner, to_agent_id=alice.pk)
    transfer = Offer.objects.get(activity=activity)
    overdue(transfer)
    offer_expire(offer_id=transfer.pk)
    # and Bob, rung next, rejects
    bobs = Offer.objects.get(activity=activity, outcome="pending")
    assert bobs.agent == bob
    offer_reject(offer_id=bobs.pk, agent=bob)
    assert not activity.offers.filter(outcome="pending").exists()
    routed = delays(monkeypatch, agent_route_task)
    # when: Alice ends her pause, and the routing that enqueued runs
    pause_end(agent=alice, actor=alice.user)
    [(agent_id,)] = routed
    offered = agent_route(agent_id=agent_id)
    # then: the customer rings Alice
    assert offered == 1
    assert Offer.objects.get(activity=activity, outcome="pending").agent == alice


def test_a_rejected_notification_cannot_be_accepted():
    # given
    queue = QueueFactory()
    alice = OnlineAgentFactory(queue=queue)
    _, offer = rung(queue, alice)
    offer_reject(offer_id=offer.pk, agent=alice)
    # when
    with pytest.raises(ApplicationError) as refused:
        offer_accept(offer_id=offer.pk, agent=alice)
    # then
    assert (refused.value.status, refused.value.code) == (409, "offer_rejected")


def test_a_missed_deadline_expires_the_offer_pauses_the_agent_unpaid_and_rings_the_next():
    # given
    queue = QueueFactory(unpaid_pause_on_timeout=True)
    alice, bob = OnlineAgentFactory(queue=queue), OnlineAgentFactory(queue=queue)
    activity, offer = rung(queue, alice, bob)
    overdue(offer)
    alice_inbox, bob_inbox = inboxes(alice, bob)
    # when
    expired = offer_expire(offer_id=offer.pk)
    # then
    assert expired is True
    offer.refresh_from_db()
    assert offer.outcome == OfferOutcome.EXPIRED
    pause = Pause.objects.get(agent=alice, ended_at__isnull=True)
    assert (pause.cause, pause.offer, pause.reason.paid) == (PauseCause.MISSED_OFFER, offer, False)
    assert pause.reason.is_missed_offer
    assert Offer.objects.get(activity=activity, outcome="pending").agent == bob
    assert kinds(activity)[-2:] == [EventKind.EXPIRED, EventKind.OFFERED]
    assert alice_inbox.types()[:2] == [events.OFFER_EXPIRED, events.PAUSE_CHANGED]
    assert alice_inbox.events(events.PAUSE_CHANGED)[0]["pause"]["cause"] == "missed_offer"
    assert events.OFFER_NEW in bob_inbox.types()


def test_a_missed_deadline_in_a_queue_without_the_unpaid_pause_pauses_nobody():
    # given
    queue = QueueFactory(unpaid_pause_on_timeout=False)
    alice, bob = OnlineAgentFactory(queue=queue), OnlineAgentFactory(queue=queue)
    activity, offer = rung(queue, alice, bob)
    overdue(offer)
    # when
    offer_expire(offer_id=offer.pk)
    # then
    assert not Pause.objects.exists()
    assert Offer.objects.get(activity=activity, outcome="pending").agent == bob


def test_an_offer_expires_once():
    # given
    queue = QueueFactory()
    alice = OnlineAgentFactory(queue=queue)
    _, offer = rung(queue, alice)
    overdue(offer)
    offer_expire(offer_id=offer.pk)
    # when
    again = offer_expire(offer_id=offer.pk)
    # then
    assert again is False
    assert Pause.objects.filter(agent=alice).count() == 1


def test_an_offer_before_its_deadline_does_not_expire():
    # given
    queue = QueueFactory()
    alice = OnlineAgentFactory(queue=queue)
    _, offer = rung(queue, alice)
    # when
    expired = offer_expire(offer_id=offer.pk)
    # then
    assert expired is False
    offer.refresh_from_db()
    assert offer.outcome == "pending"
    assert not Pause.objects.exists()


def test_an_accepted_offer_does_not_expire_at_its_deadline():
    # given
    queue = QueueFactory()
    alice = OnlineAgentFactory(queue=queue)
    _, offer = rung(queue, alice)
    offer_accept(offer_id=offer.pk, agent=alice)
    overdue(offer)
    # when
    expired = offer_expire(offer_id=offer.pk)
    # then
    assert expired is False
    offer.refresh_from_db()
    assert offer.outcome == "accepted"
    assert not Pause.objects.exists()


def test_the_sweep_expires_every_overdue_offer_and_only_those():
    # given: two queues each ringing one agent, one of them overdue
    first_queue, second_queue = QueueFactory(), QueueFactory()
    alice = OnlineAgentFactory(queue=first_queue)
    bob = OnlineAgentFactory(queue=second_queue)
    carol = OnlineAgentFactory(queue=second_queue)
    _, late = rung(first_queue, alice)
    _, also_late = rung(second_queue, bob, carol)
    _, in_time = rung(second_queue, carol)
    overdue(late)
    overdue(also_late)
    # when
    swept = offers_expire_overdue()
    # then
    assert swept == 2
    outcomes = dict(Offer.objects.values_list("pk", "outcome"))
    assert (outcomes[late.pk], outcomes[also_late.pk], outcomes[in_time.pk]) == (
        "expired",
        "expired",
        "pending",
    )
    assert set(Pause.objects.values_list("agent", flat=True)) == {alice.pk, bob.pk}


def test_taking_from_the_waiting_list_withdraws_a_colleagues_notification(monkeypatch):
    # given: the activity rings bob; alice is logged out of the queue
    queue = QueueFactory()
    bob = OnlineAgentFactory(queue=queue)
    alice = OnlineAgentFactory()
    MembershipFactory(agent=alice, queue=queue, logged_in=False)
    activity, offer = rung(queue, bob)
    alice_inbox, bob_inbox = inboxes(alice, bob)
    routed = delays(monkeypatch, agent_route_task)
    # when
    activity_take(activity_id=activity.pk, agent=alice)
    # then
    activity.refresh_from_db()
    offer.refresh_from_db()
    assert (activity.state, activity.owner, offer.outcome) == ("open", alice, "revoked")
    assert kinds(activity)[-2:] == [EventKind.REVOKED, EventKind.ACCEPTED]
    assert bob_inbox.types() == [events.OFFER_REVOKED, events.WAITING_REMOVED]
    assert bob_inbox.events()[0]["offer_id"] == offer.pk
    assert alice_inbox.types() == [events.ACTIVITY_OPENED, events.WAITING_REMOVED]
    assert routed == [(bob.pk,)]


def test_a_withdrawn_notification_cannot_be_accepted():
    # given
    queue = QueueFactory()
    alice, bob = OnlineAgentFactory(queue=queue), OnlineAgentFactory(queue=queue)
    activity, offer = rung(queue, bob, alice)
    activity_take(activity_id=activity.pk, agent=alice)
    # when
    with pytest.raises(ApplicationError) as refused:
        offer_accept(offer_id=offer.pk, agent=bob)
    # then
    assert (refused.value.status, refused.value.code) == (409, "offer_revoked")
    activity.refresh_from_db()
    assert activity.owner == alice


def test_an_activity_already_taken_cannot_be_taken_again():
    # given
    queue = QueueFactory()
    alice, bob = OnlineAgentFactory(queue=queue), OnlineAgentFactory(queue=queue)
    activity = ActivityFactory(queue=queue)
    activity_take(activity_id=activity.pk, agent=alice)
    # when
    with pytest.raises(ApplicationError) as refused:
        activity_take(activity_id=activity.pk, agent=bob)
    # then
    assert (refused.value.status, refused.value.code) == (409, "not_waiting")


def test_an_activity_of_another_queue_cannot_be_taken():
    # given
    alice = OnlineAgentFactory(queue=QueueFactory())
    activity = ActivityFactory(queue=QueueFactory())
    # when
    with pytest.raises(ApplicationError) as refused:
        activity_take(activity_id=activity.pk, agent=alice)
    # then
    assert (refused.value.status, refused.value.code) == (404, "not_found")
    activity.refresh_from_db()
    assert activity.state == "waiting"
