"""What the three Meta connectors share: webhook signature, handshake and answer, Graph API
errors, the 24-hour service window, and the Messenger-style `messaging[]` events that Instagram
uses too."""

import hmac
from collections.abc import Mapping
from datetime import datetime, timedelta

from django.conf import settings

from messaging.connectors.base import (
    Acknowledgement,
    AttachmentRule,
    Event,
    InboundAttachment,
    InboundMessage,
    MediaSource,
    OutboundContent,
    ProfileRequest,
    Profiles,
    ReplyWindow,
    SendError,
    SendRequest,
    SendResult,
    StatusUpdate,
    Watermark,
    attachment_refusal,
    from_millis,
    hmac_sha256_hex,
    read_part,
    signature_matches,
    when,
)
from messaging.models import AttachmentKind, ChannelAccount, DeliveryStatus, ExternalIdentity

SIGNATURE_HEADER = "X-Hub-Signature-256"
ACKNOWLEDGEMENT = Acknowledgement("EVENT_RECEIVED", "text/plain")
SERVICE_WINDOW = timedelta(hours=24)
HUMAN_AGENT_WINDOW = timedelta(days=7)
HUMAN_AGENT = "HUMAN_AGENT"

# Graph error codes worth another try later (throughput, temporary failures).
TRANSIENT_CODES = {1, 2, 4, 613, 80007, 130429, 131000, 131016, 131056}
REASONS = {
    10: "Sent outside the reply window the provider allows.",
    100: "The provider refused a parameter of the message.",
    190: "The access token is invalid or expired: a supervisor must renew it.",
    200: "The app lacks the permission to send this message.",
    368: "The account is restricted for policy violations.",
    551: "This person is not available right now.",
    10904: "Messaging is disabled for this Page.",
    131026: "The message could not be delivered (the number may not use WhatsApp).",
    131031: "The WhatsApp account is restricted.",
    131047: "More than 24 hours have passed since the customer last wrote: "
    "only an approved template may be sent.",
    131048: "Spam rate limit reached: wait before writing to this customer.",
    131049: "WhatsApp held this message back to keep engagement healthy: try again after 24 hours.",
    131050: "The customer has stopped marketing messages from us.",
    131051: "WhatsApp does not support this kind of message.",
    131052: "WhatsApp could not download the file.",
    131053: "WhatsApp could not upload the file.",
    132000: "The template's parameters do not match the approved template.",
    132001: "The template does not exist in that language.",
    132012: "A template parameter has the wrong format.",
    132015: "The template is paused for low quality.",
    132016: "The template is disabled.",
}


def verify_signature(account: ChannelAccount, body: bytes, signature: str) -> bool:
    """`X-Hub-Signature-256: sha256=<hex>` over the raw body, keyed with the app secret."""
    expected = "sha256=" + hmac_sha256_hex(account.app_secret, body)
    return signature_matches(expected, signature)


def handshake_challenge(account: ChannelAccount, params: Mapping[str, str]) -> str | None:
    """Meta's subscription check: the challenge, echoed verbatim, for the right verify token."""
    token_ok = hmac.compare_digest(
        params.get("hub.verify_token", "").encode(), account.verify_token.encode()
    )
    if params.get("hub.mode") == "subscribe" and token_ok:
        return params.get("hub.challenge", "")
    return None


def window_end(last: datetime | None, now: datetime, length: timedelta) -> datetime | None:
    """When the window of `length` that the customer's last message opened closes, or None
    when it is not open at `now`."""
    if last and now - last < length:
        return last + length
    return None


def graph_headers(account: ChannelAccount) -> dict:
    return {"Authorization": f"Bearer {account.access_token}"}


def graph_error(status_code: int, body: dict) -> SendError:
    """Classify a Graph API error by its `code` (the subcode is deprecated)."""
    error = body.get("error") or {}
    code = error.get("code")
    transient = status_code == 429 or status_code >= 500 or code in TRANSIENT_CODES
    details = (error.get("error_data") or {}).get("details", "")
    reason = REASONS.get(code) or details or error.get("message") or f"HTTP {status_code}"
    return SendError(code=str(code or status_code), reason=reason, transient=transient)


def error_reason(code: int | None, fallback: str) -> str:
    return REASONS.get(code) or fallback


# Messenger's attachment types; reels arrive as links to a video.
ATTACHMENT_KINDS = {
    "image": AttachmentKind.IMAGE,
    "audio": AttachmentKind.AUDIO,
    "video": AttachmentKind.VIDEO,
    "file": AttachmentKind.FILE,
    "reel": AttachmentKind.VIDEO,
    "ig_reel": AttachmentKind.VIDEO,
}


def parse_messaging(payload: dict) -> list[Event]:
    """The `entry[].messaging[]` events of Messenger (object "page") and Instagram."""
    events: list[Event] = []
    for entry in payload.get("entry", []):
        for item in entry.get("messaging", []):
            events += read_part(
                item,
                _messaging_item,
                sender=lambda i: i["sender"]["id"],
                message_id=lambda i: i["message"]["mid"],
            )
    return events


def _messaging_item(item: dict) -> list[Event]:
    sender = item.get("sender", {}).get("id", "")
    at = from_millis(item.get("timestamp", 0))
    sent_at = when(item.get("timestamp"), from_millis)
    if "message" in item:
        message = item["message"]
        if message.get("is_echo"):  # our own sends, echoed back
            return []
        return [_inbound(sender, sent_at, message)]
    if "postback" in item and item["postback"].get("mid"):
        postback = item["postback"]
        return [InboundMessage(postback["mid"], sender, sent_at, text=postback.get("title", ""))]
    if "delivery" in item:
        delivery = item["delivery"]
        updates: list[Event] = [
            StatusUpdate(mid, DeliveryStatus.DELIVERED, at) for mid in delivery.get("mids", [])
        ]
        if "watermark" in delivery:
            updates.append(
                Watermark(sender, DeliveryStatus.DELIVERED, from_millis(delivery["watermark"]))
            )
        return updates
    if "read" in item:
        read = item["read"]
        up_to = from_millis(read["watermark"]) if "watermark" in read else at
        updates = [Watermark(sender, DeliveryStatus.READ, up_to)]
        if "mid" in read:  # Instagram names the message seen
            updates.insert(0, StatusUpdate(read["mid"], DeliveryStatus.READ, at))
        return updates
    return []  # reactions, referrals, opt-ins: nothing a customer wrote


def _inbound(sender: str, at, message: dict) -> InboundMessage:
    attachments = []
    text = message.get("text", "")
    for attachment in message.get("attachments", []):
        kind = ATTACHMENT_KINDS.get(attachment.get("type"))
        url = (attachment.get("payload") or {}).get("url", "")
        if kind and url:
            attachments.append(InboundAttachment(kind=kind, url=url))
        elif url:  # a shared link, story or template: keep it as text
            text = f"{text}\n{url}".strip()
    return InboundMessage(
        provider_message_id=message["mid"],
        sender_id=sender,
        sent_at=at,
        text=text,
        attachments=tuple(attachments),
    )


class GraphProfiles:
    """Meta's user profile lookup, `GET /{page-scoped id}?fields=…`: webhooks of Messenger and
    Instagram carry only the id, so the name is asked for once. `name_fields` are joined, in
    order, into the name (Messenger's first and last name); `fallback_fields` stand in when
    those are empty (an Instagram user without a name has a username)."""

    def __init__(
        self,
        *,
        api_url_setting: str,
        name_fields: tuple[str, ...],
        fallback_fields: tuple[str, ...] = (),
    ):
        self.api_url_setting = api_url_setting
        self.name_fields = name_fields
        self.fallback_fields = fallback_fields

    def build_profile(self, account: ChannelAccount, identity: ExternalIdentity) -> ProfileRequest:
        fields = ",".join([*self.name_fields, *self.fallback_fields, "profile_pic"])
        base = getattr(settings, self.api_url_setting)
        return ProfileRequest(
            url=f"{base}/{identity.provider_user_id}",
            params={"fields": fields},
            headers=graph_headers(account),
        )

    def read_profile(self, status_code: int, body: dict) -> str:
        if status_code != 200:
            return ""
        return _joined(body, self.name_fields) or _joined(body, self.fallback_fields)


def _joined(body: dict, fields: tuple[str, ...]) -> str:
    return " ".join(str(body[f]).strip() for f in fields if isinstance(body.get(f), str)).strip()


class GraphMessagingConnector:
    """Messenger and Instagram: the same webhook events, Send API body and reply window, on
    different hosts (their base URLs are settings) and with different limits."""

    signature_header = SIGNATURE_HEADER
    acknowledgement = ACKNOWLEDGEMENT
    captioned_kinds: frozenset[str] = frozenset()  # attachments carry no text
    uploader = None  # the Send API fetches our files from their URL
    sends_templates = False
    subscribed_by_writing = False
    user_id_is_phone = False  # a page-scoped id (PSID, IGSID)

    def __init__(
        self,
        *,
        provider: str,
        name: str,
        api_url_setting: str,
        text_limit: int,
        attachment_rules: dict[str, AttachmentRule],
        inbound_file_limit: int,
        profiles: Profiles,
    ):
        self.provider = provider
        self.profiles = profiles
        self.name = name
        self.api_url_setting = api_url_setting
        self.text_limit = text_limit
        self.attachment_rules = attachment_rules
        self.inbound_file_limit = inbound_file_limit

    def handshake(self, account: ChannelAccount, params: Mapping[str, str]) -> str | None:
        return handshake_challenge(account, params)

    def verify(self, account: ChannelAccount, body: bytes, signature: str) -> bool:
        return verify_signature(account, body, signature)

    def reply_window(self, identity: ExternalIdentity, now: datetime) -> ReplyWindow:
        """Free replies for 24 hours after the customer's last message, then human agents' replies
        with the HUMAN_AGENT tag up to 7 days after it."""
        last = identity.last_inbound_at
        if closes_at := window_end(last, now, SERVICE_WINDOW):
            return ReplyWindow(True, False, "", "", closes_at)
        if closes_at := window_end(last, now, HUMAN_AGENT_WINDOW):
            return ReplyWindow(True, False, HUMAN_AGENT, "", closes_at)
        return ReplyWindow(
            False, False, "", "More than 7 days have passed since the customer last wrote: "
            "they must write to us first.", None,
        )  # fmt: skip

    def media_source(self, account: ChannelAccount, *, media_id: str, url: str) -> MediaSource:
        """Webhooks carry a CDN URL that needs no token."""
        return MediaSource(url)

    def parse(self, account: ChannelAccount, payload: dict) -> list[Event]:
        return parse_messaging(payload)

    def refusal(self, kind: str, content_type: str, size: int) -> str:
        return attachment_refusal(self.attachment_rules, self.name, kind, content_type, size)

    def build_send(
        self, account: ChannelAccount, identity: ExternalIdentity, content: OutboundContent
    ) -> SendRequest:
        body: dict = {"recipient": {"id": identity.provider_user_id}}
        if content.tag:
            body |= {"messaging_type": "MESSAGE_TAG", "tag": content.tag}
        else:
            body["messaging_type"] = "RESPONSE"
        if content.attachment:
            kind = content.attachment.kind
            body["message"] = {
                "attachment": {
                    "type": "image" if kind == AttachmentKind.STICKER else kind,
                    "payload": {"url": content.attachment.url, "is_reusable": False},
                }
            }
        else:
            body["message"] = {"text": content.text}
        base = getattr(settings, self.api_url_setting)
        return SendRequest(
            url=f"{base}/{account.provider_account_id}/messages",
            json=body,
            headers=graph_headers(account),
        )

    def read_response(self, status_code: int, body: dict) -> SendResult:
        if status_code == 200 and body.get("message_id"):
            return SendResult(provider_message_id=body["message_id"])
        raise graph_error(status_code, body)
