"""Webhook bodies in the providers' exact shapes (CHANNELS.md), and their signatures."""

import hashlib
import hmac
import json

from tests.factories import META_SECRET, VIBER_TOKEN


def meta_signature(body: bytes, secret: str = META_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def viber_signature(body: bytes, token: str = VIBER_TOKEN) -> str:
    return hmac.new(token.encode(), body, hashlib.sha256).hexdigest()


def encode(payload: dict) -> bytes:
    """As Meta sends it: compact, non-ASCII escaped."""
    return json.dumps(payload, separators=(",", ":")).encode()


def whatsapp_text(
    phone_number_id: str, wamid: str, text: str, wa_id="16505551234", name="Sheena Nelson"
) -> dict:
    return _whatsapp_value(
        phone_number_id,
        {
            "contacts": [{"profile": {"name": name}, "wa_id": wa_id}],
            "messages": [
                {
                    "from": wa_id,
                    "id": wamid,
                    "timestamp": "1749416383",
                    "type": "text",
                    "text": {"body": text},
                }
            ],
        },
    )


def whatsapp_image(phone_number_id: str, wamid: str, wa_id="16505551234") -> dict:
    return _whatsapp_value(
        phone_number_id,
        {
            "contacts": [{"profile": {"name": "Sheena Nelson"}, "wa_id": wa_id}],
            "messages": [
                {
                    "from": wa_id,
                    "id": wamid,
                    "timestamp": "1749416390",
                    "type": "image",
                    "image": {
                        "mime_type": "image/jpeg",
                        "sha256": "abc",
                        "id": "65463453",
                        "caption": "the box",
                    },
                }
            ],
        },
    )


def whatsapp_document(
    phone_number_id: str, wamid: str, filename: str, mime_type: str, wa_id="16505551234"
) -> dict:
    return _whatsapp_value(
        phone_number_id,
        {
            "contacts": [{"profile": {"name": "Sheena Nelson"}, "wa_id": wa_id}],
            "messages": [
                {
                    "from": wa_id,
                    "id": wamid,
                    "timestamp": "1749416395",
                    "type": "document",
                    "document": {
                        "mime_type": mime_type,
                        "sha256": "def",
                        "id": "65463454",
                        "filename": filename,
                    },
                }
            ],
        },
    )


def whatsapp_status(
    phone_number_id: str, wamid: str, status: str, timestamp="1689380458", error=None
) -> dict:
    entry = {"id": wamid, "status": status, "timestamp": timestamp, "recipient_id": "16505551234"}
    if error:
        entry["errors"] = [error]
    return _whatsapp_value(phone_number_id, {"statuses": [entry]})


def _whatsapp_value(phone_number_id: str, value: dict) -> dict:
    metadata = {"display_phone_number": "15550783881", "phone_number_id": phone_number_id}
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "WABA_ID",
                "changes": [
                    {
                        "field": "messages",
                        "value": {"messaging_product": "whatsapp", "metadata": metadata, **value},
                    }
                ],
            }
        ],
    }


def messenger(obj: str, account_id: str, item: dict) -> dict:
    """object "page" (Messenger) or "instagram", one messaging[] item."""
    return {
        "object": obj,
        "entry": [{"id": account_id, "time": 1458692752478, "messaging": [item]}],
    }


def messenger_read(account_id: str, watermark: int, psid="PSID") -> dict:
    """The customer has read everything the Page sent them up to `watermark` (ms)."""
    item = {
        "sender": {"id": psid},
        "recipient": {"id": "PAGE_ID"},
        "timestamp": watermark,
        "read": {"watermark": watermark},
    }
    return messenger("page", account_id, item)


def messenger_text(mid: str, text: str, psid="PSID") -> dict:
    return {
        "sender": {"id": psid},
        "recipient": {"id": "PAGE_ID"},
        "timestamp": 1458692752478,
        "message": {"mid": mid, "text": text},
    }


def messenger_attachment(mid: str, kind: str, url: str, psid="PSID") -> dict:
    return {
        "sender": {"id": psid},
        "recipient": {"id": "PAGE_ID"},
        "timestamp": 1458692752500,
        "message": {"mid": mid, "attachments": [{"type": kind, "payload": {"url": url}}]},
    }


def viber_message(token: int, message: dict, user="01234567890A=") -> dict:
    return {
        "event": "message",
        "timestamp": 1457764197627,
        "chat_hostname": "SN-376_",
        "message_token": token,
        "silent": False,
        "sender": {
            "id": user,
            "name": "John McClane",
            "avatar": "http://avatar.example.com",
            "country": "UK",
            "language": "en",
            "api_version": 1,
        },
        "message": message,
    }
