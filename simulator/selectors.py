"""Reads of the simulator: the accounts a customer can write to, one customer's conversation as
they see it, and the recorded calls and webhooks (for tests and scripts)."""

from django.db.models import QuerySet
from django.urls import reverse

from messaging.models import ChannelAccount, Provider
from simulator.models import SimulatedEvent, SimulatorCall, SimulatorWebhook

WHATSAPP_MEDIA = {"image", "video", "audio", "document", "sticker"}
VIBER_MEDIA = {"picture": "image", "video": "video", "file": "file"}


def simulator_accounts() -> QuerySet[ChannelAccount]:
    return ChannelAccount.objects.filter(is_active=True).order_by("provider", "name")


def customer_replies(*, account: ChannelAccount, customer_id: str) -> QuerySet[SimulatorCall]:
    """Our sends the provider accepted for this customer, oldest first."""
    return (
        SimulatorCall.objects.filter(
            channel_account=account, recipient_id=customer_id, status_code=200
        )
        .exclude(provider_message_id="")
        .order_by("created_at", "id")
    )


def conversation(*, account: ChannelAccount, customer_id: str) -> list[dict]:
    """What the customer's phone shows: their messages (with how our endpoint took each) and
    our accepted replies, oldest first, as JSON-ready dicts with string ids."""
    written = SimulatorWebhook.objects.filter(
        channel_account=account, customer_id=customer_id, event=SimulatedEvent.MESSAGE
    ).select_related("media")
    items = [(webhook.created_at, _written(webhook)) for webhook in written]
    items += [
        (call.created_at, _reply(account.provider, call))
        for call in customer_replies(account=account, customer_id=customer_id)
    ]
    return [item for _, item in sorted(items, key=lambda pair: pair[0])]


def _written(webhook: SimulatorWebhook) -> dict:
    item = _item(f"in-{webhook.pk}", "customer", webhook.created_at, webhook.text)
    if webhook.media:
        item |= {"media_kind": "image", "media_url": _cdn(webhook.media.media_id)}
    item["state"], item["detail"] = _delivery_state(webhook)
    return item


def _delivery_state(webhook: SimulatorWebhook) -> tuple[str, str]:
    if webhook.answer_status == 200:
        return "delivered", ""
    if webhook.answer_status:
        return "refused", f"Our endpoint answered HTTP {webhook.answer_status}."
    if webhook.error:
        return "retrying", webhook.error
    return "sending", ""


def _reply(provider: str, call: SimulatorCall) -> dict:
    item = _item(f"out-{call.pk}", "agent", call.created_at, "")
    item |= {"number": call.pk, "seen": call.read_at is not None}
    if provider == Provider.WHATSAPP:
        return item | _whatsapp_content(call.body)
    if provider == Provider.VIBER:
        return item | _viber_content(call.body)
    return item | _messaging_content(call.body.get("message") or {})


def _item(item_id: str, sender: str, at, text: str) -> dict:
    return {
        "id": item_id,
        "from": sender,
        "at": at.isoformat(),
        "text": text,
        "media_kind": "",
        "media_url": "",
        "filename": "",
    }


def _whatsapp_content(body: dict) -> dict:
    kind = body.get("type", "text")
    if kind == "text":
        return {"text": body["text"].get("body", "")}
    if kind == "template":
        template = body["template"]
        values = [
            parameter.get("text", "")
            for component in template.get("components", [])
            for parameter in component.get("parameters", [])
        ]
        return {"text": f"[Template {template['name']}] " + " · ".join(values)}
    if kind in WHATSAPP_MEDIA:
        media = body[kind]
        url = media.get("link") or _cdn(media.get("id", ""))
        media_kind = "image" if kind in ("image", "sticker") else kind
        return {
            "text": media.get("caption", ""),
            "media_kind": "file" if kind == "document" else media_kind,
            "media_url": url,
            "filename": media.get("filename", ""),
        }
    return {"text": f"[{kind}]"}


def _messaging_content(message: dict) -> dict:
    attachment = message.get("attachment")
    if not attachment:
        return {"text": message.get("text", "")}
    return {
        "media_kind": attachment.get("type", "file"),
        "media_url": (attachment.get("payload") or {}).get("url", ""),
    }


def _viber_content(body: dict) -> dict:
    kind = body.get("type", "text")
    content = {"text": body.get("text", "") if kind in ("text", "picture") else ""}
    if kind in VIBER_MEDIA:
        content |= {
            "media_kind": VIBER_MEDIA[kind],
            "media_url": body.get("media", ""),
            "filename": body.get("file_name", ""),
        }
    return content


def _cdn(media_id: str) -> str:
    return reverse("simulator:cdn", args=[media_id]) if media_id else ""


def calls_recorded(
    *, provider: str = "", account_id: int | None = None, recipient_id: str = ""
) -> QuerySet[SimulatorCall]:
    calls = SimulatorCall.objects.order_by("created_at", "id")
    if provider:
        calls = calls.filter(provider=provider)
    if account_id:
        calls = calls.filter(channel_account_id=account_id)
    if recipient_id:
        calls = calls.filter(recipient_id=recipient_id)
    return calls


def webhooks_emitted(
    *, provider: str = "", account_id: int | None = None, customer_id: str = ""
) -> QuerySet[SimulatorWebhook]:
    webhooks = SimulatorWebhook.objects.order_by("created_at", "id")
    if provider:
        webhooks = webhooks.filter(provider=provider)
    if account_id:
        webhooks = webhooks.filter(channel_account_id=account_id)
    if customer_id:
        webhooks = webhooks.filter(customer_id=customer_id)
    return webhooks
