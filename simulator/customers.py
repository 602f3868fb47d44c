"""The simulated customer: what they write reaches us as the provider's webhook, and what they
see of our replies is reported back as the provider's read receipt."""

import re
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from contactcenter.exceptions import ApplicationError
from messaging.models import ChannelAccount, Provider
from simulator import ids, payloads
from simulator.emission import read_receipts_emit, webhook_emit
from simulator.media import cdn_url, media_store
from simulator.models import SimulatedEvent, SimulatorCall, SimulatorMedia, SimulatorWebhook
from simulator.selectors import customer_replies

MAX_PICTURE_BYTES = 5 * 1024 * 1024  # WhatsApp's image limit, the lowest of those that apply
CUSTOMER_ID = re.compile(r"[A-Za-z0-9=+/_.-]{1,64}")
WHATSAPP_ID = re.compile(r"[1-9][0-9]{6,14}")


@dataclass(frozen=True)
class PictureUpload:
    content: bytes
    content_type: str
    filename: str


@transaction.atomic(durable=True)
def customer_message_send(
    *,
    account: ChannelAccount,
    customer_id: str,
    name: str,
    text: str = "",
    picture: PictureUpload | None = None,
) -> SimulatorWebhook:
    """The customer writes `text` (and maybe attaches a picture): the provider's webhook for it
    is stored and posted to our endpoint once this commits. Not idempotent: each call is a new
    message. Refuses with ApplicationError what no provider would deliver."""
    text = text.strip()
    _check(account, customer_id, text, picture)
    media = None
    if picture is not None:
        media = media_store(
            account=account,
            content=picture.content,
            content_type=picture.content_type,
            filename=picture.filename,
        )
    message = payloads.CustomerMessage(
        message_id=_message_id(account.provider),
        customer_id=customer_id,
        name=name.strip() or customer_id,
        text=text,
        at=timezone.now(),
        picture=_picture(media) if media else None,
    )
    return webhook_emit(
        account=account,
        event=SimulatedEvent.MESSAGE,
        customer_id=customer_id,
        provider_message_id=str(message.message_id),
        payload=payloads.customer_message(account, message),
        text=text,
        customer_name=name.strip(),
        media=media,
    )


def _check(
    account: ChannelAccount, customer_id: str, text: str, picture: PictureUpload | None
) -> None:
    if not text and picture is None:
        raise ApplicationError("Write something or attach a picture.", code="empty_message")
    pattern = WHATSAPP_ID if account.provider == Provider.WHATSAPP else CUSTOMER_ID
    if not pattern.fullmatch(customer_id):
        raise ApplicationError(
            "A WhatsApp customer id is a phone number in digits, e.g. 16505551234."
            if account.provider == Provider.WHATSAPP
            else "A customer id is 1 to 64 letters, digits or =+/_.-",
            code="invalid_customer_id",
        )
    if picture is not None and not picture.content_type.startswith("image/"):
        raise ApplicationError("Attach a picture (an image file).", code="not_a_picture")
    if picture is not None and len(picture.content) > MAX_PICTURE_BYTES:
        raise ApplicationError("Pictures are limited to 5 MB.", code="picture_too_large")


def _message_id(provider: str) -> str | int:
    if provider == Provider.WHATSAPP:
        return ids.wamid()
    if provider == Provider.VIBER:
        return ids.viber_token()
    return ids.meta_mid()


def _picture(media: SimulatorMedia) -> payloads.Picture:
    return payloads.Picture(
        media_id=media.media_id,
        url=cdn_url(media),
        content_type=media.content_type,
        sha256=media.sha256,
    )


@transaction.atomic(durable=True)
def replies_mark_read(
    *, account: ChannelAccount, customer_id: str, up_to: int | None = None
) -> int:
    """The customer saw our replies (those recorded up to call `up_to`, when given: what the
    page showed): the provider's read receipt goes to our endpoint. Returns how many replies
    were new to them; idempotent (seen ones are skipped)."""
    unread = customer_replies(account=account, customer_id=customer_id).filter(read_at__isnull=True)
    if up_to is not None:
        unread = unread.filter(pk__lte=up_to)
    now = timezone.now()
    # Compare-and-set per reply: a concurrent request reports each reply at most once.
    seen = [
        call
        for call in unread
        if SimulatorCall.objects.filter(pk=call.pk, read_at__isnull=True).update(read_at=now)
    ]
    if seen:
        read_receipts_emit(account=account, customer_id=customer_id, calls=seen)
    return len(seen)
