"""Outbound: an agent's message is stored `queued` in the caller's transaction, then a Celery
task delivers it through the provider's connector, exactly once."""

import mimetypes
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from contactcenter.exceptions import ApplicationError
from contactcenter.models import Activity, ActivityState, Agent
from contactcenter.outbox import by_agent, by_user, outbox_record
from contactcenter.permissions import is_integration
from contactcenter.selectors import agent_takes_part
from contactcenter.services.activities import Actor, acting, activity_note_agent_reply
from messaging import events, http
from messaging.connectors import connector_for
from messaging.connectors.base import (
    Connector,
    OutboundAttachment,
    OutboundContent,
    SendError,
    Uploader,
)
from messaging.files import (
    SNIFF_BYTES,
    FileTypeRefused,
    content_type_checked,
    default_filename,
    filename_clean,
    storage_name,
)
from messaging.lock_objects import message_by_id_for_update
from messaging.models import (
    Attachment,
    AttachmentKind,
    ChannelAccount,
    DeliveryStatus,
    Direction,
    Message,
    Template,
    TransferState,
)
from messaging.outbox import message_created_data, message_status_data
from messaging.policy import reply_window
from messaging.selectors import templates_for
from messaging.services.delivery import moves_forward, receipts_apply_pending
from messaging.services.errors import TransientProviderError
from messaging.services.media import signed_attachment_url
from messaging.tasks import message_deliver as message_deliver_task

# Longer than an upload and a send with their timeouts: a sender that died is replaced after it.
CLAIM_SECONDS = 90
# A queued message nobody has tried to send for this long has lost its task: the sweep queues
# it again.
STALE_AFTER = timedelta(seconds=60)


def message_send(
    *,
    activity: Activity,
    author: Agent | None = None,
    actor: AbstractBaseUser | None = None,
    text: str = "",
    template: Template | None = None,
    template_parameters: Sequence[str] = (),
    files: Sequence[UploadedFile] = (),
) -> list[Message]:
    """Queue a reply: one message per file, the text as its own message (or as the caption of
    a single file where the provider shows captions), or a WhatsApp template. Written by an
    agent (`author`), or by an integration account (`actor`), whose messages agents see as the
    integration's, and which do not count as an agent's reply (the customer's wait for one,
    and its reminders, go on).

    Refuses with ApplicationError, storing nothing, when the author is not in the activity (an
    actor: is not an integration account), the activity is closed or has no customer on a
    channel, a file is not what it claims to be, or the reply window or the provider's limits
    forbid it. Atomic; delivery tasks are enqueued on commit.
    """
    who = acting(author, actor)
    _check_activity(activity, who)
    identity = activity.identity
    connector = connector_for(identity.channel_account.provider)
    window = reply_window(identity, timezone.now())
    text = text.strip()
    if template is not None:
        _check_template(connector, activity, template, template_parameters, text, files)
    else:
        _check_free_text(window, text, files)
    uploads = [_upload_checked(upload) for upload in files]
    _check_limits(connector, text, uploads)
    captioned = len(uploads) == 1 and uploads[0].kind in connector.captioned_kinds
    with transaction.atomic():
        queued = []
        base = {"activity": activity, "author": author, "author_user": actor, "tag": window.tag}
        if template is not None:
            queued.append(
                _queue(**base, template=template, template_parameters=list(template_parameters))
            )
        for upload in uploads:
            queued.append(_queue(**base, text=text if captioned else "", upload=upload))
        if text and not captioned:
            queued.append(_queue(**base, text=text))
        if author is not None:
            activity_note_agent_reply(activity=activity)
    return queued


def _queue(
    *, activity: Activity, author: Agent | None, upload: "_Upload | None" = None, **fields
) -> Message:
    """One message of the reply (with its file, if any), queued for delivery and reported."""
    message = Message.objects.create(
        activity=activity,
        channel_account_id=activity.channel_account_id,
        identity_id=activity.identity_id,
        direction=Direction.OUT,
        status=DeliveryStatus.QUEUED,
        author=author,
        **fields,
    )
    attachments = [_store_upload(message, upload)] if upload else []
    message_deliver_task.delay_on_commit(message.id)
    events.message_new(message)
    who = by_agent(author) if author is not None else by_user(message.author_user)
    created = message_created_data(message, author=who, attachments=attachments)
    outbox_record(type="message.created", data=created)
    return message


def attachment_kind(content_type: str) -> str:
    major = content_type.split("/")[0]
    return {
        "image": AttachmentKind.IMAGE,
        "audio": AttachmentKind.AUDIO,
        "video": AttachmentKind.VIDEO,
    }.get(major, AttachmentKind.FILE)


@dataclass(frozen=True)
class _Upload:
    """An agent's file as it will be kept: its type checked, its name cleaned."""

    file: UploadedFile
    name: str
    content_type: str
    kind: str


def _upload_checked(upload: UploadedFile) -> _Upload:
    """Refuses (400) a file whose content is not the type it declares (the browser's word, or
    its name's), saying what it really is."""
    declared = upload.content_type or mimetypes.guess_type(upload.name)[0] or ""
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    try:
        content_type = content_type_checked(declared=declared, head=head)
    except FileTypeRefused as exc:
        raise ApplicationError(f"{upload.name}: {exc}", code=exc.code) from exc
    kind = attachment_kind(content_type)
    name = filename_clean(upload.name) or default_filename(kind, content_type)
    return _Upload(upload, name, content_type, kind)


def _store_upload(message: Message, upload: _Upload) -> Attachment:
    attachment = Attachment(
        message=message,
        kind=upload.kind,
        filename=upload.name,
        content_type=upload.content_type,
        size=upload.file.size,
        transfer=TransferState.DONE,
    )
    attachment.file.save(storage_name(upload.name), upload.file, save=False)
    attachment.save()
    return attachment


def not_participant() -> ApplicationError:
    """The refusal for anyone who is not in the activity (users who are not agents too)."""
    return ApplicationError(
        "Only the activity's owner or an agent taking part in it may write here.",
        code="not_participant",
        status=403,
    )


def _check_activity(activity: Activity, author: Actor) -> None:
    if isinstance(author, Agent):
        allowed = agent_takes_part(agent=author, activity=activity)
    else:
        allowed = is_integration(author)
    if not allowed:
        raise not_participant()
    if activity.identity_id is None:
        raise ApplicationError(
            "This activity has no customer on a channel.", code="no_channel", status=409
        )
    if activity.state == ActivityState.CLOSED:
        raise ApplicationError(
            "The activity is closed: start a new message to the customer instead.",
            code="activity_closed",
            status=409,
        )


def _check_template(
    connector: Connector,
    activity: Activity,
    template: Template,
    parameters: Sequence[str],
    text: str,
    files: Sequence[UploadedFile],
) -> None:
    if text or files:
        raise ApplicationError(
            "A template is sent alone, without text or files.", code="template_alone"
        )
    if not templates_for(activity).filter(pk=template.pk).exists():
        raise ApplicationError(
            "This template is not offered in the activity's queue.", code="template_not_offered"
        )
    if not connector.sends_templates or not template.is_whatsapp:
        raise ApplicationError(
            "Only WhatsApp sends approved templates; insert the template's text instead.",
            code="template_not_supported",
        )
    if len(parameters) != len(template.whatsapp_parameters):
        raise ApplicationError(
            f"The template needs {len(template.whatsapp_parameters)} parameters.",
            code="template_parameters",
        )


def _check_free_text(window, text: str, files: Sequence[UploadedFile]) -> None:
    if not text and not files:
        raise ApplicationError("Write a message or attach a file.", code="empty_message")
    check_window(window)


def check_window(window) -> None:
    """Free text and files may go out now, or the refusal says why not."""
    if window.template_required:
        raise ApplicationError(
            "More than 24 hours have passed since the customer last wrote: "
            "only an approved WhatsApp template may be sent.",
            code="template_required",
        )
    if not window.free_text:
        raise ApplicationError(window.refusal, code="outside_window")


def _check_limits(connector: Connector, text: str, uploads: Sequence[_Upload]) -> None:
    if len(text) > connector.text_limit:
        raise ApplicationError(
            f"The message is longer than the {connector.text_limit} characters "
            "this channel allows.",
            code="text_too_long",
        )
    for upload in uploads:
        refusal = connector.refusal(upload.kind, upload.content_type, upload.file.size)
        if refusal:
            raise ApplicationError(f"{upload.name}: {refusal}", code="file_refused")


def message_retry(*, message_id: int, agent: Agent) -> Message:
    """Send a failed message of ours again, as it was: the same message goes back to `queued`
    (the chat shows one bubble, not a copy) and a delivery task takes it.

    Refused like a new send (not in the activity, activity closed, the reply window forbids it
    now) and with 409 unless the message failed. Its old provider id is dropped, so a late
    report about the failed attempt cannot touch the new one.
    """
    with transaction.atomic():
        message = message_by_id_for_update(message_id)
        if message is None or message.direction != Direction.OUT:
            raise ApplicationError("No such message.", code="not_found", status=404)
        _check_activity(message.activity, agent)
        if message.status != DeliveryStatus.FAILED:
            raise ApplicationError(
                "Only a message that failed can be sent again.", code="not_failed", status=409
            )
        window = reply_window(message.identity, timezone.now())
        if message.template_id is None:
            check_window(window)
        message.status = DeliveryStatus.QUEUED
        message.error_code = message.error_reason = message.provider_message_id = ""
        message.tag = window.tag
        message.sent_at = None
        message.save(
            update_fields=[
                "status", "error_code", "error_reason", "provider_message_id", "tag",
                "sent_at", "updated_at",
            ]
        )  # fmt: skip
        retried = message_status_data(message, previous_status=DeliveryStatus.FAILED)
        outbox_record(type="message.status_changed", data=retried)
        message_deliver_task.delay_on_commit(message.id)
        events.message_updated(message)
    return message


def message_deliver(*, message_id: int, retry_in: float = 0.0) -> None:
    """Send a queued message through its connector and record the outcome.

    Idempotent: only a queued message that no other sender has claimed is sent, so a task
    redelivered after a send that succeeded sends nothing. Network calls happen outside any row
    lock. Transient errors raise TransientProviderError (the task retries `retry_in` seconds
    later, and the message stays claimed until then, so the sweep leaves it to that retry);
    permanent ones mark the message failed with the provider's reason. The one window left is a
    crash between the provider's answer and our commit: no provider offers an idempotency key
    to close it.
    """
    if not _claim(message_id):
        return
    message = (
        Message.objects.select_related("channel_account", "identity", "template")
        .prefetch_related("attachments")
        .get(pk=message_id)
    )
    connector = connector_for(message.channel_account.provider)
    try:
        content = _content(message, connector.uploader)
        request = connector.build_send(message.channel_account, message.identity, content)
        response = http.request("POST", request.url, json=request.json, headers=request.headers)
        result = connector.read_response(response.status_code, http.json_body(response))
    except SendError as exc:
        if exc.transient:
            _release(message_id, retry_in)
            raise TransientProviderError(exc.reason) from exc
        message_fail(message_id=message_id, code=exc.code, reason=exc.reason)
        return
    except TransientProviderError:
        _release(message_id, retry_in)
        raise
    _sent(message_id, result.provider_message_id)


def messages_requeue_stale() -> int:
    """Queue again every message of ours still queued that nobody is sending: its task was lost
    with a broker or a worker (or its sender died mid-send). Returns how many. Harmless twice,
    and beside a late task: a send claims the message first, so none goes out twice."""
    now = timezone.now()
    stale = (
        Message.objects.filter(
            direction__in=[Direction.OUT, Direction.SYSTEM], status=DeliveryStatus.QUEUED
        )
        .filter(
            Q(send_claimed_until__lt=now)
            | Q(send_claimed_until__isnull=True, updated_at__lt=now - STALE_AFTER)
        )
        .values_list("pk", flat=True)[:1000]
    )
    ids = list(stale)
    for message_id in ids:
        message_deliver_task.delay(message_id)
    return len(ids)


def message_fail(*, message_id: int, code: str, reason: str) -> None:
    """Mark a message that could not be sent as failed, with a reason the agent can read."""
    with transaction.atomic():
        message = message_by_id_for_update(message_id)
        if message is None or message.status != DeliveryStatus.QUEUED:
            return
        message.status = DeliveryStatus.FAILED
        message.error_code, message.error_reason = code, reason
        message.send_claimed_until = None
        message.save(
            update_fields=[
                "status",
                "error_code",
                "error_reason",
                "send_claimed_until",
                "updated_at",
            ]
        )
        failed = message_status_data(message, previous_status=DeliveryStatus.QUEUED)
        outbox_record(type="message.status_changed", data=failed)
        events.message_updated(message)


def _claim(message_id: int) -> bool:
    """Compare-and-set: this sender takes a queued message nobody else is sending."""
    now = timezone.now()
    claimed = (
        Message.objects.filter(pk=message_id, status=DeliveryStatus.QUEUED)
        .exclude(send_claimed_until__gt=now)
        .update(send_claimed_until=now + timedelta(seconds=CLAIM_SECONDS))
    )
    return claimed == 1


def _release(message_id: int, hold: float) -> None:
    """Give the message up, claimed for `hold` seconds more (until its task's retry)."""
    until = timezone.now() + timedelta(seconds=hold) if hold else None
    Message.objects.filter(pk=message_id).update(send_claimed_until=until)


def _sent(message_id: int, provider_message_id: str) -> None:
    with transaction.atomic():
        message = message_by_id_for_update(message_id)
        message.provider_message_id = provider_message_id
        message.send_attempts += 1
        message.send_claimed_until = None
        if moves_forward(message.status, DeliveryStatus.SENT):
            previous, message.status = message.status, DeliveryStatus.SENT
            message.sent_at = timezone.now()
            sent = message_status_data(message, previous_status=previous)
            outbox_record(type="message.status_changed", data=sent)
        message.save(
            update_fields=[
                "provider_message_id", "send_attempts", "send_claimed_until",
                "status", "sent_at", "updated_at",
            ]
        )  # fmt: skip
        receipts_apply_pending(message=message)
        events.message_updated(message)


def _content(message: Message, uploader: Uploader | None) -> OutboundContent:
    if message.template_id:
        return OutboundContent(
            template_name=message.template.whatsapp_name,
            template_language=message.template.whatsapp_language,
            template_parameters=tuple(message.template_parameters),
        )
    attachment = next(iter(message.attachments.all()), None)
    if attachment is None:
        return OutboundContent(text=message.text, tag=message.tag)
    return OutboundContent(
        text=message.text,
        tag=message.tag,
        attachment=_outbound_attachment(message.channel_account, attachment, uploader),
    )


def _outbound_attachment(
    account: ChannelAccount, attachment: Attachment, uploader: Uploader | None
) -> OutboundAttachment:
    """A provider with an uploader takes the file first and the send names its media id; the
    others fetch a signed link of ours."""
    media_id = url = ""
    if uploader is None:
        url = signed_attachment_url(attachment)
    else:
        media_id = attachment.provider_media_id or _upload(uploader, account, attachment)
    return OutboundAttachment(
        kind=attachment.kind,
        url=url,
        media_id=media_id,
        filename=attachment.filename,
        size=attachment.size,
    )


def _upload(uploader: Uploader, account: ChannelAccount, attachment: Attachment) -> str:
    """Upload once: the media id is kept, so a retried send does not upload again."""
    with attachment.file.open("rb") as file:
        upload = uploader.build_upload(
            account,
            filename=attachment.filename,
            content=file.read(),
            content_type=attachment.content_type,
        )
    response = http.request(
        "POST", upload.url, headers=upload.headers, data=upload.data, files=upload.files
    )
    media_id = uploader.read_upload(response.status_code, http.json_body(response))
    Attachment.objects.filter(pk=attachment.pk).update(provider_media_id=media_id)
    return media_id
