"""What the messaging tests share: a customer with an activity, and posting signed webhooks."""

import functools
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from messaging.connectors import connector_for
from messaging.models import Outcome, Verdict, WebhookEvent
from messaging.services.outbound import message_deliver, message_send
from messaging.services.webhooks import webhook_event_process
from tests.factories import ChannelAccountFactory, CustomerActivityFactory, IdentityFactory
from tests.messaging import payloads

WA_ACCEPTED = {
    "messaging_product": "whatsapp",
    "contacts": [{"input": "16505551234", "wa_id": "16505551234"}],
    "messages": [{"id": "wamid.OUT1"}],
}
WA_WINDOW_CLOSED = {
    "error": {
        "message": "(#131047) Re-engagement message",
        "type": "OAuthException",
        "code": 131047,
        "fbtrace_id": "A1",
    }
}


def customer(hours_ago: float | None = 1, **identity):
    """An open activity whose customer last wrote `hours_ago` hours ago (None: never)."""
    last = timezone.now() - timedelta(hours=hours_ago) if hours_ago is not None else None
    identity = IdentityFactory(last_inbound_at=last, **identity)
    return CustomerActivityFactory(identity=identity)


def messenger_replies_sent(provider_api, *mids: str):
    """A Messenger customer's open activity with one reply of ours sent per mid (its text the
    mid); returns the channel account."""
    account = ChannelAccountFactory(messenger=True)
    activity = customer(channel_account=account, provider_user_id="PSID")
    for mid in mids:
        provider_api.answer(200, {"recipient_id": "PSID", "message_id": mid})
        [message] = message_send(activity=activity, author=activity.owner, text=mid)
        message_deliver(message_id=message.id)
    return account


def post_webhook(
    client, account, body: bytes | dict, signature: str | None = None, *, process: bool = True
):
    """POST a delivery to the account's webhook, signed as its provider signs (or as given),
    then apply what it kept as the worker would (unless `process` is False)."""
    if isinstance(body, dict):
        body = payloads.encode(body)
    if signature is None:
        signature = (
            payloads.viber_signature(body)
            if account.provider == "viber"
            else payloads.meta_signature(body)
        )
    header = connector_for(account.provider).signature_header
    response = client.post(
        reverse("webhook", args=[account.provider, account.webhook_key]),
        body,
        content_type="application/json",
        headers={header: signature} if signature else {},
    )
    if process:
        process_kept_deliveries()
    return response


def process_kept_deliveries() -> None:
    """What the worker does with every delivery the webhook kept and queued."""
    pending = WebhookEvent.objects.filter(verdict=Verdict.ACCEPTED, outcome=Outcome.PENDING)
    for event_id in pending.values_list("pk", flat=True):
        webhook_event_process(event_id=event_id)


def queued_tasks(callbacks) -> list[str]:
    """The names of the Celery tasks among captured on-commit callbacks (`delay_on_commit`),
    leaving out the other callbacks (events to the agents' pages)."""
    return [
        callback.func.__self__.name
        for callback in callbacks
        if isinstance(callback, functools.partial) and hasattr(callback.func, "__self__")
    ]
