"""The one small interface every provider connector implements, and the normalised events.

A connector knows its provider's wire formats and nothing of our database: it verifies a
webhook request, parses a body into the events below, builds a send request, and reads the
provider's answer into a result or a classified error.
"""

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from messaging.models import ChannelAccount, ExternalIdentity


@dataclass(frozen=True)
class InboundAttachment:
    kind: str  # an AttachmentKind value
    media_id: str = ""  # WhatsApp: fetched through the Graph API
    url: str = ""  # Messenger, Instagram, Viber: fetched directly
    content_type: str = ""
    filename: str = ""
    size: int | None = None
    caption: str = ""


@dataclass(frozen=True)
class InboundMessage:
    provider_message_id: str
    sender_id: str
    sent_at: datetime
    text: str = ""
    attachments: tuple[InboundAttachment, ...] = ()
    sender_name: str = ""
    phone: str = ""


@dataclass(frozen=True)
class StatusUpdate:
    """The provider's word on one of our messages."""

    provider_message_id: str
    status: str  # a DeliveryStatus value: sent, delivered, read or failed
    occurred_at: datetime
    error_code: str = ""
    error_reason: str = ""


@dataclass(frozen=True)
class Watermark:
    """Everything we sent to `recipient_id` up to `up_to` reached `status` (delivered or read)."""

    recipient_id: str
    status: str
    up_to: datetime


@dataclass(frozen=True)
class SubscriptionChange:
    """Viber: the user subscribed (True), unsubscribed (False) or opened the chat (None)."""

    user_id: str
    subscribed: bool | None
    occurred_at: datetime
    user_name: str = ""


Event = InboundMessage | StatusUpdate | Watermark | SubscriptionChange


@dataclass(frozen=True)
class OutboundAttachment:
    kind: str
    url: str = ""  # a signed URL of ours the provider fetches
    media_id: str = ""  # WhatsApp: uploaded to the provider first
    filename: str = ""
    size: int | None = None


@dataclass(frozen=True)
class OutboundContent:
    """What one send carries: text, or a WhatsApp template, or one attachment (with caption)."""

    text: str = ""
    tag: str = ""  # Messenger/Instagram message tag, e.g. HUMAN_AGENT
    template_name: str = ""
    template_language: str = ""
    template_parameters: tuple[str, ...] = ()
    attachment: OutboundAttachment | None = None


@dataclass(frozen=True)
class SendRequest:
    url: str
    json: dict
    headers: dict = field(default_factory=dict)


@dataclass(frozen=True)
class SendResult:
    provider_message_id: str


class SendError(Exception):
    """A send the provider refused. Transient errors are retried; permanent ones are shown."""

    def __init__(self, *, code: str, reason: str, transient: bool):
        super().__init__(f"{code}: {reason}")
        self.code = code
        self.reason = reason
        self.transient = transient


class Connector(Protocol):
    provider: str
    name: str  # as agents know the channel
    signature_header: str
    attachment_rules: dict[str, "AttachmentRule"]  # what may be sent, by attachment kind
    text_limit: int
    captioned_kinds: frozenset[str]  # file kinds whose message shows a text with the file

    def refusal(self, kind: str, content_type: str, size: int) -> str:
        """Why this provider would refuse the file, or ""."""

    def verify(self, account: ChannelAccount, body: bytes, signature: str) -> bool: ...

    def parse(self, account: ChannelAccount, payload: dict) -> list[Event]: ...

    def build_send(
        self, account: ChannelAccount, identity: ExternalIdentity, content: OutboundContent
    ) -> SendRequest: ...

    def read_response(self, status_code: int, body: dict) -> SendResult: ...


def hmac_sha256_hex(key: str, body: bytes) -> str:
    return hmac.new(key.encode(), body, hashlib.sha256).hexdigest()


def signature_matches(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected.encode(), given.encode())


def from_millis(value: int | str) -> datetime:
    return datetime.fromtimestamp(int(value) / 1000, tz=UTC)


def from_seconds(value: int | str) -> datetime:
    return datetime.fromtimestamp(int(value), tz=UTC)


MB = 1024 * 1024


@dataclass(frozen=True)
class AttachmentRule:
    """What a provider accepts for one kind of file; no content types means any."""

    max_bytes: int
    content_types: frozenset[str] = frozenset()


def attachment_refusal(
    rules: dict[str, AttachmentRule], provider_name: str, kind: str, content_type: str, size: int
) -> str:
    """Why a provider would refuse this file, or "" when it is within its limits."""
    rule = rules.get(kind)
    if rule is None:
        return f"{provider_name} does not accept {kind} files."
    if rule.content_types and content_type not in rule.content_types:
        return f"{provider_name} does not accept {content_type or 'this type of'} {kind} files."
    if size > rule.max_bytes:
        return f"{provider_name} accepts {kind} files up to {rule.max_bytes // MB or 1} MB."
    return ""
