"""Real-time events to the agents' pages: every type has a definition (a `TypedDict`, in
`schema`'s registry) and a builder that services call; `transport` numbers and delivers them.

The core's types and builders are in `workspace`; an app defines its own the same way (the
messages' events are in messaging/events.py).
"""

from contactcenter.events.transport import (
    agent_group,
    last_event_id,
    publish_all_rollback_unsafe,
    publish_on_commit,
    publish_rollback_unsafe,
)
from contactcenter.events.workspace import (
    ACTIVITY_CLOSED,
    ACTIVITY_OPENED,
    ACTIVITY_UPDATED,
    OFFER_ACCEPTED,
    OFFER_EXPIRED,
    OFFER_NEW,
    OFFER_REJECTED,
    OFFER_REVOKED,
    PAUSE_CHANGED,
    QUEUES_CHANGED,
    REMINDER,
    SNAPSHOT,
    WAITING_CHANGED,
    WAITING_REMOVED,
    activity_changed,
    activity_closed,
    offer_decided,
    offer_new,
    pause_changed,
    queues_changed,
    reminder,
    reminder_now,
    waiting_list_changed,
)

__all__ = [
    "ACTIVITY_CLOSED",
    "ACTIVITY_OPENED",
    "ACTIVITY_UPDATED",
    "OFFER_ACCEPTED",
    "OFFER_EXPIRED",
    "OFFER_NEW",
    "OFFER_REJECTED",
    "OFFER_REVOKED",
    "PAUSE_CHANGED",
    "QUEUES_CHANGED",
    "REMINDER",
    "SNAPSHOT",
    "WAITING_CHANGED",
    "WAITING_REMOVED",
    "activity_changed",
    "activity_closed",
    "agent_group",
    "last_event_id",
    "offer_decided",
    "offer_new",
    "pause_changed",
    "publish_all_rollback_unsafe",
    "publish_on_commit",
    "publish_rollback_unsafe",
    "queues_changed",
    "reminder",
    "reminder_now",
    "waiting_list_changed",
]
