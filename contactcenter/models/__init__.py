from contactcenter.models.activities import (
    Activity,
    ActivityEvent,
    ActivityState,
    EventKind,
    Offer,
    OfferKind,
    OfferOutcome,
    Participant,
    ParticipantRole,
)
from contactcenter.models.agents import (
    Agent,
    Pause,
    PauseCause,
    PauseReason,
    QueueMembership,
)
from contactcenter.models.outbox import OutboxEvent
from contactcenter.models.queues import (
    Queue,
    QueueWidget,
    ReminderMode,
    RoutingStrategy,
    Status,
    WidgetKind,
)

__all__ = [
    "Activity",
    "ActivityEvent",
    "ActivityState",
    "Agent",
    "EventKind",
    "Offer",
    "OfferKind",
    "OfferOutcome",
    "OutboxEvent",
    "Participant",
    "ParticipantRole",
    "Pause",
    "PauseCause",
    "PauseReason",
    "Queue",
    "QueueMembership",
    "QueueWidget",
    "ReminderMode",
    "RoutingStrategy",
    "Status",
    "WidgetKind",
]
