"""Delivery statuses of our messages: they only ever move forward."""

from datetime import datetime

from contactcenter.outbox import outbox_record
from messaging import events
from messaging.connectors.base import StatusUpdate, Watermark
from messaging.lock_objects import message_for_update
from messaging.models import (
    ChannelAccount,
    DeliveryReceipt,
    DeliveryStatus,
    Direction,
    ExternalIdentity,
    Message,
)
from messaging.outbox import message_status_data

RANK = {
    DeliveryStatus.QUEUED: 0,
    DeliveryStatus.SENT: 1,
    DeliveryStatus.DELIVERED: 2,
    DeliveryStatus.READ: 3,
}
TIME_FIELD = {
    DeliveryStatus.SENT: "sent_at",
    DeliveryStatus.DELIVERED: "delivered_at",
    DeliveryStatus.READ: "read_at",
}


def moves_forward(current: str, new: str) -> bool:
    """Whether `new` is news: later in queued -> sent -> delivered -> read, or a failure of a
    message the customer has not received. A failed message stays failed."""
    if current == DeliveryStatus.FAILED:
        return False
    if new == DeliveryStatus.FAILED:
        return RANK[current] < RANK[DeliveryStatus.DELIVERED]
    return RANK[new] > RANK[current]


def receipt_record(*, account: ChannelAccount, update: StatusUpdate) -> None:
    """Keep the provider's status report and apply it to the message when we know it.

    Caller holds a transaction. Idempotent: a status reported again is kept once (the database
    ignores the copy) and moves nothing. A report may arrive before the send call has returned
    the message's id: it waits as a DeliveryReceipt and `receipts_apply_pending` applies it then.
    """
    receipt = DeliveryReceipt(
        channel_account=account,
        provider_message_id=update.provider_message_id,
        status=update.status,
        occurred_at=update.occurred_at,
        error_code=update.error_code,
        error_reason=update.error_reason,
    )
    DeliveryReceipt.objects.bulk_create([receipt], ignore_conflicts=True)
    message = message_for_update(account=account, provider_message_id=update.provider_message_id)
    if message is not None and _apply(
        message, update.status, update.occurred_at, update.error_code, update.error_reason
    ):
        events.message_updated(message)


def receipts_apply_pending(*, message: Message) -> None:
    """Apply the reports that arrived for `message` before its id was stored.

    Caller holds `message_for_update` on it, and tells the agents it changed.
    """
    receipts = DeliveryReceipt.objects.filter(
        channel_account_id=message.channel_account_id,
        provider_message_id=message.provider_message_id,
    )
    for receipt in receipts:
        _apply(
            message, receipt.status, receipt.occurred_at, receipt.error_code, receipt.error_reason
        )


def watermark_apply(*, account: ChannelAccount, watermark: Watermark) -> int:
    """Move every message we sent the customer up to the watermark to its status; returns how
    many moved. One filtered update: it only ever raises statuses, so it needs no row lock.
    Caller holds a transaction (the agents hear of the moved messages on commit, integrators
    of each one's change)."""
    identity = ExternalIdentity.objects.filter(
        channel_account=account, provider_user_id=watermark.recipient_id
    ).first()
    if identity is None:
        return 0
    behind = [
        status
        for status, rank in RANK.items()
        if RANK[DeliveryStatus.SENT] <= rank < RANK[watermark.status]
    ]
    moving = Message.objects.filter(
        identity=identity,
        direction__in=[Direction.OUT, Direction.SYSTEM],
        status__in=behind,
        sent_at__lte=watermark.up_to,
    )
    found = list(moving.only("pk", "activity_id", "status", "error_code", "error_reason"))
    by_activity: dict[int, list[int]] = {}
    for message in found:
        by_activity.setdefault(message.activity_id, []).append(message.pk)
    moved = moving.filter(pk__in=[message.pk for message in found]).update(
        status=watermark.status, **{TIME_FIELD[watermark.status]: watermark.up_to}
    )
    for message in found:
        previous, message.status = message.status, watermark.status
        changed = message_status_data(message, previous_status=previous)
        outbox_record(type="message.status_changed", data=changed)
    for activity_id, message_ids in by_activity.items():
        events.messages_updated(activity_id, message_ids)
    return moved


def _apply(message: Message, status: str, at: datetime, code: str, reason: str) -> bool:
    """Caller holds `message_for_update(message)`. Returns whether the message changed (and
    reports the change to integrators)."""
    if not moves_forward(message.status, status):
        return False
    previous, message.status = message.status, status
    fields = ["status", "updated_at"]
    if status == DeliveryStatus.FAILED:
        message.error_code, message.error_reason = code, reason
        fields += ["error_code", "error_reason"]
    else:
        setattr(message, TIME_FIELD[status], at)
        fields.append(TIME_FIELD[status])
    message.save(update_fields=fields)
    changed = message_status_data(message, previous_status=previous)
    outbox_record(type="message.status_changed", data=changed)
    return True
