"""Changes reported to integrators through outgoing webhooks, by type.

A service that makes such a change calls `outbox_record` inside its transaction: the row commits
with the change or not at all. Once the transaction commits, `ports.outbox_written` asks the
integrations app to fan the rows out to the endpoints that subscribed (and a sweep catches any
whose ask was lost), so the core knows nothing of endpoints, signing or retries.
"""

from django.db import transaction

from contactcenter.models import OutboxEvent
from contactcenter.ports import ports

EVENT_TYPES: dict[str, str] = {
    "activity.created": "A conversation entered a queue: a customer wrote, or an agent or an "
    "integration started one.",
    "activity.offered": "A conversation was offered to an agent (a notification with a deadline).",
    "activity.accepted": "An agent accepted a conversation or took it from the waiting list.",
    "activity.transferred": "A conversation was handed to another agent or queue.",
    "activity.closed": "A conversation was closed, with its status.",
    "message.created": "A message was written in a conversation: by the customer (`in`), by an "
    "agent or integration (`out`).",
    "message.status_changed": "An outgoing message was sent, delivered, read, or failed.",
    "contact.created": "A CRM contact was created.",
    "contact.updated": "A CRM contact was changed.",
    "ticket.created": "A ticket was created.",
    "ticket.updated": "A ticket was changed.",
    "agent.state_changed": "An agent came online or went offline, started or ended a pause, or "
    "logged in or out of a queue.",
}


def outbox_record(*, type: str, data: dict) -> OutboxEvent:
    """Write one event for integrators. Call inside the transaction of the change it reports;
    `data` is JSON (dates and decimals are encoded). Not idempotent: one call, one event."""
    if type not in EVENT_TYPES:
        raise ValueError(f"Unknown outbox event type {type!r}")
    event = OutboxEvent.objects.create(type=type, data=data)
    _ask_dispatch_on_commit()
    return event


def _ask_dispatch_on_commit() -> None:
    """One ask per transaction, however many events it wrote."""
    connection = transaction.get_connection()
    if not any(callback is _ask_dispatch for _, callback, _ in connection.run_on_commit):
        transaction.on_commit(_ask_dispatch, robust=True)


def _ask_dispatch() -> None:
    ports.outbox_written()
