"""System notices to the customer ("another agent has joined"): sent like an agent's message,
but written by no agent, and only where the channel lets us write now."""

from django.utils import timezone

from contactcenter.models import Activity
from contactcenter.outbox import BY_SYSTEM, outbox_record
from messaging import events
from messaging.models import DeliveryStatus, Direction, Message
from messaging.outbox import message_created_data
from messaging.policy import reply_window
from messaging.tasks import message_deliver as message_deliver_task


def customer_notice_queue(*, activity: Activity, text: str) -> Message | None:
    """Queue `text` to the activity's customer as a system message, in the caller's
    transaction. Skipped (returns None) when there is no text, no channel, or the reply window
    allows no free text: a notice is a courtesy, never worth a template or a refusal."""
    if not text or activity.identity_id is None:
        return None
    window = reply_window(activity.identity, timezone.now())
    if not window.free_text:
        return None
    message = Message.objects.create(
        activity=activity,
        channel_account_id=activity.channel_account_id,
        identity_id=activity.identity_id,
        direction=Direction.SYSTEM,
        status=DeliveryStatus.QUEUED,
        text=text,
        tag=window.tag,
    )
    message_deliver_task.delay_on_commit(message.id)
    events.message_new(message)
    created = message_created_data(message, author=BY_SYSTEM, attachments=())
    outbox_record(type="message.created", data=created)
    return message
