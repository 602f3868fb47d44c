"""Files: inbound downloads from the providers, outbound uploads and signed links."""

import mimetypes

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.signing import BadSignature, TimestampSigner
from django.db import transaction
from django.urls import reverse

from messaging import events, http
from messaging.connectors import connector_for
from messaging.connectors.base import MB
from messaging.models import Attachment, ChannelAccount, TransferState
from messaging.services.errors import TransientProviderError

SIGNED_URL_MAX_AGE = 24 * 3600
_signer = TimestampSigner(salt="messaging.attachment")


class DownloadRefused(Exception):
    """The provider answered, but there is no file for us (gone, forbidden, too large)."""


def attachment_download(*, attachment_id: int) -> None:
    """Fetch an inbound attachment into media storage. Idempotent: a finished transfer is left
    alone. Transient errors propagate (the task retries); permanent ones are recorded."""
    attachment = (
        Attachment.objects.select_related("message__channel_account")
        .filter(pk=attachment_id)
        .first()
    )
    if attachment is None or attachment.transfer != TransferState.PENDING:
        return
    account = attachment.message.channel_account
    try:
        content, content_type = _fetch(account, attachment)
    except DownloadRefused as exc:
        attachment_download_failed(attachment_id=attachment_id, reason=str(exc))
        return
    name = attachment.filename or _default_name(attachment, content_type)
    with transaction.atomic():
        locked = Attachment.objects.select_for_update(of=("self",), no_key=True).get(
            pk=attachment_id
        )
        if locked.transfer != TransferState.PENDING:
            return
        locked.file.save(name, ContentFile(content), save=False)
        locked.content_type = locked.content_type or content_type
        locked.size = len(content)
        locked.filename = name
        locked.transfer = TransferState.DONE
        locked.save(
            update_fields=["file", "content_type", "size", "filename", "transfer", "updated_at"]
        )
        events.messages_updated(attachment.message.activity_id, [attachment.message_id])


def _fetch(account: ChannelAccount, attachment: Attachment) -> tuple[bytes, str]:
    """The file from where its connector says, through the provider's lookup where it has one."""
    connector = connector_for(account.provider)
    source = connector.media_source(
        account, media_id=attachment.provider_media_id, url=attachment.source_url
    )
    response = _checked(http.request("GET", source.url, headers=source.headers))
    if source.url_key:
        url = http.json_body(response).get(source.url_key, "")
        if not url:
            raise DownloadRefused(f"{connector.name} gave no download URL for this file.")
        response = _checked(http.request("GET", url, headers=source.headers))
    limit = connector.inbound_file_limit
    if len(response.content) > limit:
        raise DownloadRefused(f"The file is larger than the {limit // MB} MB this channel allows.")
    return response.content, response.headers.get("content-type", "").split(";")[0]


def _checked(response):
    if http.is_transient(response.status_code):
        raise TransientProviderError(f"HTTP {response.status_code} from {response.url}")
    if response.status_code != 200:
        raise DownloadRefused(f"The provider answered HTTP {response.status_code} for the file.")
    return response


def attachment_download_failed(*, attachment_id: int, reason: str) -> None:
    """Give up on a download; the agent sees the reason instead of the file."""
    with transaction.atomic():
        failed = Attachment.objects.filter(pk=attachment_id, transfer=TransferState.PENDING)
        row = failed.values_list("message_id", "message__activity_id").first()
        if row and failed.update(transfer=TransferState.FAILED, transfer_error=reason):
            message_id, activity_id = row
            events.messages_updated(activity_id, [message_id])


def _default_name(attachment: Attachment, content_type: str) -> str:
    extension = mimetypes.guess_extension(content_type or attachment.content_type) or ""
    return f"{attachment.kind}-{attachment.pk}{extension}"


def signed_attachment_url(attachment: Attachment) -> str:
    """A link of ours that a provider can fetch the file from, for a day."""
    token = _signer.sign(str(attachment.pk))
    return settings.SITE_URL + reverse("attachment-signed", args=[token])


def attachment_from_signed_token(token: str) -> Attachment | None:
    """The attachment a signed link names, or None when the link is forged or expired."""
    try:
        attachment_id = _signer.unsign(token, max_age=SIGNED_URL_MAX_AGE)
    except BadSignature:  # SignatureExpired is one too
        return None
    return Attachment.objects.filter(pk=attachment_id, transfer=TransferState.DONE).first()
