"""Handing an activity on (transfer to a colleague or a queue) and sharing it (invite, join,
leave), with the customer told in the queue's words when an agent joins or leaves."""

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
    OfferKind,
    Participant,
)
from contactcenter.services.offers import offer_accept, offer_reject
from contactcenter.services.sharing import activity_invite, activity_leave, activity_transfer
from contactcenter.tasks import agent_route as agent_route_task
from messaging.events import MESSAGE_NEW
from messaging.models import Direction, Message
from tests.contactcenter.inbox import delays, inboxes
from tests.factories import (
    CustomerActivityFactory,
    InboundMessageFactory,
    OnlineAgentFactory,
    PauseFactory,
    QueueFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

JOINED = "A colleague joins us."
LEFT = "A colleague left us."


def open_for(agent, queue=None, *, customer_wrote_hours_ago: float = 1) -> Activity:
    """An open activity owned by `agent`, whose customer last wrote that many hours ago."""
    queue = queue or QueueFactory(joined_text=JOINED, left_text=LEFT)
    return CustomerActivityFactory(
        owner=agent,
        identity__channel_account__queue=queue,
        identity__last_inbound_at=timezone.now() - timedelta(hours=customer_wrote_hours_ago),
    )


def kinds(activity: Activity) -> list[str]:
    return list(ActivityEvent.objects.filter(activity=activity).values_list("kind", flat=True))


def taking_part(activity: Activity) -> dict[int, str]:
    """Who takes part now, and as what."""
    rows = Participant.objects.filter(activity=activity, left_at__isnull=True)
    return dict(rows.values_list("agent_id", "role"))


def notices(activity: Activity) -> list[str]:
    return list(
        Message.objects.filter(activity=activity, direction=Direction.SYSTEM).values_list(
            "text", flat=True
        )
    )


def refused(call, **kwargs) -> ApplicationError:
    with pytest.raises(ApplicationError) as error:
        call(**kwargs)
    return error.value


def shared(alice, bob) -> Activity:
    """An activity alice owns and bob joined on her invitation."""
    activity = open_for(alice)
    activity_invite(activity_id=activity.pk, agent=alice, to_agent_id=bob.pk)
    offer_accept(offer_id=Offer.objects.get(activity=activity, agent=bob).pk, agent=bob)
    return activity


def test_transferring_to_an_online_colleague_rings_them_and_closes_the_senders_tab(monkeypatch):
    # given
    alice, bob = OnlineAgentFactory(), OnlineAgentFactory()
    activity = open_for(alice)
    alice_inbox, bob_inbox = inboxes(alice, bob)
    routed = delays(monkeypatch, agent_route_task)
    # when
    activity_transfer(activity_id=activity.pk, agent=alice, to_agent_id=bob.pk)
    # then
    activity.refresh_from_db()
    assert (activity.state, activity.owner) == ("waiting", None)
    assert taking_part(activity) == {}
    offer = Offer.objects.get(activity=activity)
    assert (offer.agent, offer.kind, offer.sent_by, offer.outcome) == (
        bob,
        OfferKind.TRANSFER,
        alice,
        "pending",
    )
    transferred = ActivityEvent.objects.get(activity=activity, kind=EventKind.TRANSFERRED)
    assert (transferred.actor, transferred.agent) == (alice.user, bob)
    [closed] = alice_inbox.events(events.ACTIVITY_CLOSED)
    assert (closed["activity_id"], closed["reason"]) == (activity.pk, "transferred")
    [offer_new] = bob_inbox.events(events.OFFER_NEW)
    assert (offer_new["offer"]["kind"], offer_new["offer"]["sent_by"]["id"]) == (
        "transfer",
        alice.pk,
    )
    assert routed == [(alice.pk,)]


def test_a_transfer_accepted_opens_the_activity_for_the_colleague():
    # given
    alice, bob = OnlineAgentFactory(), OnlineAgentFactory()
    activity = open_for(alice)
    activity_transfer(activity_id=activity.pk, agent=alice, to_agent_id=bob.pk)
    # when
    offer_accept(offer_id=Offer.objects.get(activity=activity).pk, agent=bob)
    # then
    activity.refresh_from_db()
    assert (activity.state, activity.owner) == ("open", bob)
    assert taking_part(activity) == {bob.pk: "owner"}


def test_a_transfer_declined_rings_the_next_agent_of_the_queue():
    # given: carol is the queue's agent; bob, rung for the transfer, is not in the queue
    queue = QueueFactory()
    alice, bob = OnlineAgentFactory(), OnlineAgentFactory()
    carol = OnlineAgentFactory(queue=queue)
    activity = open_for(alice, queue)
    activity_transfer(activity_id=activity.pk, agent=alice, to_agent_id=bob.pk)
    [carol_inbox] = inboxes(carol)
    # when
    offer_reject(offer_id=Offer.objects.get(activity=activity).pk, agent=bob)
    # then
    ringing = Offer.objects.get(activity=activity, outcome="pending")
    assert (ringing.agent, ringing.kind, ringing.sent_by) == (carol, OfferKind.TRANSFER, alice)
    assert events.OFFER_NEW in carol_inbox.types()


def test_transferring_to_a_queue_leaves_the_activity_waiting_there_with_its_messages():
    # given: nobody of the other queue is online
    alice = OnlineAgentFactory()
    activity = open_for(alice)
    InboundMessageFactory.create_batch(2, activity=activity)
    other_queue = QueueFactory()
    # when
    activity_transfer(activity_id=activity.pk, agent=alice, to_queue_id=other_queue.pk)
    # then
    activity.refresh_from_db()
    assert (activity.state, activity.queue, activity.owner) == ("waiting", other_queue, None)
    assert Message.objects.filter(activity=activity).count() == 2
    assert not Offer.objects.filter(activity=activity).exists()
    assert ActivityEvent.objects.get(kind=EventKind.TRANSFERRED).data == {
        "to_queue": other_queue.pk,
        "queue": f"{other_queue.number} {other_queue.name}",
    }


def test_transferring_to_a_queue_rings_its_agent_and_shows_on_its_waiting_list():
    # given
    alice = OnlineAgentFactory()
    activity = open_for(alice)
    other_queue = QueueFactory()
    carol = OnlineAgentFactory(queue=other_queue)
    [carol_inbox] = inboxes(carol)
    # when
    activity_transfer(activity_id=activity.pk, agent=alice, to_queue_id=other_queue.pk)
    # then
    assert Offer.objects.get(activity=activity).agent == carol
    assert set(carol_inbox.types()) == {events.OFFER_NEW, events.WAITING_CHANGED}
    waiting = carol_inbox.events(events.WAITING_CHANGED)[-1]["activity"]
    assert (waiting["id"], waiting["offered_to"]) == (activity.pk, carol.display_name)


def test_transferring_to_an_offline_colleague_is_refused_and_changes_nothing():
    # given
    alice, bob = OnlineAgentFactory(), OnlineAgentFactory(is_online=False)
    activity = open_for(alice)
    # when
    error = refused(activity_transfer, activity_id=activity.pk, agent=alice, to_agent_id=bob.pk)
    # then
    assert (error.code, error.status) == ("agent_unavailable", 409)
    activity.refresh_from_db()
    assert (activity.state, activity.owner) == ("open", alice)
    assert taking_part(activity) == {alice.pk: "owner"}
    assert not Offer.objects.exists()


def test_transferring_to_a_paused_colleague_is_refused():
    # given
    alice, bob = OnlineAgentFactory(), OnlineAgentFactory()
    PauseFactory(agent=bob)
    activity = open_for(alice)
    # when
    error = refused(activity_transfer, activity_id=activity.pk, agent=alice, to_agent_id=bob.pk)
    # then
    assert (error.code, error.status) == ("agent_unavailable", 409)


def test_a_transfer_names_exactly_one_target():
    # given
    alice, bob = OnlineAgentFactory(), OnlineAgentFactory()
    activity = open_for(alice)
    # when
    error = refused(
        activity_transfer,
        activity_id=activity.pk,
        agent=alice,
        to_agent_id=bob.pk,
        to_queue_id=activity.queue_id,
    )
    # then
    assert error.code == "invalid_target"


def test_inviting_a_colleague_rings_them_with_an_invitation():
    # given
    alice, bob = OnlineAgentFactory(), OnlineAgentFactory()
    activity = open_for(alice)
    [bob_inbox] = inboxes(bob)
    # when
    activity_invite(activity_id=activity.pk, agent=alice, to_agent_id=bob.pk)
    # then
    offer = Offer.objects.get(activity=activity)
    assert (offer.agent, offer.kind, offer.sent_by) == (bob, OfferKind.INVITE, alice)
    assert kinds(activity) == [EventKind.INVITED, EventKind.OFFERED]
    activity.refresh_from_db()
    assert (activity.state, activity.owner) == ("open", alice)
    assert bob_inbox.types() == [events.OFFER_NEW]


def test_an_accepted_invitation_makes_the_colleague_a_participant_and_tells_the_customer():
    # given
    alice, bob = OnlineAgentFactory(), OnlineAgentFactory()
    activity = open_for(alice)
    activity_invite(activity_id=activity.pk, agent=alice, to_agent_id=bob.pk)
    alice_inbox, bob_inbox = inboxes(alice, bob)
    # when
    offer_accept(offer_id=Offer.objects.get(activity=activity).pk, agent=bob)
    # then
    activity.refresh_from_db()
    assert (activity.state, activity.owner) == ("open", alice)
    assert taking_part(activity) == {alice.pk: "owner", bob.pk: "invited"}
    joined = ActivityEvent.objects.get(activity=activity, kind=EventKind.JOINED)
    assert (joined.actor, joined.agent) == (bob.user, bob)
    notice = Message.objects.get(activity=activity)
    assert (notice.direction, notice.status, notice.text, notice.author) == (
        Direction.SYSTEM,
        "queued",
        JOINED,
        None,
    )
    assert sorted(bob_inbox.types()) == [
        events.ACTIVITY_OPENED,
        MESSAGE_NEW,
        events.OFFER_ACCEPTED,
    ]
    assert sorted(alice_inbox.types()) == [events.ACTIVITY_UPDATED, MESSAGE_NEW]


def test_a_colleague_joins_without_a_notice_when_the_reply_window_is_closed():
    # given: the WhatsApp customer last wrote two days ago
    alice, bob = OnlineAgentFactory(), OnlineAgentFactory()
    activity = open_for(alice, customer_wrote_hours_ago=48)
    activity_invite(activity_id=activity.pk, agent=alice, to_agent_id=bob.pk)
    # when
    offer_accept(offer_id=Offer.objects.get(activity=activity).pk, agent=bob)
    # then
    assert taking_part(activity) == {alice.pk: "owner", bob.pk: "invited"}
    assert notices(activity) == []


def test_inviting_a_queue_rings_its_first_available_agent_and_then_the_next():
    # given
    alice = OnlineAgentFactory()
    activity = open_for(alice)
    experts = QueueFactory()
    bob = OnlineAgentFactory(queue=experts, last_offered_at=None)
    carol = OnlineAgentFactory(queue=experts, last_offered_at=timezone.now())
    activity_invite(activity_id=activity.pk, agent=alice, to_queue_id=experts.pk)
    first = Offer.objects.get(activity=activity)
    # when
    offer_reject(offer_id=first.pk, agent=bob)
    # then
    second = Offer.objects.get(activity=activity, outcome="pending")
    assert (first.agent, first.invited_queue) == (bob, experts)
    assert (second.agent, second.kind, second.invited_queue, second.sent_by) == (
        carol,
        OfferKind.INVITE,
        experts,
        alice,
    )


def test_inviting_a_queue_with_nobody_available_is_refused():
    # given
    alice = OnlineAgentFactory()
    activity = open_for(alice)
    empty = QueueFactory()
    # when
    error = refused(activity_invite, activity_id=activity.pk, agent=alice, to_queue_id=empty.pk)
    # then
    assert (error.code, error.status) == ("nobody_available", 409)
    assert kinds(activity) == []


def test_a_second_invitation_while_one_rings_is_refused():
    # given
    alice, bob, carol = OnlineAgentFactory(), OnlineAgentFactory(), OnlineAgentFactory()
    activity = open_for(alice)
    activity_invite(activity_id=activity.pk, agent=alice, to_agent_id=bob.pk)
    # when
    error = refused(activity_invite, activity_id=activity.pk, agent=alice, to_agent_id=carol.pk)
    # then
    assert (error.code, error.status) == ("invitation_pending", 409)


def test_a_colleague_who_leaves_is_gone_and_the_customer_is_told(monkeypatch):
    # given
    alice, bob = OnlineAgentFactory(), OnlineAgentFactory()
    activity = shared(alice, bob)
    alice_inbox, bob_inbox = inboxes(alice, bob)
    routed = delays(monkeypatch, agent_route_task)
    # when
    activity_leave(activity_id=activity.pk, agent=bob)
    # then
    activity.refresh_from_db()
    assert activity.owner == alice
    assert taking_part(activity) == {alice.pk: "owner"}
    left = ActivityEvent.objects.filter(activity=activity).last()
    assert (left.kind, left.actor, left.agent) == (EventKind.LEFT, bob.user, bob)
    assert notices(activity) == [JOINED, LEFT]
    [closed] = bob_inbox.events()
    assert (closed["type"], closed["reason"]) == (events.ACTIVITY_CLOSED, "left")
    assert alice_inbox.types() == [MESSAGE_NEW, events.ACTIVITY_UPDATED]
    assert routed == [(bob.pk,)]


def test_when_the_owner_leaves_the_colleague_becomes_the_owner():
    # given
    alice, bob = OnlineAgentFactory(), OnlineAgentFactory()
    activity = shared(alice, bob)
    # when
    activity_leave(activity_id=activity.pk, agent=alice)
    # then
    activity.refresh_from_db()
    assert (activity.state, activity.owner) == ("open", bob)
    assert taking_part(activity) == {bob.pk: "owner"}
    assert notices(activity) == [JOINED, LEFT]


def test_the_only_agent_cannot_leave():
    # given
    alice = OnlineAgentFactory()
    activity = open_for(alice)
    # when
    error = refused(activity_leave, activity_id=activity.pk, agent=alice)
    # then
    assert (error.code, error.status) == ("last_participant", 409)
    assert taking_part(activity) == {alice.pk: "owner"}
    assert notices(activity) == []
