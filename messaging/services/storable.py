"""A customer's message made storable, whatever came: a delivery is applied even where a text
holds a NUL (PostgreSQL refuses it), a name is longer than its field, an id is longer than its
field, or the provider left the time out.

Texts lose their NULs; names and other free text are cut to their fields, file names cleaned
(`files.filename_clean`); an id too long for its field becomes a prefix with a digest of the
whole, so it stays unique and is the same on every delivery (a retried webhook still finds the
message it stored).
"""

import hashlib
from dataclasses import replace
from datetime import datetime

from django.db.models import Model

from messaging.connectors.base import InboundAttachment, InboundMessage
from messaging.files import filename_clean
from messaging.models import Attachment, ExternalIdentity, Message

DIGEST_LENGTH = 20


def inbound_storable(inbound: InboundMessage, *, received_at: datetime) -> InboundMessage:
    """`inbound` as it can be stored; a message without its time is dated when we got it."""
    return replace(
        inbound,
        provider_message_id=_key(inbound.provider_message_id, Message, "provider_message_id"),
        sender_id=_key(inbound.sender_id, ExternalIdentity, "provider_user_id"),
        sent_at=inbound.sent_at or received_at,
        text=_text(inbound.text),
        sender_name=_cut(inbound.sender_name, ExternalIdentity, "display_name"),
        phone=_cut(inbound.phone, ExternalIdentity, "phone"),
        attachments=tuple(_attachment(attachment) for attachment in inbound.attachments),
    )


def digest_id(value: str) -> str:
    """A stable id for something that came without one (an unreadable part, by its raw text)."""
    return hashlib.sha256(value.encode()).hexdigest()[:DIGEST_LENGTH]


def _attachment(attachment: InboundAttachment) -> InboundAttachment:
    return replace(
        attachment,
        media_id=_key(attachment.media_id, Attachment, "provider_media_id"),
        url=_cut(attachment.url, Attachment, "source_url"),
        content_type=_cut(attachment.content_type, Attachment, "content_type"),
        filename=filename_clean(_text(attachment.filename)),
        caption=_text(attachment.caption),
    )


def _text(value: str) -> str:
    if not isinstance(value, str):  # a shape no provider documents: that part is unreadable
        raise TypeError(f"expected a text, got {type(value).__name__}")
    return value.replace("\x00", "")


def _cut(value: str, model: type[Model], field: str) -> str:
    return _text(value)[: model._meta.get_field(field).max_length]


def _key(value: str, model: type[Model], field: str) -> str:
    value = _text(value)
    limit = model._meta.get_field(field).max_length
    if len(value) <= limit:
        return value
    return f"{value[: limit - DIGEST_LENGTH - 1]}~{digest_id(value)}"
