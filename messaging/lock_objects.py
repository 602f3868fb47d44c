"""Every row lock of the messaging domain, in one place (fixed order: message before its
attachments)."""

from messaging.models import ChannelAccount, ExternalIdentity, Message, WebhookEvent


def message_for_update(*, account: ChannelAccount, provider_message_id: str) -> Message | None:
    return (
        Message.objects.filter(channel_account=account, provider_message_id=provider_message_id)
        .select_for_update(of=("self",), no_key=True)
        .first()
    )


def message_by_id_for_update(message_id: int) -> Message | None:
    return (
        Message.objects.filter(pk=message_id)
        .select_related("channel_account", "identity")
        .select_for_update(of=("self",), no_key=True)
        .first()
    )


def webhook_event_for_update(event_id: int) -> WebhookEvent | None:
    return (
        WebhookEvent.objects.filter(pk=event_id)
        .select_related("channel_account__queue")
        .select_for_update(of=("self",), no_key=True)
        .first()
    )


def identity_for_update(identity_id: int) -> ExternalIdentity | None:
    return (
        ExternalIdentity.objects.filter(pk=identity_id)
        .select_for_update(of=("self",), no_key=True)
        .first()
    )
