"""What integrators' message events carry (the types and their examples are the core's:
contactcenter/outbox.py). Built from the rows the service has just written or locked: no query."""

from collections.abc import Iterable

from messaging.models import Attachment, Direction, Message


def message_created_data(
    message: Message, *, author: dict, attachments: Iterable[Attachment]
) -> dict:
    """`author`: the core's `by_customer` for a message in, `by_agent` for an agent's reply,
    BY_SYSTEM for a notice (who wrote ours is for integrators, never for the customer). A
    system notice goes out to the customer like a reply: its direction is `out`."""
    return {
        "message": {
            "id": message.pk,
            "activity_id": message.activity_id,
            "direction": "in" if message.direction == Direction.IN else "out",
            "text": message.text,
            "author": author,
            "template_id": message.template_id,
            "attachments": [
                {
                    "id": attachment.pk,
                    "kind": attachment.kind,
                    "filename": attachment.filename,
                    "content_type": attachment.content_type,
                    "size": attachment.size,
                }
                for attachment in attachments
            ],
            "status": message.status,
            "created_at": message.created_at,
        }
    }


def message_status_data(message: Message, *, previous_status: str) -> dict:
    """After the change, with the provider's error for a failure ("" otherwise)."""
    return {
        "message": {
            "id": message.pk,
            "activity_id": message.activity_id,
            "status": message.status,
            "error_code": message.error_code,
            "error_reason": message.error_reason,
        },
        "previous_status": previous_status,
    }
