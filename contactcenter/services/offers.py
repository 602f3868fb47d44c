"""A notification's outcome: accepted, rejected, expired at its deadline, or revoked.

Every path locks the activity, then the offer, and acts only on a pending offer: of an accept,
a reject and the deadline racing for one offer, exactly one wins and the others are refused or
do nothing.
"""

from django.db import transaction
from django.utils import timezone

from contactcenter import events
from contactcenter.exceptions import ApplicationError
from contactcenter.lock_objects import (
    activity_for_update,
    agent_for_update,
    offer_for_update,
    pending_offer_for_update,
)
from contactcenter.models import (
    Activity,
    ActivityEvent,
    ActivityState,
    Agent,
    EventKind,
    Offer,
    OfferKind,
    OfferOutcome,
    Participant,
    ParticipantRole,
)
from contactcenter.outbox import activity_accepted_data, outbox_record
from contactcenter.ports import ports
from contactcenter.services.availability import pause_for_missed_offer
from contactcenter.services.routing import claim_agent, offer_create, route_next
from contactcenter.tasks import agent_route as agent_route_task

_REFUSALS = {
    OfferOutcome.ACCEPTED: "This notification was already accepted.",
    OfferOutcome.REJECTED: "This notification was already rejected.",
    OfferOutcome.EXPIRED: "This notification expired.",
    OfferOutcome.REVOKED: "Another agent has taken this activity.",
}


@transaction.atomic(durable=True)
def offer_accept(*, offer_id: int, agent: Agent) -> Activity:
    """The agent accepts their notification: a routed or transferred activity opens for them; an
    invitation makes them a participant (the customer is told another agent joined).

    Refused (409) when the offer is no longer pending or its deadline has passed, and (404) when
    it is not the agent's. Not idempotent: a second accept is refused.
    """
    activity, offer = _lock(offer_id, agent)
    if offer.deadline <= timezone.now():
        raise ApplicationError(_REFUSALS[OfferOutcome.EXPIRED], code="offer_expired", status=409)
    _decide(offer, OfferOutcome.ACCEPTED, events.OFFER_ACCEPTED)
    if offer.kind == OfferKind.INVITE:
        _join(activity, agent, offer)
    else:
        activity_open_for(activity=activity, agent=agent, kind=EventKind.ACCEPTED)
        events.waiting_list_changed(activity.pk, activity.queue_id)
        accepted = activity_accepted_data(activity, agent=agent, offer=offer)
        outbox_record(type="activity.accepted", data=accepted)
    return activity


@transaction.atomic(durable=True)
def offer_reject(*, offer_id: int, agent: Agent) -> None:
    """The agent declines: the activity rings the next eligible agent (this one again only in a
    later round, once nobody else is eligible). Refused (409) once the offer is decided."""
    activity, offer = _lock(offer_id, agent)
    _decide(offer, OfferOutcome.REJECTED, events.OFFER_REJECTED)
    ActivityEvent.objects.create(
        activity=activity, kind=EventKind.REJECTED, actor=agent.user, agent=agent
    )
    _ring_next(activity, offer)
    agent_route_task.delay_on_commit(agent.pk)


@transaction.atomic(durable=True)
def offer_expire(*, offer_id: int) -> bool:
    """The deadline passed unanswered: the offer expires, the agent goes on the unpaid
    missed-notification pause where the queue says so, and the activity rings the next agent.

    Idempotent: the deadline task and the sweep both call it; only a pending offer whose
    deadline has passed changes. Returns whether this call expired it.
    """
    activity_id = Offer.objects.filter(pk=offer_id).values_list("activity_id", flat=True).first()
    activity = activity_for_update(activity_id) if activity_id else None
    offer = offer_for_update(offer_id) if activity else None
    if offer is None or offer.outcome != OfferOutcome.PENDING or offer.deadline > timezone.now():
        return False
    _decide(offer, OfferOutcome.EXPIRED, events.OFFER_EXPIRED)
    ActivityEvent.objects.create(activity=activity, kind=EventKind.EXPIRED, agent=offer.agent)
    queue = offer.invited_queue or activity.queue
    if queue.unpaid_pause_on_timeout:
        pause_for_missed_offer(offer=offer)
    _ring_next(activity, offer)
    return True


def offers_expire_overdue(*, limit: int = 500) -> int:
    """The sweep: expire every pending offer past its deadline (a deadline task may be lost).
    Each in its own transaction; returns how many expired."""
    overdue = Offer.objects.filter(
        outcome=OfferOutcome.PENDING, deadline__lte=timezone.now()
    ).values_list("pk", flat=True)
    return sum(offer_expire(offer_id=pk) for pk in list(overdue.order_by("deadline")[:limit]))


@transaction.atomic(durable=True)
def activity_offer_to(*, activity_id: int, agent_id: int, actor) -> Offer:
    """A supervisor hands a waiting activity to an agent of its queue: a notification ringing
    for it is withdrawn and the chosen agent is rung, whatever routing would have chosen
    (capacity is not checked: it is the supervisor's call). Refused (409) once the activity no
    longer waits or when the agent is offline; 404 for an agent outside its queue."""
    activity = activity_for_update(activity_id)
    if activity is None:
        raise ApplicationError("No such activity.", code="not_found", status=404)
    if activity.state != ActivityState.WAITING:
        raise ApplicationError(
            "This activity is no longer waiting.", code="not_waiting", status=409
        )
    agent = agent_for_update(agent_id)
    if agent is None or not agent.memberships.filter(queue=activity.queue_id).exists():
        raise ApplicationError(
            "No such agent in the activity's queue.", code="not_found", status=404
        )
    if not agent.is_online:
        raise ApplicationError(
            f"{agent} is offline: nobody would see the notification.",
            code="agent_offline",
            status=409,
        )
    offer_revoke_pending(activity)
    offer = offer_create(activity=activity, agent=agent, kind=OfferKind.ROUTE, actor=actor)
    events.waiting_list_changed(activity.pk, activity.queue_id)
    return offer


def offer_revoke_pending(activity: Activity) -> None:
    """Withdraw the notification the activity rings, if any: someone else took it or it closed.

    Caller holds `activity_for_update(activity.pk)`. The colleague's load drops, so they are
    routed again after the commit.
    """
    offer = pending_offer_for_update(activity)
    if offer is None:
        return
    _decide(offer, OfferOutcome.REVOKED, events.OFFER_REVOKED)
    ActivityEvent.objects.create(activity=activity, kind=EventKind.REVOKED, agent=offer.agent)
    agent_route_task.delay_on_commit(offer.agent_id)


def activity_open_for(*, activity: Activity, agent: Agent, kind: str, actor=None) -> None:
    """Make `agent` the owner of the (waiting) activity and open its tab on their pages.

    Caller holds the activity's lock."""
    now = timezone.now()
    activity.state = ActivityState.OPEN
    activity.owner = agent
    activity.accepted_at = now
    activity.first_accepted_at = activity.first_accepted_at or now
    activity.save(
        update_fields=["state", "owner", "accepted_at", "first_accepted_at", "updated_at"]
    )
    updated = Participant.objects.filter(
        activity=activity, agent=agent, left_at__isnull=True
    ).update(role=ParticipantRole.OWNER)
    if not updated:
        Participant.objects.create(
            activity=activity, agent=agent, role=ParticipantRole.OWNER, joined_at=now
        )
    ActivityEvent.objects.create(
        activity=activity, kind=kind, actor=actor or agent.user, agent=agent
    )
    events.activity_changed(events.ACTIVITY_OPENED, activity.pk, [agent.pk])


def _lock(offer_id: int, agent: Agent) -> tuple[Activity, Offer]:
    """The offer's activity and the offer, locked in that order; refused unless pending."""
    activity_id = (
        Offer.objects.filter(pk=offer_id, agent=agent).values_list("activity_id", flat=True).first()
    )
    if activity_id is None:
        raise ApplicationError("No such notification.", code="not_found", status=404)
    activity = activity_for_update(activity_id)
    offer = offer_for_update(offer_id)
    if offer.outcome != OfferOutcome.PENDING:
        raise ApplicationError(_REFUSALS[offer.outcome], code=f"offer_{offer.outcome}", status=409)
    return activity, offer


def _decide(offer: Offer, outcome: str, event_type: str) -> None:
    offer.outcome = outcome
    offer.decided_at = timezone.now()
    offer.save(update_fields=["outcome", "decided_at", "updated_at"])
    events.offer_decided(
        event_type, offer_id=offer.pk, activity_id=offer.activity_id, agent_id=offer.agent_id
    )


def _ring_next(activity: Activity, declined: Offer) -> None:
    """After a decline: an invitation to a queue rings that queue's next agent who has not
    declined it; a routed or transferred activity rings the next agent of its own queue, never
    the decliner straight back (the routing sweep starts a new round when only they remain).
    Ringing nobody, the waiting list is told so: it named the decliner as the one rung."""
    if declined.kind != OfferKind.INVITE:
        transferred_by = declined.sent_by if declined.kind == OfferKind.TRANSFER else None
        rung = route_next(activity, passing_over_id=declined.agent_id, sent_by=transferred_by)
        if rung is None:
            events.waiting_list_changed(activity.pk, activity.queue_id)
        return
    if declined.invited_queue is None or activity.state == ActivityState.CLOSED:
        return
    agent = claim_agent(queue=declined.invited_queue, activity=activity)
    if agent is not None:
        offer_create(
            activity=activity,
            agent=agent,
            kind=OfferKind.INVITE,
            sent_by=declined.sent_by,
            invited_queue=declined.invited_queue,
        )


def _join(activity: Activity, agent: Agent, invitation: Offer) -> None:
    """An invited agent joins: a participant beside the owner (integrators hear it accepted,
    before the notice it causes); the customer is told someone joined, never who."""
    others = list(
        Participant.objects.filter(activity=activity, left_at__isnull=True).values_list(
            "agent_id", flat=True
        )
    )
    Participant.objects.create(activity=activity, agent=agent, role=ParticipantRole.INVITED)
    ActivityEvent.objects.create(
        activity=activity, kind=EventKind.JOINED, actor=agent.user, agent=agent
    )
    joined = activity_accepted_data(activity, agent=agent, offer=invitation)
    outbox_record(type="activity.accepted", data=joined)
    events.activity_changed(events.ACTIVITY_OPENED, activity.pk, [agent.pk])
    ports.customer_notice(activity=activity, text=activity.queue.joined_text)
    events.activity_changed(events.ACTIVITY_UPDATED, activity.pk, others)
