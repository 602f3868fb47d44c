"""Files the simulator holds, and the URLs it serves them at: WhatsApp's short-lived download
URL (needs the Bearer token) and a CDN-like public URL (what Messenger, Instagram and Viber put
in their webhooks, and what the customer page shows)."""

import hashlib

from django.conf import settings
from django.urls import reverse

from messaging.models import ChannelAccount
from simulator import ids
from simulator.models import SimulatorMedia


def media_store(
    *, account: ChannelAccount, content: bytes, content_type: str, filename: str = ""
) -> SimulatorMedia:
    """Keep a file under a new media id. Not idempotent: each call is a new file."""
    return SimulatorMedia.objects.create(
        media_id=ids.media_id(),
        channel_account=account,
        content=content,
        content_type=content_type,
        filename=filename,
        sha256=hashlib.sha256(content).hexdigest(),
    )


def cdn_url(media: SimulatorMedia) -> str:
    return settings.SITE_URL + reverse("simulator:cdn", args=[media.media_id])


def lookaside_url(media: SimulatorMedia) -> str:
    return settings.SITE_URL + reverse("simulator:lookaside", args=[media.media_id])
