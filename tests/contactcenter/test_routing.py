"""Routing: which agent a waiting activity rings, and when an activity nobody could take is
offered after all."""

from datetime import timedelta

import pytest
from django.utils import timezone

from contactcenter import events
from contactcenter.models import (
    Activity,
    ActivityEvent,
    EventKind,
    Offer,
    OfferKind,
    OfferOutcome,
    RoutingStrategy,
)
from contactcenter.services.activities import activity_close
from contactcenter.services.availability import pause_end, queue_login
from contactcenter.services.routing import activities_route_waiting, activity_route, agent_route
from contactcenter.tasks import agent_route as agent_route_task
from tests.contactcenter.inbox import delays, inboxes
from tests.factories import (
    ActivityFactory,
    MembershipFactory,
    OfferFactory,
    OnlineAgentFactory,
    ParticipantFactory,
    PauseFactory,
    QueueFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


def ago(minutes: int):
    return timezone.now() - timedelta(minutes=minutes)


def open_activity_of(agent, queue) -> Activity:
    return ActivityFactory(queue=queue, state="open", owner=agent, accepted_at=timezone.now())


def assert_still_waiting_unoffered(activity: Activity) -> None:
    activity.refresh_from_db()
    assert activity.state == "waiting"
    assert not activity.offers.exists()


def test_a_waiting_activity_rings_an_online_logged_in_unpaused_agent_under_capacity():
    # given
    queue = QueueFactory(accept_timeout=45)
    alice = OnlineAgentFactory(queue=queue)
    activity = ActivityFactory(queue=queue)
    [alice_inbox] = inboxes(alice)
    # when
    offer = activity_route(activity_id=activity.pk)
    # then
    assert (offer.agent, offer.kind, offer.outcome) == (alice, OfferKind.ROUTE, "pending")
    alice.refresh_from_db()
    assert offer.deadline - alice.last_offered_at == timedelta(seconds=45)
    assert ActivityEvent.objects.filter(activity=activity, kind=EventKind.OFFERED).get().agent == (
        alice
    )
    [offer_new] = alice_inbox.events(events.OFFER_NEW)
    assert (offer_new["offer"]["id"], offer_new["offer"]["activity"]["id"]) == (
        offer.pk,
        activity.pk,
    )
    assert offer_new["offer"]["timeout_seconds"] == 45


def test_the_notification_reaches_only_the_agent_it_rings():
    # given: bob was rung a minute ago, alice never
    queue = QueueFactory()
    alice = OnlineAgentFactory(queue=queue)
    bob = OnlineAgentFactory(queue=queue, last_offered_at=ago(1))
    activity = ActivityFactory(queue=queue)
    alice_inbox, bob_inbox = inboxes(alice, bob)
    # when
    activity_route(activity_id=activity.pk)
    # then: both see the waiting list change, only alice is rung
    assert events.OFFER_NEW in alice_inbox.types()
    assert bob_inbox.types() == [events.WAITING_CHANGED]
    assert bob_inbox.events()[0]["activity"]["offered_to"] == alice.display_name


def test_an_offline_agent_is_not_rung():
    # given
    queue = QueueFactory()
    OnlineAgentFactory(queue=queue, is_online=False)
    activity = ActivityFactory(queue=queue)
    # when
    offer = activity_route(activity_id=activity.pk)
    # then
    assert offer is None
    assert_still_waiting_unoffered(activity)


def test_a_paused_agent_is_not_rung():
    # given
    queue = QueueFactory()
    PauseFactory(agent=OnlineAgentFactory(queue=queue))
    activity = ActivityFactory(queue=queue)
    # when
    offer = activity_route(activity_id=activity.pk)
    # then
    assert offer is None
    assert_still_waiting_unoffered(activity)


def test_an_agent_logged_out_of_the_queue_is_not_rung():
    # given
    queue = QueueFactory()
    MembershipFactory(agent=OnlineAgentFactory(), queue=queue, logged_in=False)
    activity = ActivityFactory(queue=queue)
    # when
    offer = activity_route(activity_id=activity.pk)
    # then
    assert offer is None
    assert_still_waiting_unoffered(activity)


def test_an_agent_of_another_queue_is_not_rung():
    # given
    queue = QueueFactory()
    OnlineAgentFactory(queue=QueueFactory())
    activity = ActivityFactory(queue=queue)
    # when
    offer = activity_route(activity_id=activity.pk)
    # then
    assert offer is None
    assert_still_waiting_unoffered(activity)


def test_an_agent_at_capacity_with_open_activities_is_not_rung():
    # given
    queue = QueueFactory()
    alice = OnlineAgentFactory(queue=queue, max_open_chats=2)
    open_activity_of(alice, queue)
    open_activity_of(alice, queue)
    activity = ActivityFactory(queue=queue)
    # when
    offer = activity_route(activity_id=activity.pk)
    # then
    assert offer is None
    assert_still_waiting_unoffered(activity)


def test_a_notification_ringing_counts_against_capacity():
    # given: alice can hold one chat and is being rung for another activity
    queue = QueueFactory()
    alice = OnlineAgentFactory(queue=queue, max_open_chats=1)
    OfferFactory(agent=alice, activity=ActivityFactory(queue=queue))
    activity = ActivityFactory(queue=queue)
    # when
    offer = activity_route(activity_id=activity.pk)
    # then
    assert offer is None
    assert_still_waiting_unoffered(activity)


def test_postponed_activities_do_not_count_against_capacity():
    # given
    queue = QueueFactory()
    alice = OnlineAgentFactory(queue=queue, max_open_chats=1)
    ActivityFactory(queue=queue, state="postponed", owner=alice)
    activity = ActivityFactory(queue=queue)
    # when
    offer = activity_route(activity_id=activity.pk)
    # then
    assert offer.agent == alice


def test_an_agent_never_rung_goes_before_one_rung_before():
    # given
    queue = QueueFactory()
    OnlineAgentFactory(queue=queue, last_offered_at=ago(60))
    never_rung = OnlineAgentFactory(queue=queue, last_offered_at=None)
    activity = ActivityFactory(queue=queue)
    # when
    offer = activity_route(activity_id=activity.pk)
    # then
    assert offer.agent == never_rung


def test_the_agent_idle_longest_is_rung_first():
    # given
    queue = QueueFactory()
    OnlineAgentFactory(queue=queue, last_offered_at=ago(5))
    idle_longest = OnlineAgentFactory(queue=queue, last_offered_at=ago(30))
    OnlineAgentFactory(queue=queue, last_offered_at=ago(10))
    activity = ActivityFactory(queue=queue)
    # when
    offer = activity_route(activity_id=activity.pk)
    # then
    assert offer.agent == idle_longest


def test_consecutive_activities_take_turns_between_agents():
    # given
    queue = QueueFactory()
    alice = OnlineAgentFactory(queue=queue, last_offered_at=ago(30))
    bob = OnlineAgentFactory(queue=queue, last_offered_at=ago(10))
    first, second = ActivityFactory(queue=queue), ActivityFactory(queue=queue)
    # when
    offers = [activity_route(activity_id=first.pk), activity_route(activity_id=second.pk)]
    # then
    assert [offer.agent for offer in offers] == [alice, bob]


def test_least_busy_rings_the_agent_with_the_fewest_open_chats_even_if_rung_recently():
    # given: alice idle longest but with two chats, bob rung a moment ago with one
    queue = QueueFactory(routing_strategy=RoutingStrategy.LEAST_BUSY)
    alice = OnlineAgentFactory(queue=queue, last_offered_at=ago(60))
    bob = OnlineAgentFactory(queue=queue, last_offered_at=ago(1))
    open_activity_of(alice, queue)
    open_activity_of(alice, queue)
    open_activity_of(bob, queue)
    activity = ActivityFactory(queue=queue)
    # when
    offer = activity_route(activity_id=activity.pk)
    # then
    assert offer.agent == bob


def test_least_busy_breaks_a_tie_by_idle_time():
    # given
    queue = QueueFactory(routing_strategy=RoutingStrategy.LEAST_BUSY)
    OnlineAgentFactory(queue=queue, last_offered_at=ago(1))
    idle_longest = OnlineAgentFactory(queue=queue, last_offered_at=ago(60))
    activity = ActivityFactory(queue=queue)
    # when
    offer = activity_route(activity_id=activity.pk)
    # then
    assert offer.agent == idle_longest


@pytest.mark.parametrize("outcome", [OfferOutcome.REJECTED, OfferOutcome.EXPIRED])
def test_an_agent_who_rejected_or_missed_the_activity_is_not_rung_again_while_another_can_be(
    outcome,
):
    # given: alice, idle longest, already declined this activity
    queue = QueueFactory()
    alice = OnlineAgentFactory(queue=queue, last_offered_at=None)
    bob = OnlineAgentFactory(queue=queue, last_offered_at=ago(1))
    activity = ActivityFactory(queue=queue)
    OfferFactory(activity=activity, agent=alice, outcome=outcome, decided_at=timezone.now())
    # when
    offer = activity_route(activity_id=activity.pk)
    # then
    assert offer.agent == bob


def test_once_everyone_has_declined_a_new_round_starts_with_who_declined_longest_ago():
    # given: carol, never rung, declined last; alice declined before bob
    queue = QueueFactory()
    alice = OnlineAgentFactory(queue=queue, last_offered_at=ago(1))
    bob = OnlineAgentFactory(queue=queue, last_offered_at=ago(2))
    carol = OnlineAgentFactory(queue=queue, last_offered_at=None)
    activity = ActivityFactory(queue=queue)
    for agent, minutes in ((alice, 3), (bob, 2), (carol, 1)):
        OfferFactory(activity=activity, agent=agent, outcome="rejected", decided_at=ago(minutes))
    # when
    offer = activity_route(activity_id=activity.pk)
    # then
    assert offer.agent == alice


def test_the_agent_who_declined_last_is_not_rung_straight_back_by_their_own_routing():
    # given: alice, the only agent, rejected the activity
    queue = QueueFactory()
    alice = OnlineAgentFactory(queue=queue)
    activity = ActivityFactory(queue=queue)
    OfferFactory(activity=activity, agent=alice, outcome="rejected", decided_at=timezone.now())
    # when: the routing her reject enqueued runs
    offered = agent_route(agent_id=alice.pk)
    # then
    assert offered == 0
    assert activity.offers.filter(outcome="pending").count() == 0


def test_an_activity_already_ringing_is_not_rung_twice():
    # given
    queue = QueueFactory()
    OnlineAgentFactory(queue=queue)
    activity = ActivityFactory(queue=queue)
    first = activity_route(activity_id=activity.pk)
    # when
    second = activity_route(activity_id=activity.pk)
    # then
    assert second is None
    assert list(activity.offers.all()) == [first]


def test_an_activity_nobody_can_take_is_offered_to_an_agent_once_they_log_into_the_queue(
    monkeypatch,
):
    # given: the only agent of the queue is logged out
    queue = QueueFactory()
    alice = OnlineAgentFactory()
    MembershipFactory(agent=alice, queue=queue, logged_in=False)
    activity = ActivityFactory(queue=queue)
    assert activity_route(activity_id=activity.pk) is None
    [alice_inbox] = inboxes(alice)
    routed = delays(monkeypatch, agent_route_task)
    # when: she logs in, and the routing task the login enqueued runs
    queue_login(agent=alice, queue_id=queue.pk, logged_in=True, actor=alice.user)
    [(agent_id,)] = routed
    offered = agent_route(agent_id=agent_id)
    # then
    assert agent_id == alice.pk
    assert offered == 1
    assert Offer.objects.get(activity=activity).agent == alice
    assert alice_inbox.types()[0] == events.QUEUES_CHANGED
    assert events.OFFER_NEW in alice_inbox.types()


def test_an_activity_nobody_can_take_is_offered_to_an_agent_once_their_pause_ends(monkeypatch):
    # given
    queue = QueueFactory()
    alice = OnlineAgentFactory(queue=queue)
    PauseFactory(agent=alice)
    activity = ActivityFactory(queue=queue)
    assert activity_route(activity_id=activity.pk) is None
    routed = delays(monkeypatch, agent_route_task)
    # when: her pause ends, and the routing task that enqueued runs
    pause_end(agent=alice, actor=alice.user)
    [(agent_id,)] = routed
    offered = agent_route(agent_id=agent_id)
    # then
    assert agent_id == alice.pk
    assert offered == 1
    assert Offer.objects.get(activity=activity).agent == alice


def test_an_activity_nobody_can_take_is_offered_to_an_agent_once_they_close_a_chat(monkeypatch):
    # given: alice is at capacity
    queue = QueueFactory()
    alice = OnlineAgentFactory(queue=queue, max_open_chats=1)
    busy = open_activity_of(alice, queue)
    ParticipantFactory(activity=busy, agent=alice, role="owner")
    activity = ActivityFactory(queue=queue)
    assert activity_route(activity_id=activity.pk) is None
    routed = delays(monkeypatch, agent_route_task)
    # when: she closes her chat, and the routing task the close enqueued runs
    activity_close(activity_id=busy.pk, agent=alice)
    [(agent_id,)] = routed
    offered = agent_route(agent_id=agent_id)
    # then
    assert agent_id == alice.pk
    assert offered == 1
    assert Offer.objects.get(activity=activity).agent == alice


def test_two_waiting_activities_and_one_agent_for_one_chat_make_one_offer_for_the_oldest():
    # given
    queue = QueueFactory()
    alice = OnlineAgentFactory(queue=queue, max_open_chats=1)
    older = ActivityFactory(queue=queue, queued_at=ago(5))
    newer = ActivityFactory(queue=queue, queued_at=ago(1))
    # when
    offered = agent_route(agent_id=alice.pk)
    # then
    assert offered == 1
    assert Offer.objects.get().activity == older
    assert_still_waiting_unoffered(newer)


def test_the_sweep_offers_what_waits_unoffered_to_an_agent_who_never_paused():
    # given
    queue = QueueFactory()
    alice = OnlineAgentFactory(queue=queue, max_open_chats=1)
    older = ActivityFactory(queue=queue, queued_at=ago(5))
    newer = ActivityFactory(queue=queue, queued_at=ago(1))
    # when
    offered = activities_route_waiting()
    # then
    assert offered == 1
    assert Offer.objects.get().activity == older
    assert Offer.objects.get().agent == alice
    assert_still_waiting_unoffered(newer)


def test_the_sweep_offers_to_an_agent_whose_earlier_pause_ended():
    # given
    queue = QueueFactory()
    alice = OnlineAgentFactory(queue=queue)
    PauseFactory(agent=alice, started_at=ago(10), ended_at=ago(5))
    activity = ActivityFactory(queue=queue)
    # when
    offered = activities_route_waiting()
    # then
    assert offered == 1
    assert Offer.objects.get(activity=activity).agent == alice


def test_the_sweep_does_nothing_while_every_agent_is_paused():
    # given
    queue = QueueFactory()
    PauseFactory(agent=OnlineAgentFactory(queue=queue))
    activity = ActivityFactory(queue=queue)
    # when
    offered = activities_route_waiting()
    # then
    assert offered == 0
    assert_still_waiting_unoffered(activity)
