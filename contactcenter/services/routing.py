"""Routing: a waiting activity rings one eligible agent at a time, as an `Offer` with a deadline.

Locks follow `lock_objects`: the activity first, then agents, claimed with SKIP LOCKED so two
routers never wait on each other (an agent skipped because another transaction held them is
tried again by the next pass; the `activities_route_waiting` sweep is the backstop).
Capacity is re-checked after the claim, under the agent's lock: every change that adds to an
agent's load (an offer, a take from the waiting list, a resume) holds that lock.
"""

import logging
from datetime import timedelta

from django.db import DatabaseError, transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from contactcenter import events
from contactcenter.lock_objects import activity_for_update, agent_claim
from contactcenter.models import (
    Activity,
    ActivityEvent,
    ActivityState,
    Agent,
    EventKind,
    Offer,
    OfferKind,
    OfferOutcome,
    Pause,
    Queue,
    QueueMembership,
)
from contactcenter.outbox import activity_offered_data, outbox_record
from contactcenter.selectors import DECLINED, eligible_agents
from contactcenter.tasks import offer_expire as offer_expire_task

logger = logging.getLogger(__name__)

# How many agents a router claims, and finds no longer eligible, before leaving the activity
# waiting.
CLAIM_ATTEMPTS = 5


@transaction.atomic(durable=True)
def activity_route(*, activity_id: int) -> Offer | None:
    """Ring the best eligible agent for a waiting activity that rings nobody yet.

    Idempotent: an activity that is not waiting, or already rings someone, is left alone.
    Returns the new offer, or None (nobody eligible: it keeps waiting until someone becomes
    eligible, see `agent_route`).
    """
    activity = activity_for_update(activity_id)
    if activity is None:
        return None
    return route_next(activity)


def route_next(
    activity: Activity, *, passing_over_id: int | None = None, sent_by: Agent | None = None
) -> Offer | None:
    """Caller holds `activity_for_update(activity.pk)`. `passing_over_id`: an agent not to ring
    this time (who just transferred it away, rejected or missed it): the activity rather waits
    for the next pass, so a decline never rings the same agent straight back. `sent_by`: the
    colleague who transferred it to the queue, so the agent rung is told it is a transfer."""
    if (
        activity.state != ActivityState.WAITING
        or activity.offers.filter(outcome=OfferOutcome.PENDING).exists()
    ):
        return None
    return _ring_best(activity, passing_over_id=passing_over_id, sent_by=sent_by)


def activity_route_new(activity: Activity) -> Offer | None:
    """Ring an agent for a waiting activity that the caller's transaction has just created.

    In that transaction, so the customer's first message and its notification commit together
    and nothing is read back after the commit (a second transaction, locking and reading back
    what the first had just written, cost the worker 5 of its 22 ms per new customer,
    bench/e2e_latency.py). No other transaction can see the new row, so it needs no lock and
    rings nobody yet. Inside a savepoint: should routing fail, the activity
    still commits, waiting, and the routing sweep rings someone for it.
    """
    try:
        with transaction.atomic():
            offer = _ring_best(activity, new=True)
    except DatabaseError:
        logger.exception("routing new activity %s failed; the sweep retries it", activity.pk)
        offer = None
    if offer is None:
        events.waiting_list_changed(activity.pk, activity.queue_id)
    return offer


def _ring_best(
    activity: Activity,
    *,
    passing_over_id: int | None = None,
    new: bool = False,
    sent_by: Agent | None = None,
) -> Offer | None:
    """A customer waits: agents who declined are rung in new rounds rather than never."""
    agent = claim_agent(
        queue=activity.queue,
        activity=activity,
        passing_over_id=passing_over_id,
        new=new,
        rounds=True,
    )
    if agent is None:
        return None
    kind = OfferKind.TRANSFER if sent_by else OfferKind.ROUTE
    return offer_create(activity=activity, agent=agent, kind=kind, sent_by=sent_by)


def claim_agent(
    *,
    queue: Queue,
    activity: Activity,
    passing_over_id: int | None = None,
    new: bool = False,
    rounds: bool = False,
) -> Agent | None:
    """The best eligible agent that no other transaction holds, locked in the same query.

    Eligibility is checked again once the lock is held: the locking query judged it on a
    snapshot taken before the lock, which misses what the agent's previous holder committed in
    between (an offer that fills their last free place)."""
    eligible = eligible_agents(queue=queue, activity=activity, new=new, rounds=rounds)
    if passing_over_id is not None:
        eligible = eligible.exclude(pk=passing_over_id)
    for _ in range(CLAIM_ATTEMPTS):
        agent = agent_claim(eligible)
        if agent is None or eligible.filter(pk=agent.pk).exists():
            return agent
        eligible = eligible.exclude(pk=agent.pk)  # our own lock would not skip them
    return None


def offer_create(
    *,
    activity: Activity,
    agent: Agent,
    kind: str,
    sent_by: Agent | None = None,
    invited_queue: Queue | None = None,
    actor=None,
) -> Offer:
    """Ring `agent` for the activity until the queue's deadline.

    Caller holds the activity's lock and the agent's (claimed or locked). Records `offered`
    (by `sent_by`, or by `actor`: a supervisor) for the chat and for integrators, pushes the
    notification, and schedules the deadline on commit.
    """
    now = timezone.now()
    offer = Offer.objects.create(
        activity=activity,
        agent=agent,
        kind=kind,
        sent_by=sent_by,
        invited_queue=invited_queue,
        deadline=now + timedelta(seconds=activity.queue.accept_timeout),
    )
    Agent.objects.filter(pk=agent.pk).update(last_offered_at=now)
    ActivityEvent.objects.create(
        activity=activity,
        kind=EventKind.OFFERED,
        agent=agent,
        actor=sent_by.user if sent_by else actor,
        data={"offer": offer.pk, "kind": kind},
    )
    outbox_record(type="activity.offered", data=activity_offered_data(offer))
    events.offer_new(offer)
    _schedule_deadline(offer)
    return offer


def _schedule_deadline(offer: Offer) -> None:
    offer_expire_task.apply_async_on_commit(args=[offer.pk], eta=offer.deadline)


def agent_route(*, agent_id: int) -> int:
    """Someone became eligible (logged in, online, pause over, a chat freed): offer them, and
    anyone else now eligible, the oldest activities waiting unoffered in their queues.

    Each activity is routed in its own transaction, to the best agent for it (not necessarily
    this one), declines included: an activity this agent declined before is offered again in
    a new round, unless they were the last to decline it. Returns how many offers were made.
    """
    queues = QueueMembership.objects.filter(agent_id=agent_id, logged_in=True).values("queue")
    waiting = (
        _unoffered()
        .filter(queue__in=queues)
        .alias(last_decliner=Subquery(_last_decliner))
        .filter(Q(last_decliner__isnull=True) | ~Q(last_decliner=agent_id))
        .values_list("pk", flat=True)
    )
    limit = Agent.objects.filter(pk=agent_id).values_list("max_open_chats", flat=True).first()
    offered = 0
    for activity_id in list(waiting[: limit or 0]):
        offered += activity_route(activity_id=activity_id) is not None
    return offered


# Who declined the activity last: not rung for it again straight away (see `route_next`).
_last_decliner = (
    Offer.objects.filter(activity=OuterRef("pk"), outcome__in=DECLINED)
    .order_by("-decided_at", "-pk")
    .values("agent_id")[:1]
)


def _unoffered():
    """Activities waiting with no notification ringing, oldest first."""
    ringing = Offer.objects.filter(activity=OuterRef("pk"), outcome=OfferOutcome.PENDING)
    return (
        Activity.objects.filter(state=ActivityState.WAITING)
        .exclude(Exists(ringing))
        .order_by("queued_at", "pk")
    )


def activities_route_waiting(*, limit: int = 200) -> int:
    """The sweep: route every activity that waits unoffered, oldest first. Catches an activity
    whose routing found its agent momentarily locked, or whose routing task was lost."""
    waiting = _unoffered().values_list("pk", flat=True)
    if not _anyone_available():
        return 0
    offered = 0
    for activity_id in list(waiting[:limit]):
        offered += activity_route(activity_id=activity_id) is not None
    if offered:
        logger.info("routing sweep offered %s waiting activities", offered)
    return offered


def _anyone_available() -> bool:
    """Cheap pre-check for the sweep: with no agent online and unpaused, nothing can be routed."""
    paused = Pause.objects.filter(agent=OuterRef("pk"), ended_at__isnull=True)
    return Agent.objects.filter(is_online=True).exclude(Exists(paused)).exists()
