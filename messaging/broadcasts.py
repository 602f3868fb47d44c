"""message.new to the agents taking part in an activity, serialized after the commit."""

from django.db import transaction

from contactcenter import events
from contactcenter.selectors import participant_ids
from messaging.models import Message
from messaging.selectors import messages_of
from messaging.serializers import MessageSerializer


def message_new(message: Message) -> None:
    """Tell everyone taking part in the message's activity (nobody, while it waits)."""
    message_id, activity = message.pk, message.activity

    def send() -> None:
        agents = participant_ids(activity)
        stored = messages_of(activity).filter(pk=message_id).first()
        if agents and stored is not None:
            event = {
                "type": events.MESSAGE_NEW,
                "activity_id": activity.pk,
                "message": MessageSerializer(stored).data,
            }
            events.publish_rollback_unsafe(agents, event)

    transaction.on_commit(send)
