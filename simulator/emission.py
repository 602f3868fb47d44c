"""Webhooks from the simulator to our real endpoint `/webhooks/<provider>/<key>/`.

Each delivery is stored first (the exact body), then posted, signed, by a Celery task. Never
from a view: under daphne every sync view runs in one shared thread, so a simulator view that
posted to our webhook view would wait forever for the thread it holds itself.
"""

from datetime import datetime, timedelta
from functools import cache

import httpx
from django.conf import settings
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from messaging.models import ChannelAccount, Provider
from simulator import payloads
from simulator.models import SimulatedEvent, SimulatorCall, SimulatorMedia, SimulatorWebhook
from simulator.tasks import webhook_deliver as webhook_deliver_task

# Receipts follow the send by a moment, as on a phone; `sent` goes at once.
RECEIPT_DELAY = timedelta(seconds=1)
WEBHOOK_TIMEOUT = 10.0
ANSWER_KEPT_CHARS = 2000


class WebhookUnanswered(Exception):
    """Our endpoint gave no answer, or a 5xx: the provider would retry."""


def webhook_emit(
    *,
    account: ChannelAccount,
    event: str,
    customer_id: str,
    provider_message_id: str,
    payload: dict,
    delay: timedelta = timedelta(0),
    text: str = "",
    customer_name: str = "",
    media: SimulatorMedia | None = None,
) -> SimulatorWebhook:
    """Store a webhook delivery and post it after `delay`, once the caller's transaction
    commits. Not idempotent: each call is one more delivery."""
    webhook = SimulatorWebhook.objects.create(
        provider=account.provider,
        channel_account=account,
        event=event,
        customer_id=customer_id,
        provider_message_id=provider_message_id,
        text=text,
        customer_name=customer_name,
        media=media,
        body=payloads.encode(account.provider, payload),
    )
    webhook_deliver_task.apply_async_on_commit((webhook.id,), countdown=delay.total_seconds())
    return webhook


@cache
def webhook_client() -> httpx.Client:
    return httpx.Client(timeout=WEBHOOK_TIMEOUT)


def webhook_deliver(*, webhook_id: int) -> None:
    """Post a stored delivery, signed, and keep our endpoint's answer.

    Idempotent: a delivery our endpoint accepted (200) is not posted again. Raises
    WebhookUnanswered for no answer or a 5xx, so that the task retries as providers do; a 4xx
    (a refused signature) is kept and not retried.
    """
    webhook = SimulatorWebhook.objects.select_related("channel_account").get(pk=webhook_id)
    if webhook.answer_status == 200:
        return
    account = webhook.channel_account
    body = webhook.body.encode()
    url = settings.SITE_URL + reverse("webhook", args=[account.provider, account.webhook_key])
    headers = {"Content-Type": "application/json", **payloads.signature_headers(account, body)}
    try:
        response = webhook_client().post(url, content=body, headers=headers)
    except httpx.TransportError as exc:
        _attempted(webhook_id, error=f"{exc.__class__.__name__}: {exc}")
        raise WebhookUnanswered(f"POST {url}: {exc.__class__.__name__}") from exc
    _attempted(
        webhook_id,
        answer_status=response.status_code,
        answer_body=response.text[:ANSWER_KEPT_CHARS],
        error="",
    )
    if response.status_code >= 500:
        raise WebhookUnanswered(f"POST {url}: HTTP {response.status_code}")


def _attempted(webhook_id: int, **fields) -> None:
    SimulatorWebhook.objects.filter(pk=webhook_id).update(attempts=F("attempts") + 1, **fields)


def send_receipts_emit(
    *, account: ChannelAccount, call: SimulatorCall, failure: dict | None
) -> None:
    """What the provider reports after accepting a send: WhatsApp `sent` then `delivered` (or
    `failed` with `failure`, the late error), Messenger a `delivery`, Viber `delivered`,
    Instagram nothing. Caller holds a transaction."""
    now = timezone.now()
    later = now + RECEIPT_DELAY
    customer, message_id = call.recipient_id, call.provider_message_id
    if account.provider == Provider.WHATSAPP:
        steps = (
            [(SimulatedEvent.FAILED, later)]
            if failure
            else [(SimulatedEvent.SENT, now), (SimulatedEvent.DELIVERED, later)]
        )
        for status, at in steps:
            payload = payloads.whatsapp_status(
                account,
                message_id=message_id,
                recipient_id=customer,
                status=status,
                at=at,
                error=failure,
            )
            _receipt(account, status, customer, message_id, payload, at - now)
    elif account.provider == Provider.MESSENGER:
        delivery = {"delivery": {"mids": [message_id], "watermark": payloads.millis(later)}}
        payload = payloads.messaging_receipt(
            account, customer_id=customer, at=later, receipt=delivery
        )
        _receipt(account, SimulatedEvent.DELIVERED, customer, message_id, payload, RECEIPT_DELAY)
    elif account.provider == Provider.VIBER:
        payload = payloads.viber_receipt(
            event="delivered", message_token=int(message_id), user_id=customer, at=later
        )
        _receipt(account, SimulatedEvent.DELIVERED, customer, message_id, payload, RECEIPT_DELAY)


def read_receipts_emit(
    *, account: ChannelAccount, customer_id: str, calls: list[SimulatorCall]
) -> None:
    """The customer saw our `calls` (oldest first): WhatsApp reports each `read`, Messenger a
    `read` watermark, Instagram `read` with the last mid, Viber `seen` once for the batch.
    Caller holds a transaction."""
    at = timezone.now()
    last = calls[-1].provider_message_id
    if account.provider == Provider.WHATSAPP:
        for call in calls:
            payload = payloads.whatsapp_status(
                account,
                message_id=call.provider_message_id,
                recipient_id=customer_id,
                status="read",
                at=at,
            )
            _receipt(account, SimulatedEvent.READ, customer_id, call.provider_message_id, payload)
        return
    if account.provider == Provider.VIBER:
        payload = payloads.viber_receipt(
            event="seen", message_token=int(last), user_id=customer_id, at=at
        )
    else:
        read = {"mid": last} if account.provider == Provider.INSTAGRAM else _watermark(at)
        payload = payloads.messaging_receipt(
            account, customer_id=customer_id, at=at, receipt={"read": read}
        )
    _receipt(account, SimulatedEvent.READ, customer_id, last, payload)


def _watermark(at: datetime) -> dict:
    return {"watermark": payloads.millis(at)}


def _receipt(
    account: ChannelAccount,
    event: str,
    customer_id: str,
    message_id: str,
    payload: dict,
    delay: timedelta = timedelta(0),
) -> None:
    webhook_emit(
        account=account,
        event=event,
        customer_id=customer_id,
        provider_message_id=message_id,
        payload=payload,
        delay=delay,
    )
