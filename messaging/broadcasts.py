"""message.new and message.updated to the agents taking part in an activity, serialized after
the commit from a fresh read (what a page shows is what the database holds)."""

from django.db import transaction

from contactcenter import events
from contactcenter.models import Activity
from contactcenter.selectors import participant_ids
from messaging.models import Message
from messaging.selectors import messages_of
from messaging.serializers import MessageSerializer


def message_new(message: Message) -> None:
    """Tell everyone taking part in the message's activity (nobody, while it waits)."""
    _publish(events.MESSAGE_NEW, message.activity_id, [message.pk])


def message_updated(message: Message) -> None:
    """Its delivery status or a file of it changed."""
    _publish(events.MESSAGE_UPDATED, message.activity_id, [message.pk])


def messages_updated(activity_id: int, message_ids: list[int]) -> None:
    _publish(events.MESSAGE_UPDATED, activity_id, message_ids)


def _publish(event_type: str, activity_id: int, message_ids: list[int]) -> None:
    def send() -> None:
        agents = participant_ids(Activity(pk=activity_id))
        if not agents:
            return
        stored = messages_of(Activity(pk=activity_id)).filter(pk__in=message_ids)
        for message in stored:
            event = {
                "type": event_type,
                "activity_id": activity_id,
                "message": MessageSerializer(message).data,
            }
            events.publish_rollback_unsafe(agents, event)

    transaction.on_commit(send)
