"""The messages' events to the agents taking part in an activity, defined and built as the
core's are (contactcenter/events/): serialized after the commit from a fresh read, so what a
page shows is what the database holds."""

from typing import Literal, TypedDict

from contactcenter.events import publish_rollback_unsafe
from contactcenter.events.schema import define
from contactcenter.events.transport import after_commit, agent_streams
from contactcenter.models import Activity
from contactcenter.selectors import participant_ids
from messaging.models import Message
from messaging.selectors import messages_of
from messaging.serializers import MessageSerializer

MESSAGE_NEW = "message.new"
MESSAGE_UPDATED = "message.updated"


@define(MESSAGE_NEW, MESSAGE_UPDATED)
class MessageChanged(TypedDict):
    """Everyone taking part. new: a message in the chat. updated: its delivery status changed
    (sent, delivered, read, failed with its reason, queued again on a retry) or its file is
    stored; the message comes whole, as in message.new."""

    type: Literal["message.new", "message.updated"]
    activity_id: int
    message: dict


def message_new(message: Message) -> None:
    """Tell everyone taking part in the message's activity (nobody, while it waits)."""
    _publish(MESSAGE_NEW, message.activity_id, [message.pk])


def message_updated(message: Message) -> None:
    """Its delivery status or a file of it changed."""
    _publish(MESSAGE_UPDATED, message.activity_id, [message.pk])


def messages_updated(activity_id: int, message_ids: list[int]) -> None:
    _publish(MESSAGE_UPDATED, activity_id, message_ids)


def _publish(kind: str, activity_id: int, message_ids: list[int]) -> None:
    def send() -> None:
        agents = participant_ids(Activity(pk=activity_id))
        if not agents:
            return
        stored = messages_of(Activity(pk=activity_id)).filter(pk__in=message_ids)
        for message in stored:
            data = MessageSerializer(message).data
            event = MessageChanged(type=kind, activity_id=activity_id, message=data)
            publish_rollback_unsafe(agent_streams(agents), event)

    after_commit(send)
