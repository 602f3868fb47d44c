"""Files: inbound downloads from the providers, outbound uploads and signed links."""

from tempfile import SpooledTemporaryFile

from django.conf import settings
from django.core.files import File
from django.core.signing import BadSignature, TimestampSigner
from django.db import transaction
from django.urls import reverse

from messaging import events
from messaging.connectors import connector_for
from messaging.fetching import Fetched, FetchRefused, fetch_file, fetch_json
from messaging.files import (
    SNIFF_BYTES,
    FileTypeRefused,
    content_type_checked,
    default_filename,
    storage_name,
)
from messaging.models import Attachment, TransferState

SIGNED_URL_MAX_AGE = 24 * 3600
# Files up to this size are fetched into memory, larger ones into a temporary file.
SPOOL_BYTES = 1024 * 1024
_signer = TimestampSigner(salt="messaging.attachment")


def attachment_download(*, attachment_id: int) -> None:
    """Fetch an inbound file into media storage, checked to be what it claims. Idempotent: a
    finished transfer is left alone. Transient errors propagate (the task retries); permanent
    ones (an address that is not public, a refusal, a file too large or not what it claims)
    mark the file failed with the reason, and its message stays as it is."""
    attachment = (
        Attachment.objects.select_related("message__channel_account")
        .filter(pk=attachment_id)
        .first()
    )
    if attachment is None or attachment.transfer != TransferState.PENDING:
        return
    with SpooledTemporaryFile(max_size=SPOOL_BYTES) as content:
        try:
            fetched = _fetch(attachment, into=content)
            content.seek(0)
            content_type = content_type_checked(
                declared=attachment.content_type or fetched.content_type,
                head=content.read(SNIFF_BYTES),
            )
        except (FetchRefused, FileTypeRefused) as exc:
            attachment_download_failed(attachment_id=attachment_id, reason=str(exc))
            return
        name = attachment.filename or default_filename(
            f"{attachment.kind}-{attachment.pk}", content_type
        )
        with transaction.atomic():
            locked = Attachment.objects.select_for_update(of=("self",), no_key=True).get(
                pk=attachment_id
            )
            if locked.transfer != TransferState.PENDING:
                return
            locked.file.save(storage_name(name), File(content), save=False)
            locked.content_type = content_type
            locked.size = fetched.size
            locked.filename = name
            locked.transfer = TransferState.DONE
            locked.save(
                update_fields=[
                    "file", "content_type", "size", "filename", "transfer", "updated_at",
                ]
            )  # fmt: skip
            events.messages_updated(attachment.message.activity_id, [attachment.message_id])


def _fetch(attachment: Attachment, *, into: SpooledTemporaryFile) -> Fetched:
    """The file from where its connector says, through the provider's lookup where it has one."""
    account = attachment.message.channel_account
    connector = connector_for(account.provider)
    source = connector.media_source(
        account, media_id=attachment.provider_media_id, url=attachment.source_url
    )
    url = source.url
    if source.url_key:
        lookup = fetch_json(url, headers=source.headers, headers_for=source.headers_for)
        url = lookup.get(source.url_key, "")
        if not url or not isinstance(url, str):
            raise FetchRefused(f"{connector.name} gave no download URL for this file.")
    return fetch_file(
        url,
        headers=source.headers,
        headers_for=source.headers_for,
        limit=connector.inbound_file_limit,
        into=into,
    )


def attachment_download_failed(*, attachment_id: int, reason: str) -> None:
    """Give up on a download; the agent sees the reason instead of the file."""
    with transaction.atomic():
        failed = Attachment.objects.filter(pk=attachment_id, transfer=TransferState.PENDING)
        row = failed.values_list("message_id", "message__activity_id").first()
        if row and failed.update(transfer=TransferState.FAILED, transfer_error=reason):
            message_id, activity_id = row
            events.messages_updated(activity_id, [message_id])


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
