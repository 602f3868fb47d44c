"""Webhook bodies in the providers' exact shapes (CHANNELS.md §1.2, §2.2, §3, §4.2), encoded
and signed as each provider does. Pure functions: the caller passes every id and time."""

import json
from dataclasses import dataclass
from datetime import datetime

from messaging.connectors.base import hmac_sha256_hex
from messaging.connectors.meta import SIGNATURE_HEADER as META_SIGNATURE_HEADER
from messaging.connectors.viber import CONNECTOR as VIBER_CONNECTOR
from messaging.models import ChannelAccount, Provider

# Our ChannelAccount keeps no WABA id or display number: every simulated number shares these.
WABA_ID = "102290129340398"
DISPLAY_PHONE_NUMBER = "15550783881"
VIBER_CHAT_HOSTNAME = "SN-376_"
META_OBJECTS = {Provider.MESSENGER: "page", Provider.INSTAGRAM: "instagram"}


@dataclass(frozen=True)
class Picture:
    """A picture the customer attached, as the simulator serves it."""

    media_id: str
    url: str
    content_type: str
    sha256: str


@dataclass(frozen=True)
class CustomerMessage:
    message_id: str | int  # a wamid, a mid, or a Viber token
    customer_id: str
    name: str
    text: str
    at: datetime
    picture: Picture | None = None


def millis(at: datetime) -> int:
    return int(at.timestamp() * 1000)


def seconds(at: datetime) -> str:
    """WhatsApp's timestamps: seconds, as a string."""
    return str(int(at.timestamp()))


def customer_message(account: ChannelAccount, message: CustomerMessage) -> dict:
    """What the provider posts when the customer writes (and maybe attaches a picture)."""
    if account.provider == Provider.WHATSAPP:
        return _whatsapp_value(account, _whatsapp_message(message))
    if account.provider == Provider.VIBER:
        return _viber_message(message)
    content: dict = {"mid": message.message_id}
    if message.text:
        content["text"] = message.text
    if message.picture:
        content["attachments"] = [{"type": "image", "payload": {"url": message.picture.url}}]
    return _messaging_item(account, message.customer_id, message.at, {"message": content})


def _whatsapp_message(message: CustomerMessage) -> dict:
    item = {"from": message.customer_id, "id": message.message_id, "timestamp": seconds(message.at)}
    if message.picture:
        picture = message.picture
        image = {
            "mime_type": picture.content_type,
            "sha256": picture.sha256,
            "id": picture.media_id,
        }
        if message.text:
            image["caption"] = message.text
        item |= {"type": "image", "image": image}
    else:
        item |= {"type": "text", "text": {"body": message.text}}
    contact = {"profile": {"name": message.name}, "wa_id": message.customer_id}
    return {"contacts": [contact], "messages": [item]}


def _viber_message(message: CustomerMessage) -> dict:
    if message.picture:
        url = message.picture.url
        content = {"type": "picture", "text": message.text, "media": url, "thumbnail": url}
    else:
        content = {"type": "text", "text": message.text}
    sender = {"id": message.customer_id, "name": message.name, "language": "en", "api_version": 1}
    return {
        "event": "message",
        "timestamp": millis(message.at),
        "chat_hostname": VIBER_CHAT_HOSTNAME,
        "message_token": message.message_id,
        "silent": False,
        "sender": sender,
        "message": content,
    }


def whatsapp_status(
    account: ChannelAccount,
    *,
    message_id: str,
    recipient_id: str,
    status: str,
    at: datetime,
    error: dict | None = None,
) -> dict:
    """A `statuses[]` webhook about one of our messages: sent, delivered, read or failed."""
    entry: dict = {
        "id": message_id,
        "status": status,
        "timestamp": seconds(at),
        "recipient_id": recipient_id,
    }
    if status in ("sent", "delivered"):
        entry["conversation"] = {"id": message_id[-32:], "origin": {"type": "service"}}
        entry["pricing"] = {
            "billable": False,
            "pricing_model": "PMP",
            "category": "service",
            "type": "free_customer_service",
        }
    if error:
        entry["errors"] = [error]
    return _whatsapp_value(account, {"statuses": [entry]})


def _whatsapp_value(account: ChannelAccount, value: dict) -> dict:
    metadata = {
        "display_phone_number": DISPLAY_PHONE_NUMBER,
        "phone_number_id": account.provider_account_id,
    }
    change = {
        "field": "messages",
        "value": {"messaging_product": "whatsapp", "metadata": metadata, **value},
    }
    return {"object": "whatsapp_business_account", "entry": [{"id": WABA_ID, "changes": [change]}]}


def messaging_receipt(
    account: ChannelAccount, *, customer_id: str, at: datetime, receipt: dict
) -> dict:
    """Messenger's `delivery`/`read` or Instagram's `read`, from the customer to the account."""
    return _messaging_item(account, customer_id, at, receipt)


def _messaging_item(account: ChannelAccount, customer_id: str, at: datetime, event: dict) -> dict:
    item = {
        "sender": {"id": customer_id},
        "recipient": {"id": account.provider_account_id},
        "timestamp": millis(at),
        **event,
    }
    entry = {"id": account.provider_account_id, "time": millis(at), "messaging": [item]}
    return {"object": META_OBJECTS[account.provider], "entry": [entry]}


def viber_receipt(*, event: str, message_token: int, user_id: str, at: datetime) -> dict:
    """`delivered` or `seen` for one of our messages."""
    return {
        "event": event,
        "timestamp": millis(at),
        "chat_hostname": VIBER_CHAT_HOSTNAME,
        "message_token": message_token,
        "user_id": user_id,
    }


def encode(provider: str, payload: dict) -> str:
    """The body as the provider sends it: compact JSON. Meta escapes non-ASCII (`\\u00e4`) and
    signs that; Viber sends UTF-8."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=provider != Provider.VIBER)


def signature_headers(account: ChannelAccount, body: bytes) -> dict:
    """The provider's signature over exactly these bytes."""
    if account.provider == Provider.VIBER:
        signature = hmac_sha256_hex(account.viber_auth_token, body)
        return {VIBER_CONNECTOR.signature_header: signature}
    return {META_SIGNATURE_HEADER: "sha256=" + hmac_sha256_hex(account.app_secret, body)}
