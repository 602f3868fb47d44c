"""Races of routing and notifications on PostgreSQL (SQLite serialises writers and ignores row
locks): many agents grabbing one activity, an accept at the moment the deadline passes, and two
activities claiming one free agent. Each contender runs in its own thread and connection, all
released together. Each test fails once the row locks are gone (tried by turning every
`select_for_update` into a plain read)."""

import threading
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from contactcenter.exceptions import ApplicationError
from contactcenter.models import (
    Activity,
    ActivityEvent,
    ActivityState,
    EventKind,
    Offer,
    OfferOutcome,
    Participant,
    Pause,
    PauseCause,
)
from contactcenter.services.activities import activity_take
from contactcenter.services.offers import offer_accept, offer_expire
from contactcenter.services.routing import activity_route
from tests.factories import (
    ActivityFactory,
    AgentFactory,
    MembershipFactory,
    OfferFactory,
    QueueFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("races are tested on PostgreSQL (CI's second run)")


def at_once(work: list[Callable[[], object]]) -> list:
    """Run each callable in its own thread and connection, all released together; returns
    what each returned, or the ApplicationError it raised. (On PostgreSQL the connection pool
    serves DATABASE_POOL_SIZE threads at once; the others queue for a connection, as requests
    under load do.)"""
    start = threading.Barrier(len(work))
    results: list = [None] * len(work)

    def run(index: int) -> None:
        try:
            start.wait()
            results[index] = work[index]()
        except ApplicationError as refusal:
            results[index] = refusal
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(work))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def refusals(results: list) -> list[int]:
    return [result.status for result in results if isinstance(result, ApplicationError)]


def test_20_agents_taking_one_activity_while_its_offer_is_accepted_leave_one_owner():
    """Twenty agents take one waiting activity from the waiting list at the same moment as the
    agent it rings accepts the notification: one of the 21 gets it, the others get 409."""
    # given: the activity rings one agent; twenty colleagues of the queue see it waiting
    queue = QueueFactory()
    rung = AgentFactory(is_online=True)
    MembershipFactory(agent=rung, queue=queue)
    takers = [MembershipFactory(queue=queue).agent for _ in range(20)]
    activity = ActivityFactory(queue=queue)
    offer = activity_route(activity_id=activity.pk)
    assert offer.agent == rung
    contenders = [rung, *takers]
    # when
    results = at_once(
        [lambda: offer_accept(offer_id=offer.pk, agent=rung)]
        + [
            lambda agent=agent: activity_take(activity_id=activity.pk, agent=agent)
            for agent in takers
        ]
    )
    # then: whoever's call succeeded owns it, alone; the notification went with the winner
    [winner] = [contenders[n] for n, result in enumerate(results) if isinstance(result, Activity)]
    assert refusals(results) == [409] * 20
    activity.refresh_from_db()
    offer.refresh_from_db()
    assert (activity.state, activity.owner_id) == (ActivityState.OPEN, winner.pk)
    assert list(Participant.objects.filter(activity=activity).values_list("agent", flat=True)) == [
        winner.pk
    ]
    assert ActivityEvent.objects.filter(activity=activity, kind=EventKind.ACCEPTED).count() == 1
    assert (winner == rung, offer.outcome) in {
        (True, OfferOutcome.ACCEPTED),
        (False, OfferOutcome.REVOKED),
    }


def test_an_accept_racing_the_deadline_either_accepts_or_expires_never_both():
    """At the deadline, the agent's accept and the deadline's expiry run together, 40 times:
    each time either the activity is accepted (and no missed-notification pause), or the
    notification expired (with the pause, the activity still waiting), never both."""
    # given: an agent of a queue with an unpaid pause on a missed notification
    queue = QueueFactory(unpaid_pause_on_timeout=True)
    agent = AgentFactory()
    MembershipFactory(agent=agent, queue=queue)
    lead = Lead()
    # when
    outcomes = [accept_at_the_deadline(queue, agent, lead) for _ in range(40)]
    # then: the rounds fell on both sides of the deadline, and none on both
    assert set(outcomes) == {
        (True, False, OfferOutcome.ACCEPTED, ActivityState.OPEN, agent.pk, False),
        (False, True, OfferOutcome.EXPIRED, ActivityState.WAITING, None, True),
    }


class Lead:
    """How long before the deadline the accept sets off, steered to where it overlaps the
    expiry. The accept needs a few milliseconds (more on a busy machine) to read the offer and
    check the deadline, and the race is only real when that check falls just before the
    deadline while the expiry reads the offer just after it. So, like a binary search: an
    accept that came too late starts earlier next round, one that was in time starts later;
    the step halves on each turn and doubles while the boundary is still ahead."""

    SMALLEST_STEP = 0.00025

    def __init__(self) -> None:
        self.seconds = 0.004
        self.step = 0.004
        self.last: bool | None = None

    def after(self, accepted: bool) -> None:
        turned = self.last is not None and accepted != self.last
        self.step = max(self.step / 2, self.SMALLEST_STEP) if turned else self.step * 2
        self.last = accepted
        self.seconds = max(0.0, self.seconds + (-self.step if accepted else self.step))


def accept_at_the_deadline(queue, agent, lead: Lead) -> tuple:
    """One notification whose agent accepts `lead` before its deadline while the deadline task
    expires it at the deadline; returns what each call did and what the database holds."""
    activity = ActivityFactory(queue=queue)
    offer = OfferFactory(
        activity=activity, agent=agent, deadline=timezone.now() + timedelta(seconds=0.1)
    )
    accept_from = offer.deadline - timedelta(seconds=lead.seconds)

    # Each connects before waiting for its moment: connecting takes longer than the race.
    def accept():
        connection.ensure_connection()
        _sleep_until(accept_from)
        return offer_accept(offer_id=offer.pk, agent=agent)

    def expire():
        connection.ensure_connection()
        _sleep_until(offer.deadline)
        return offer_expire(offer_id=offer.pk)

    accepted, expired = at_once([accept, expire])
    lead.after(isinstance(accepted, Activity))
    offer.refresh_from_db()
    activity.refresh_from_db()
    return (
        isinstance(accepted, Activity),
        expired,
        offer.outcome,
        activity.state,
        activity.owner_id,
        Pause.objects.filter(offer=offer, cause=PauseCause.MISSED_OFFER).exists(),
    )


def test_two_activities_arriving_at_once_for_one_free_agent_with_capacity_1():
    """Two routers ring the only free agent, whose capacity is one, at the same moment (ten
    times over): one activity rings them, the other keeps waiting unoffered."""
    # when
    outcomes = [route_two_at_once_to_one_free_agent() for _ in range(10)]
    # then: (offers made, offers pending for the agent, activities waiting)
    assert outcomes == [([False, True], 1, 2)] * 10


def route_two_at_once_to_one_free_agent() -> tuple:
    """A fresh queue whose one online agent takes one chat at a time, two activities waiting
    in it, and a router for each released together."""
    queue = QueueFactory()
    agent = AgentFactory(is_online=True, max_open_chats=1)
    MembershipFactory(agent=agent, queue=queue)
    activities = [ActivityFactory(queue=queue), ActivityFactory(queue=queue)]
    results = at_once(
        [
            lambda activity=activity: activity_route(activity_id=activity.pk)
            for activity in activities
        ]
    )
    return (
        sorted(result is None for result in results),
        Offer.objects.filter(agent=agent, outcome=OfferOutcome.PENDING).count(),
        Activity.objects.filter(
            pk__in=[a.pk for a in activities], state=ActivityState.WAITING
        ).count(),
    )


def _sleep_until(moment) -> None:
    time.sleep(max(0.0, (moment - timezone.now()).total_seconds()))
