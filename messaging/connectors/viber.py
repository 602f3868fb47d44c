"""Viber REST Bot API: callbacks and send_message. Errors come in HTTP 200 with a status."""

import json
from collections.abc import Mapping
from datetime import datetime

from django.conf import settings

from messaging.connectors.base import (
    MB,
    Acknowledgement,
    AttachmentRule,
    Event,
    InboundAttachment,
    InboundMessage,
    MediaSource,
    OutboundContent,
    ReplyWindow,
    SendError,
    SendRequest,
    SendResult,
    StatusUpdate,
    SubscriptionChange,
    Watermark,
    attachment_refusal,
    from_millis,
    hmac_sha256_hex,
    read_part,
    signature_matches,
    when,
    whole_number,
)
from messaging.models import (
    AttachmentKind,
    ChannelAccount,
    DeliveryStatus,
    ExternalIdentity,
    Provider,
    ViberSubscription,
)

MEDIA_TYPES = {
    "picture": AttachmentKind.IMAGE,
    "video": AttachmentKind.VIDEO,
    "file": AttachmentKind.FILE,
    "sticker": AttachmentKind.STICKER,
}
HANDLED_EVENTS = {
    "message", "subscribed", "conversation_started", "unsubscribed", "delivered", "seen", "failed",
}  # fmt: skip
TOO_MANY_REQUESTS = 12
REASONS = {
    2: "The Viber bot's auth token is invalid: a supervisor must renew it.",
    5: "The customer is not registered on Viber.",
    6: "The customer is not subscribed to this bot (or unsubscribed): they must write to us first.",
    7: "The Viber bot is blocked.",
    9: "The Viber bot is suspended.",
    11: "The customer has no device that can show this message.",
    12: "Too many messages to this customer without a reply.",
}
ATTACHMENT_RULES = {
    # Pictures over 1 MB do not reach iOS devices; bigger images go as files.
    AttachmentKind.IMAGE: AttachmentRule(
        1 * MB, frozenset({"image/jpeg", "image/png", "image/gif"})
    ),
    AttachmentKind.VIDEO: AttachmentRule(26 * MB, frozenset({"video/mp4"})),
    AttachmentKind.FILE: AttachmentRule(50 * MB),
    AttachmentKind.AUDIO: AttachmentRule(50 * MB),  # sent as a file
}


class ViberConnector:
    provider = Provider.VIBER
    signature_header = "X-Viber-Content-Signature"
    acknowledgement = Acknowledgement(json.dumps({"status": 0}), "application/json")
    name = "Viber"
    attachment_rules = ATTACHMENT_RULES
    text_limit = 7000
    captioned_kinds = frozenset({AttachmentKind.IMAGE})  # a picture's text; files carry none
    inbound_file_limit = 50 * MB
    uploader = None  # Viber fetches our files from their URL
    profiles = None  # webhooks carry the user's name
    sends_templates = False
    subscribed_by_writing = True  # a user's first message subscribes them, with no callback
    user_id_is_phone = False  # an id per user and bot

    def handshake(self, account: ChannelAccount, params: Mapping[str, str]) -> None:
        """Viber checks a new webhook with a signed POST (event "webhook"), never with a GET."""
        return None

    def verify(self, account: ChannelAccount, body: bytes, signature: str) -> bool:
        """Hex HMAC-SHA256 of the raw body keyed with the auth token, with no prefix."""
        return signature_matches(hmac_sha256_hex(account.viber_auth_token, body), signature)

    def reply_window(self, identity: ExternalIdentity, now: datetime) -> ReplyWindow:
        """No time limit: subscribed users may be written to, the others not until they write."""
        if identity.viber_subscription == ViberSubscription.SUBSCRIBED:
            return ReplyWindow(True, False, "", "", None)
        if identity.viber_subscription == ViberSubscription.UNSUBSCRIBED:
            reason = "The customer unsubscribed from this Viber bot: they must write to us first."
        else:
            reason = "The customer has not subscribed to this Viber bot yet."
        return ReplyWindow(False, False, "", reason, None)

    def media_source(self, account: ChannelAccount, *, media_id: str, url: str) -> MediaSource:
        """Callbacks carry the file's URL, which needs no token."""
        return MediaSource(url)

    def refusal(self, kind: str, content_type: str, size: int) -> str:
        return attachment_refusal(self.attachment_rules, self.name, kind, content_type, size)

    def parse(self, account: ChannelAccount, payload: dict) -> list[Event]:
        """A callback is one event, read as one part."""
        return read_part(
            payload,
            self._events,
            sender=lambda p: p["sender"]["id"],
            message_id=lambda p: p["message_token"],
        )

    def _events(self, payload: dict) -> list[Event]:
        event = payload.get("event")
        if event not in HANDLED_EVENTS:
            return []  # "webhook" (the set-up check) and anything new
        at = from_millis(payload.get("timestamp", 0))
        token = str(payload.get("message_token", ""))
        if event == "message":
            return [self._message(payload, when(payload.get("timestamp"), from_millis), token)]
        if event in ("subscribed", "conversation_started"):
            user = payload.get("user") or {}
            subscribed = True if event == "subscribed" or payload.get("subscribed") else None
            return [SubscriptionChange(user.get("id", ""), subscribed, at, user.get("name", ""))]
        if event == "unsubscribed":
            return [SubscriptionChange(payload.get("user_id", ""), False, at)]
        if event == "delivered":
            return [StatusUpdate(token, DeliveryStatus.DELIVERED, at)]
        if event == "seen":  # once per batch of unread messages: a watermark
            return [
                StatusUpdate(token, DeliveryStatus.READ, at),
                Watermark(payload.get("user_id", ""), DeliveryStatus.READ, at),
            ]
        # the only event left: "failed", a message the device could not show
        reason = payload.get("desc") or "Viber could not show the message on the device."
        return [StatusUpdate(token, DeliveryStatus.FAILED, at, "failed", reason)]

    def _message(self, payload: dict, at, token: str) -> InboundMessage:
        sender = payload.get("sender") or {}
        message = payload.get("message") or {}
        kind = message.get("type", "")
        text = message.get("text", "")
        attachments = ()
        if kind in MEDIA_TYPES and message.get("media"):
            attachments = (
                InboundAttachment(
                    kind=MEDIA_TYPES[kind],
                    url=message["media"],
                    filename=message.get("file_name", ""),
                    size=whole_number(message.get("size")),
                    caption=text,
                ),
            )
        elif kind == "location":
            place = message.get("location") or {}
            text = f"📍 {place.get('lat')}, {place.get('lon')}"
        elif kind == "contact":
            card = message.get("contact") or {}
            text = " ".join(filter(None, [card.get("name"), card.get("phone_number")]))
        elif kind == "url":
            text = message.get("media", "")
        return InboundMessage(
            provider_message_id=token,
            sender_id=sender.get("id", ""),
            sent_at=at,
            text=text,
            attachments=attachments,
            sender_name=sender.get("name", ""),
        )

    def build_send(
        self, account: ChannelAccount, identity: ExternalIdentity, content: OutboundContent
    ) -> SendRequest:
        body: dict = {
            "receiver": identity.provider_user_id,
            "min_api_version": 1,
            "sender": {"name": account.viber_sender_name},
        }
        attachment = content.attachment
        if attachment and attachment.kind == AttachmentKind.IMAGE:
            body |= {"type": "picture", "text": content.text, "media": attachment.url}
        elif attachment and attachment.kind == AttachmentKind.VIDEO:
            body |= {"type": "video", "media": attachment.url, "size": attachment.size}
        elif attachment:
            body |= {
                "type": "file",
                "media": attachment.url,
                "size": attachment.size,
                "file_name": attachment.filename,
            }
        else:
            body |= {"type": "text", "text": content.text}
        return SendRequest(
            url=f"{settings.VIBER_API_URL}/send_message",
            json=body,
            headers={"X-Viber-Auth-Token": account.viber_auth_token},
        )

    def read_response(self, status_code: int, body: dict) -> SendResult:
        if status_code != 200:
            raise SendError(
                code=f"http_{status_code}", reason=f"Viber answered HTTP {status_code}.",
                transient=status_code >= 500 or status_code == 429,
            )  # fmt: skip
        status = body.get("status")
        if status == 0:
            return SendResult(provider_message_id=str(body["message_token"]))
        reason = REASONS.get(status) or body.get("status_message") or "Viber refused the message."
        raise SendError(code=str(status), reason=reason, transient=status == TOO_MANY_REQUESTS)


CONNECTOR = ViberConnector()
