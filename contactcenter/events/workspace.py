"""The core's events, pushed to the agents' workspaces over /ws/agent/: a definition and a
builder per type. Services call the builders inside their transaction; nothing is read or sent
unless it commits.

Events that carry a row's state are serialized from what the database holds: either from the
rows the service holds locked (what it commits), or after the commit from a fresh read, so a
later event always describes a later state.
"""

from typing import Literal, TypedDict

from contactcenter.events.schema import define
from contactcenter.events.transport import (
    after_commit,
    agent_stream,
    agent_streams,
    publish_all_rollback_unsafe,
    publish_on_commit,
    publish_rollback_unsafe,
    queue_stream,
)
from contactcenter.models import ActivityState, Offer, Pause, QueueMembership
from contactcenter.selectors import activities_in_detail, activity_with_offered_to
from contactcenter.serializers import (
    ActivityDetailSerializer,
    ActivitySerializer,
    MembershipSerializer,
    OfferSerializer,
    PauseSerializer,
)

SNAPSHOT = "snapshot"
OFFER_NEW = "offer.new"
OFFER_ACCEPTED = "offer.accepted"
OFFER_REJECTED = "offer.rejected"
OFFER_EXPIRED = "offer.expired"
OFFER_REVOKED = "offer.revoked"
ACTIVITY_OPENED = "activity.opened"
ACTIVITY_UPDATED = "activity.updated"
ACTIVITY_CLOSED = "activity.closed"
WAITING_CHANGED = "waiting.changed"
WAITING_REMOVED = "waiting.removed"
PAUSE_CHANGED = "pause.changed"
QUEUES_CHANGED = "queues.changed"
REMINDER = "reminder"


@define(SNAPSHOT)
class Snapshot(TypedDict):
    """The connecting page, and on resync (sent by the consumer, not published): everything
    it shows, and `event_ids`, the last id of each of its streams read before the rest."""

    type: Literal["snapshot"]
    event_ids: dict
    server_time: str
    agent: dict
    pause: dict | None
    pause_reasons: list[dict]
    queues: list[dict]
    offers: list[dict]
    activities: list[dict]
    waiting: list[dict]


@define(OFFER_NEW)
class OfferNew(TypedDict):
    """The agent it rings: the notification, with its activity, deadline and timeout."""

    type: Literal["offer.new"]
    offer: dict


@define(OFFER_ACCEPTED, OFFER_REJECTED, OFFER_EXPIRED, OFFER_REVOKED)
class OfferDecided(TypedDict):
    """The agent's pages: the notification leaves them (accepted or rejected on another tab,
    expired at its deadline, revoked when someone else took the activity or it closed)."""

    type: Literal["offer.accepted", "offer.rejected", "offer.expired", "offer.revoked"]
    offer_id: int
    activity_id: int


@define(ACTIVITY_OPENED, ACTIVITY_UPDATED)
class ActivityChanged(TypedDict):
    """opened: an agent who now takes part (a new tab). updated: everyone taking part. The
    activity comes with its `participants`; state "postponed" moves it to the postponed list,
    "open" back to the tabs."""

    type: Literal["activity.opened", "activity.updated"]
    activity: dict


@define(ACTIVITY_CLOSED)
class ActivityClosed(TypedDict):
    """Everyone whose tab closes."""

    type: Literal["activity.closed"]
    activity_id: int
    reason: Literal["closed", "transferred", "left"]


@define(WAITING_CHANGED)
class WaitingChanged(TypedDict):
    """Every member of the queue: the waiting activity (`offered_to` names the colleague it
    rings, if any)."""

    type: Literal["waiting.changed"]
    activity: dict


@define(WAITING_REMOVED)
class WaitingRemoved(TypedDict):
    """Every member of the queue: the activity no longer waits in it."""

    type: Literal["waiting.removed"]
    activity_id: int
    queue_id: int


@define(PAUSE_CHANGED)
class PauseChanged(TypedDict):
    """The agent: their pause (null when not paused)."""

    type: Literal["pause.changed"]
    pause: dict | None


@define(QUEUES_CHANGED)
class QueuesChanged(TypedDict):
    """The agent: their queues, each with `logged_in`."""

    type: Literal["queues.changed"]
    queues: list[dict]


@define(REMINDER)
class Reminder(TypedDict):
    """Participants not looking at the activity: a customer waits for an answer, or a
    postponed activity's time has come."""

    type: Literal["reminder"]
    activity_id: int
    title: str
    reason: Literal["unanswered", "new_message", "postponed_due"]


def offer_new(offer: Offer) -> None:
    """offer.new to the agent it rings and, while the activity waits, waiting.changed (now
    `offered_to` that agent) on the queue's stream: serialized now, from the rows the routing
    transaction holds locked (what it commits), and sent in one publish after the commit.
    Re-reading the offer's eight tables after the commit cost more than the rest of routing,
    and two publishes twice the round trips (bench/e2e_latency.py)."""
    data = OfferSerializer(offer).data
    ring = OfferNew(type=OFFER_NEW, offer=data)
    agent = [agent_stream(offer.agent_id)]
    activity = offer.activity
    if activity.state != ActivityState.WAITING:
        publish_on_commit(agent, ring)
        return
    rung = {**data["activity"], "offered_to": offer.agent.display_name}
    waiting = WaitingChanged(type=WAITING_CHANGED, activity=rung)
    queue = [queue_stream(activity.queue_id)]
    after_commit(lambda: publish_all_rollback_unsafe([(agent, ring), (queue, waiting)]))


def offer_decided(kind: str, *, offer_id: int, activity_id: int, agent_id: int) -> None:
    """offer.accepted / rejected / expired / revoked to the agent it rang."""
    event = OfferDecided(type=kind, offer_id=offer_id, activity_id=activity_id)
    publish_on_commit([agent_stream(agent_id)], event)


def activity_changed(kind: str, activity_id: int, agent_ids: list[int]) -> None:
    """activity.opened / activity.updated with the activity as it is after the commit."""
    if not agent_ids:
        return

    def send() -> None:
        activity = activities_in_detail().get(pk=activity_id)
        data = ActivityDetailSerializer(activity).data
        event = ActivityChanged(type=kind, activity=data)
        publish_rollback_unsafe(agent_streams(agent_ids), event)

    after_commit(send)


def activity_closed(agent_ids: list[int], *, activity_id: int, reason: str) -> None:
    event = ActivityClosed(type=ACTIVITY_CLOSED, activity_id=activity_id, reason=reason)
    publish_on_commit(agent_streams(agent_ids), event)


def waiting_list_changed(activity_id: int, queue_id: int) -> None:
    """waiting.changed while the activity waits in the queue, waiting.removed once it does not,
    on the queue's stream, as it is after the commit."""

    def send() -> None:
        activity = (
            activity_with_offered_to()
            .filter(pk=activity_id, state=ActivityState.WAITING, queue_id=queue_id)
            .first()
        )
        if activity is None:
            event = WaitingRemoved(type=WAITING_REMOVED, activity_id=activity_id, queue_id=queue_id)
        else:
            data = ActivitySerializer(activity).data
            event = WaitingChanged(type=WAITING_CHANGED, activity=data)
        publish_rollback_unsafe([queue_stream(queue_id)], event)

    after_commit(send)


def pause_changed(agent_id: int, pause: Pause | None) -> None:
    data = PauseSerializer(pause).data if pause else None
    publish_on_commit([agent_stream(agent_id)], PauseChanged(type=PAUSE_CHANGED, pause=data))


def queues_changed(agent_id: int) -> None:
    """The agent's queues as they are now (the caller's transaction holds the change)."""
    memberships = QueueMembership.objects.filter(agent_id=agent_id).select_related("queue")
    data = MembershipSerializer(memberships, many=True).data
    publish_on_commit([agent_stream(agent_id)], QueuesChanged(type=QUEUES_CHANGED, queues=data))


def reminder(agent_ids: list[int], *, activity_id: int, title: str, reason: str) -> None:
    event = Reminder(type=REMINDER, activity_id=activity_id, title=title, reason=reason)
    publish_on_commit(agent_streams(agent_ids), event)


def reminder_now(agent_ids: list[int], *, activity_id: int, title: str, reason: str) -> None:
    """For callers outside a transaction (who is looking is known only after the commit)."""
    event = Reminder(type=REMINDER, activity_id=activity_id, title=title, reason=reason)
    publish_rollback_unsafe(agent_streams(agent_ids), event)
