"""WhatsApp Business Cloud API: `whatsapp_business_account` webhooks, the messages endpoint
and the media endpoints."""

from collections.abc import Mapping
from datetime import datetime

from django.conf import settings

from messaging.connectors import meta
from messaging.connectors.base import (
    MB,
    AttachmentRule,
    Event,
    InboundAttachment,
    InboundMessage,
    MediaSource,
    OutboundContent,
    ReplyWindow,
    SendRequest,
    SendResult,
    StatusUpdate,
    UploadRequest,
    attachment_refusal,
    from_seconds,
    origin,
    read_part,
    when,
)
from messaging.models import (
    AttachmentKind,
    ChannelAccount,
    DeliveryStatus,
    ExternalIdentity,
    Provider,
)

MEDIA_TYPES = {
    "image": AttachmentKind.IMAGE,
    "audio": AttachmentKind.AUDIO,
    "video": AttachmentKind.VIDEO,
    "document": AttachmentKind.FILE,
    "sticker": AttachmentKind.STICKER,
}
SEND_TYPES = {kind: wa_type for wa_type, kind in MEDIA_TYPES.items()}
STATUSES = {
    "sent": DeliveryStatus.SENT,
    "delivered": DeliveryStatus.DELIVERED,
    "read": DeliveryStatus.READ,
    "failed": DeliveryStatus.FAILED,
}
# Where WhatsApp's media lookup sends us for the bytes, which want the token too (CHANNELS.md).
MEDIA_DOWNLOAD_ORIGIN = "https://lookaside.fbsbx.com:443"
ATTACHMENT_RULES = {
    AttachmentKind.IMAGE: AttachmentRule(5 * MB, frozenset({"image/jpeg", "image/png"})),
    AttachmentKind.AUDIO: AttachmentRule(
        16 * MB,
        frozenset({"audio/aac", "audio/amr", "audio/mpeg", "audio/mp4", "audio/ogg"}),
    ),
    AttachmentKind.VIDEO: AttachmentRule(16 * MB, frozenset({"video/mp4", "video/3gpp"})),
    AttachmentKind.FILE: AttachmentRule(
        100 * MB,
        frozenset(
            {
                "text/plain",
                "application/pdf",
                "application/msword",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "application/vnd.ms-excel",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "application/vnd.ms-powerpoint",
                "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            }
        ),
    ),
    AttachmentKind.STICKER: AttachmentRule(100 * 1024, frozenset({"image/webp"})),
}


class MediaUploader:
    """WhatsApp sends files by media id: each goes to the number's media endpoint first."""

    def build_upload(
        self, account: ChannelAccount, *, filename: str, content: bytes, content_type: str
    ) -> UploadRequest:
        return UploadRequest(
            url=f"{settings.WHATSAPP_API_URL}/{account.provider_account_id}/media",
            data={"messaging_product": "whatsapp", "type": content_type},
            files={"file": (filename, content, content_type)},
            headers=meta.graph_headers(account),
        )

    def read_upload(self, status_code: int, body: dict) -> str:
        if status_code == 200 and body.get("id"):
            return body["id"]
        raise meta.graph_error(status_code, body)


class WhatsAppConnector:
    provider = Provider.WHATSAPP
    signature_header = meta.SIGNATURE_HEADER
    acknowledgement = meta.ACKNOWLEDGEMENT
    name = "WhatsApp"
    attachment_rules = ATTACHMENT_RULES
    text_limit = 4096
    captioned_kinds = frozenset({AttachmentKind.IMAGE, AttachmentKind.VIDEO, AttachmentKind.FILE})
    inbound_file_limit = 100 * MB
    uploader = MediaUploader()
    profiles = None  # webhooks carry the profile name
    sends_templates = True
    subscribed_by_writing = False
    user_id_is_phone = True  # the wa_id

    def handshake(self, account: ChannelAccount, params: Mapping[str, str]) -> str | None:
        return meta.handshake_challenge(account, params)

    def verify(self, account: ChannelAccount, body: bytes, signature: str) -> bool:
        return meta.verify_signature(account, body, signature)

    def reply_window(self, identity: ExternalIdentity, now: datetime) -> ReplyWindow:
        """Free text for 24 hours after the customer's last message; otherwise (before any
        message too) only an approved template."""
        closes_at = meta.window_end(identity.last_inbound_at, now, meta.SERVICE_WINDOW)
        if closes_at is None:
            return ReplyWindow(False, True, "", "", None)
        return ReplyWindow(True, False, "", "", closes_at)

    def media_source(self, account: ChannelAccount, *, media_id: str, url: str) -> MediaSource:
        """Webhooks name files by media id: the Graph API answers a short-lived URL, which
        wants the same token where it is WhatsApp's own (the API's host or its media host)."""
        return MediaSource(
            f"{settings.WHATSAPP_API_URL}/{media_id}",
            meta.graph_headers(account),
            url_key="url",
            headers_for=frozenset({origin(settings.WHATSAPP_API_URL), MEDIA_DOWNLOAD_ORIGIN}),
        )

    def refusal(self, kind: str, content_type: str, size: int) -> str:
        return attachment_refusal(self.attachment_rules, self.name, kind, content_type, size)

    def parse(self, account: ChannelAccount, payload: dict) -> list[Event]:
        events: list[Event] = []
        for entry in payload.get("entry", []):
            for change in entry.get("changes", []):
                if change.get("field") == "messages":
                    events.extend(self._value_events(change.get("value", {})))
        return events

    def _value_events(self, value: dict) -> list[Event]:
        names = {
            contact.get("wa_id", ""): (contact.get("profile") or {}).get("name", "")
            for contact in value.get("contacts", [])
        }
        events: list[Event] = []
        for message in value.get("messages", []):
            events += read_part(
                message,
                lambda m: [self._message(m, names)],
                sender=lambda m: m["from"],
                message_id=lambda m: m["id"],
            )
        for status in value.get("statuses", []):
            events += read_part(
                status, lambda s: [self._status(s)] if s.get("status") in STATUSES else []
            )
        return events

    def _message(self, message: dict, names: dict[str, str]) -> InboundMessage:
        sender = message["from"]
        kind = message.get("type", "")
        text, attachments = "", ()
        if kind == "text":
            text = message["text"].get("body", "")
        elif kind in MEDIA_TYPES:
            media = message[kind]
            text = media.get("caption", "")
            attachments = (
                InboundAttachment(
                    kind=MEDIA_TYPES[kind],
                    media_id=media["id"],
                    content_type=media.get("mime_type", ""),
                    filename=media.get("filename", ""),
                    caption=media.get("caption", ""),
                ),
            )
        else:
            text = describe(kind, message)
        return InboundMessage(
            provider_message_id=message["id"],
            sender_id=sender,
            sent_at=when(message.get("timestamp"), from_seconds),
            text=text,
            attachments=attachments,
            sender_name=names.get(sender, ""),
            phone=f"+{sender}",
        )

    def _status(self, status: dict) -> StatusUpdate:
        errors = status.get("errors") or [{}]
        code = errors[0].get("code")
        details = (errors[0].get("error_data") or {}).get("details") or errors[0].get("title", "")
        return StatusUpdate(
            provider_message_id=status["id"],
            status=STATUSES[status["status"]],
            occurred_at=from_seconds(status["timestamp"]),
            error_code=str(code) if code else "",
            error_reason=meta.error_reason(code, details) if code else "",
        )

    def build_send(
        self, account: ChannelAccount, identity: ExternalIdentity, content: OutboundContent
    ) -> SendRequest:
        body: dict = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": identity.provider_user_id,
        }
        if content.template_name:
            body |= {"type": "template", "template": self._template(content)}
        elif content.attachment:
            wa_type = SEND_TYPES[content.attachment.kind]
            media: dict = {"id": content.attachment.media_id}
            if content.attachment.kind in self.captioned_kinds and content.text:
                media["caption"] = content.text
            if wa_type == "document":
                media["filename"] = content.attachment.filename
            body |= {"type": wa_type, wa_type: media}
        else:
            body |= {"type": "text", "text": {"preview_url": False, "body": content.text}}
        return SendRequest(
            url=f"{settings.WHATSAPP_API_URL}/{account.provider_account_id}/messages",
            json=body,
            headers=meta.graph_headers(account),
        )

    def _template(self, content: OutboundContent) -> dict:
        template: dict = {
            "name": content.template_name,
            "language": {"code": content.template_language},
        }
        if content.template_parameters:
            parameters = [{"type": "text", "text": value} for value in content.template_parameters]
            template["components"] = [{"type": "body", "parameters": parameters}]
        return template

    def read_response(self, status_code: int, body: dict) -> SendResult:
        messages = body.get("messages") or []
        if status_code == 200 and messages:
            return SendResult(provider_message_id=messages[0]["id"])
        raise meta.graph_error(status_code, body)


def describe(kind: str, message: dict) -> str:
    """A readable text for the message types that carry no text or file of their own."""
    if kind == "location":
        place = message["location"]
        label = " ".join(filter(None, [place.get("name"), place.get("address")]))
        return f"📍 {label} ({place.get('latitude')}, {place.get('longitude')})".replace("  ", " ")
    if kind == "reaction":
        return f"Reacted {message['reaction'].get('emoji', '')}".strip()
    if kind == "button":
        return message["button"].get("text", "")
    if kind == "interactive":
        reply = message["interactive"]
        chosen = reply.get("button_reply") or reply.get("list_reply") or {}
        return chosen.get("title", "")
    if kind == "contacts":
        cards = message.get("contacts", [])
        return "\n".join(card.get("name", {}).get("formatted_name", "") for card in cards)
    return "[A message WhatsApp could not show: ask the customer to write it again.]"


CONNECTOR = WhatsAppConnector()
