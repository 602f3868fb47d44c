"""Events that carry a row's state: serialized after the commit from a fresh read, so what a page
receives is what the database holds (a later event always describes a later state).

Services call these inside their transaction; nothing is read or sent unless it commits.
"""

from django.db import transaction

from contactcenter import events
from contactcenter.models import ActivityState, Offer
from contactcenter.selectors import (
    activities_in_detail,
    activity_with_offered_to,
    queue_member_ids,
)
from contactcenter.serializers import (
    ActivityDetailSerializer,
    ActivitySerializer,
    OfferSerializer,
)


def activity_to(event_type: str, activity_id: int, agent_ids: list[int]) -> None:
    """activity.opened / activity.updated with the activity as it is after the commit."""
    if not agent_ids:
        return

    def send() -> None:
        activity = activities_in_detail().get(pk=activity_id)
        payload = {"type": event_type, "activity": ActivityDetailSerializer(activity).data}
        events.publish_rollback_unsafe(agent_ids, payload)

    transaction.on_commit(send)


def waiting_list(activity_id: int, queue_id: int) -> None:
    """waiting.changed while the activity waits in the queue, waiting.removed once it does not,
    to every member of the queue."""

    def send() -> None:
        members = queue_member_ids(queue_id)
        activity = (
            activity_with_offered_to().filter(pk=activity_id, state="waiting", queue_id=queue_id)
        ).first()
        if activity is None:
            event = {"type": events.WAITING_REMOVED, "activity_id": activity_id}
            events.publish_rollback_unsafe(members, {**event, "queue_id": queue_id})
        else:
            event = {"type": events.WAITING_CHANGED, "activity": ActivitySerializer(activity).data}
            events.publish_rollback_unsafe(members, event)

    transaction.on_commit(send)


def offer_new(offer: Offer) -> None:
    """offer.new to the agent it rings and, while the activity waits, waiting.changed (now
    `offered_to` that agent) to the queue's members: serialized now, from the rows the routing
    transaction holds locked (what it commits), and sent in one publish after the commit.
    Re-reading the offer's eight tables after the commit cost more than the rest of routing,
    and two publishes twice the round trips (bench/e2e_latency.py)."""
    data = OfferSerializer(offer).data
    ring = {"type": events.OFFER_NEW, "offer": data}
    activity = offer.activity
    if activity.state != ActivityState.WAITING:
        events.publish_on_commit([offer.agent_id], ring)
        return
    rung = {**data["activity"], "offered_to": offer.agent.display_name}
    waiting = {"type": events.WAITING_CHANGED, "activity": rung}
    agent_id, queue_id = offer.agent_id, activity.queue_id
    transaction.on_commit(
        lambda: events.publish_all_rollback_unsafe(
            [([agent_id], ring), (queue_member_ids(queue_id), waiting)]
        )
    )


def offer_decided(event_type: str, *, offer_id: int, activity_id: int, agent_id: int) -> None:
    """offer.accepted / rejected / expired / revoked: the notification leaves the agent's pages."""
    event = {"type": event_type, "offer_id": offer_id, "activity_id": activity_id}
    events.publish_on_commit([agent_id], event)


def activity_closed_for(agent_ids: list[int], *, activity_id: int, reason: str) -> None:
    event = {"type": events.ACTIVITY_CLOSED, "activity_id": activity_id, "reason": reason}
    events.publish_on_commit(agent_ids, event)
