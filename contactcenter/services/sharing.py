"""Handing an activity on (transfer) and sharing it (invite, leave).

The customer is told through the channel when another agent joins or one leaves, in the
queue's words, never which agent: to them the conversation is with the company.
"""

from django.db import transaction
from django.utils import timezone

from contactcenter import events
from contactcenter.exceptions import ApplicationError
from contactcenter.lock_objects import agent_for_update
from contactcenter.models import (
    Activity,
    ActivityEvent,
    ActivityState,
    Agent,
    EventKind,
    OfferKind,
    Participant,
    ParticipantRole,
    Pause,
    Queue,
)
from contactcenter.outbox import activity_transferred_data, outbox_record
from contactcenter.ports import ports
from contactcenter.selectors import participant_ids
from contactcenter.services.activities import activity_lock_owned, activity_lock_taking_part
from contactcenter.services.offers import offer_revoke_pending
from contactcenter.services.routing import claim_agent, offer_create, route_next
from contactcenter.tasks import agent_route as agent_route_task


@transaction.atomic(durable=True)
def activity_transfer(
    *,
    activity_id: int,
    agent: Agent,
    to_agent_id: int | None = None,
    to_queue_id: int | None = None,
) -> None:
    """Hand the activity to a colleague (who gets a notification; if they decline it rings the
    queue's next agent) or to a queue (where it waits, with its whole history, for routing).

    Everyone taking part leaves at once: the sender's tab closes. Refused unless the agent owns
    the open or postponed activity and names exactly one available target.
    """
    activity = activity_lock_owned(activity_id, agent, ActivityState.OPEN, ActivityState.POSTPONED)
    target_agent, target_queue = _target(agent, to_agent_id, to_queue_id, activity)
    offer_revoke_pending(activity)
    leaving = _everyone_leaves(activity)
    activity.state = ActivityState.WAITING
    activity.owner = None
    activity.postponed_until = None
    old_queue_id = activity.queue_id
    if target_queue is not None:
        activity.queue = target_queue
    activity.save(update_fields=["state", "owner", "postponed_until", "queue", "updated_at"])
    ActivityEvent.objects.create(
        activity=activity,
        kind=EventKind.TRANSFERRED,
        actor=agent.user,
        agent=target_agent,
        data=_queue_data(target_queue),
    )
    transferred = activity_transferred_data(
        activity, from_agent=agent, to_agent=target_agent, to_queue=target_queue
    )
    outbox_record(type="activity.transferred", data=transferred)
    events.activity_closed(leaving, activity_id=activity.pk, reason="transferred")
    if target_agent is not None:
        offer_create(activity=activity, agent=target_agent, kind=OfferKind.TRANSFER, sent_by=agent)
    else:
        route_next(activity, passing_over_id=agent.pk, sent_by=agent)
    events.waiting_list_changed(activity.pk, activity.queue_id)
    if old_queue_id != activity.queue_id:
        events.waiting_list_changed(activity.pk, old_queue_id)
    for agent_id in leaving:
        agent_route_task.delay_on_commit(agent_id)


@transaction.atomic(durable=True)
def activity_invite(
    *,
    activity_id: int,
    agent: Agent,
    to_agent_id: int | None = None,
    to_queue_id: int | None = None,
) -> None:
    """Invite a colleague, or the first available agent of a queue, to join the open activity.
    They get a notification; on accepting they take part beside the owner. Refused while
    another invitation rings, or when nobody named is available."""
    activity = activity_lock_taking_part(activity_id, agent)
    if activity.state != ActivityState.OPEN:
        raise ApplicationError(
            "Only an open activity can be shared.", code="wrong_state", status=409
        )
    if activity.offers.filter(outcome="pending").exists():
        raise ApplicationError(
            "An invitation is already waiting for an answer.", code="invitation_pending", status=409
        )
    target_agent, target_queue = _target(agent, to_agent_id, to_queue_id, activity)
    if target_queue is not None:
        target_agent = claim_agent(queue=target_queue, activity=activity)
        if target_agent is None:
            raise ApplicationError(
                f"Nobody in {target_queue} is available now.", code="nobody_available", status=409
            )
    ActivityEvent.objects.create(
        activity=activity,
        kind=EventKind.INVITED,
        actor=agent.user,
        agent=target_agent,
        data=_queue_data(target_queue),
    )
    offer_create(
        activity=activity,
        agent=target_agent,
        kind=OfferKind.INVITE,
        sent_by=agent,
        invited_queue=target_queue,
    )


@transaction.atomic(durable=True)
def activity_leave(*, activity_id: int, agent: Agent) -> None:
    """Leave a shared activity. When the owner leaves, the colleague who joined first becomes
    the owner. The only agent left cannot leave: they close or transfer instead."""
    activity = activity_lock_taking_part(activity_id, agent)
    remaining = [pk for pk in participant_ids(activity) if pk != agent.pk]
    if not remaining:
        raise ApplicationError(
            "You are the only agent here: close or transfer the activity instead.",
            code="last_participant",
            status=409,
        )
    Participant.objects.filter(activity=activity, agent=agent, left_at__isnull=True).update(
        left_at=timezone.now()
    )
    if activity.owner_id == agent.pk:
        _hand_to_next(activity)
    ActivityEvent.objects.create(
        activity=activity, kind=EventKind.LEFT, actor=agent.user, agent=agent
    )
    ports.customer_notice(activity=activity, text=activity.queue.left_text)
    events.activity_closed([agent.pk], activity_id=activity.pk, reason="left")
    events.activity_changed(events.ACTIVITY_UPDATED, activity.pk, remaining)
    agent_route_task.delay_on_commit(agent.pk)


def _queue_data(queue: Queue | None) -> dict:
    """What the history line keeps of a target queue: its id, and its name as it was then."""
    return {"to_queue": queue.pk, "queue": str(queue)} if queue else {}


def _hand_to_next(activity: Activity) -> None:
    """The participant who joined first becomes the owner. Caller holds the activity's lock."""
    successor = (
        Participant.objects.filter(activity=activity, left_at__isnull=True)
        .order_by("joined_at", "pk")
        .first()
    )
    agent_for_update(successor.agent_id)
    Participant.objects.filter(pk=successor.pk).update(role=ParticipantRole.OWNER)
    activity.owner_id = successor.agent_id
    activity.save(update_fields=["owner", "updated_at"])


def _everyone_leaves(activity: Activity) -> list[int]:
    """Caller holds the activity's lock. Returns who was taking part."""
    leaving = participant_ids(activity)
    Participant.objects.filter(activity=activity, left_at__isnull=True).update(
        left_at=timezone.now()
    )
    return leaving


def _target(
    agent: Agent, to_agent_id: int | None, to_queue_id: int | None, activity: Activity
) -> tuple[Agent | None, Queue | None]:
    """Exactly one of a colleague who can be rung now (locked) or an existing queue."""
    if (to_agent_id is None) == (to_queue_id is None):
        raise ApplicationError("Choose either an agent or a queue.", code="invalid_target")
    if to_queue_id is not None:
        queue = Queue.objects.filter(pk=to_queue_id).first()
        if queue is None:
            raise ApplicationError("No such queue.", code="invalid_target")
        return None, queue
    if to_agent_id == agent.pk or to_agent_id in participant_ids(activity):
        raise ApplicationError("Choose a colleague who is not already here.", code="invalid_target")
    colleague = agent_for_update(to_agent_id)
    if colleague is None:
        raise ApplicationError("No such agent.", code="invalid_target")
    if (
        not colleague.is_online
        or Pause.objects.filter(agent=colleague, ended_at__isnull=True).exists()
    ):
        raise ApplicationError(
            f"{colleague} is not available now (offline or paused).",
            code="agent_unavailable",
            status=409,
        )
    return colleague, None
