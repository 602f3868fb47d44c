"""The one small interface every provider connector implements, and the normalised events.

A connector knows its provider's wire formats and rules and nothing of our database: it
verifies a webhook request, parses a body into the events below, builds a send request, and
reads the provider's answer into a result or a classified error. Every way one channel differs
from another (the reply window, files, templates, the webhook's handshake and answer) is a
question the rest of the code asks its connector, never a comparison of providers.
"""

import hashlib
import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import urlsplit

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
    sent_at: datetime | None  # None: the provider did not say (the time we received it stands)
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


@dataclass(frozen=True)
class Unreadable:
    """A part of a delivery its connector could not read (a shape the provider does not
    document). Kept raw for the supervisor, and shown to the agent as a message that could not
    be read when its sender can be told: nothing a customer wrote is dropped."""

    raw: object
    reason: str
    sender_id: str = ""
    provider_message_id: str = ""


Event = InboundMessage | StatusUpdate | Watermark | SubscriptionChange | Unreadable

# What reading a part of an undocumented shape raises.
UNREADABLE_ERRORS = (KeyError, IndexError, TypeError, ValueError, AttributeError)


def read_part(
    part,
    read: Callable[[Any], list[Event]],
    *,
    sender: Callable[[Any], object] | None = None,
    message_id: Callable[[Any], object] | None = None,
) -> list[Event]:
    """The events `read(part)` finds in one part of a delivery (a message, a status), or, when
    the part is not what the provider documents, one `Unreadable` naming its sender and id as
    far as `sender(part)` and `message_id(part)` can tell. One bad part never costs the
    others."""
    try:
        return read(part)
    except UNREADABLE_ERRORS as exc:
        return [
            Unreadable(
                raw=part,
                reason=f"{exc.__class__.__name__}: {exc}",
                sender_id=_told(sender, part),
                provider_message_id=_told(message_id, part),
            )
        ]


def _told(look: Callable[[Any], object] | None, part) -> str:
    """What `look` finds in `part`, as text; "" when it finds nothing usable."""
    try:
        found = look(part) if look else ""
    except UNREADABLE_ERRORS:
        return ""
    return str(found) if isinstance(found, str | int) and not isinstance(found, bool) else ""


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


@dataclass(frozen=True)
class UploadRequest:
    """A multipart POST that puts a file on the provider before a send names it."""

    url: str
    data: dict
    files: dict
    headers: dict = field(default_factory=dict)


@dataclass(frozen=True)
class MediaSource:
    """Where an inbound file is fetched, by GET with `headers`. With `url_key`, `url` is a
    lookup whose JSON answer holds the file's short-lived URL under that key, fetched with the
    same headers. The headers carry the provider's credentials: they go only to the origins
    in `headers_for` (see `origin`), never to a URL on another host or a redirect there."""

    url: str
    headers: dict = field(default_factory=dict)
    url_key: str = ""
    headers_for: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ProfileRequest:
    """A GET for a customer's public profile, by the id their webhooks carry."""

    url: str
    params: dict
    headers: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Acknowledgement:
    """The body a provider expects in our 200 to a webhook delivery."""

    body: str
    content_type: str


@dataclass(frozen=True)
class ReplyWindow:
    """What may be sent to one customer at one time, by their channel's rule."""

    free_text: bool  # text and files may be sent
    template_required: bool  # only an approved template may be sent
    tag: str  # the Meta message tag a send needs ("" or HUMAN_AGENT)
    refusal: str  # why nothing may be sent ("" when something may)
    closes_at: datetime | None  # when the current allowance ends


class SendError(Exception):
    """A send the provider refused. Transient errors are retried; permanent ones are shown."""

    def __init__(self, *, code: str, reason: str, transient: bool):
        super().__init__(f"{code}: {reason}")
        self.code = code
        self.reason = reason
        self.transient = transient


class Uploader(Protocol):
    """How a provider that sends files by media id takes them, before the send names them."""

    def build_upload(
        self, account: ChannelAccount, *, filename: str, content: bytes, content_type: str
    ) -> UploadRequest: ...

    def read_upload(self, status_code: int, body: dict) -> str:
        """The uploaded file's media id; raises SendError."""


class Profiles(Protocol):
    """How a provider whose webhooks carry no name tells us a customer's name on request."""

    def build_profile(self, account: ChannelAccount, identity: ExternalIdentity) -> ProfileRequest:
        """The lookup of the customer's profile."""

    def read_profile(self, status_code: int, body: dict) -> str:
        """The customer's name from the provider's answer; "" when it refused or told none."""


class Connector(Protocol):
    provider: str
    name: str  # as agents know the channel
    signature_header: str
    acknowledgement: Acknowledgement  # our answer to a verified delivery
    attachment_rules: dict[str, "AttachmentRule"]  # what may be sent, by attachment kind
    text_limit: int
    captioned_kinds: frozenset[str]  # file kinds whose message shows a text with the file
    inbound_file_limit: int  # the largest file the provider delivers to us, in bytes
    uploader: Uploader | None  # None: the provider fetches our files from a signed link
    profiles: Profiles | None  # None: the webhooks carry the customer's name
    sends_templates: bool  # approved templates may be sent, the only way after the window
    subscribed_by_writing: bool  # a customer who writes may be written to (no callback says so)
    user_id_is_phone: bool  # the customer's id is their phone number, which pairs CRM contacts

    def refusal(self, kind: str, content_type: str, size: int) -> str:
        """Why this provider would refuse the file, or ""."""

    def handshake(self, account: ChannelAccount, params: Mapping[str, str]) -> str | None:
        """The challenge to echo to the provider's webhook check (a GET), or None to refuse."""

    def verify(self, account: ChannelAccount, body: bytes, signature: str) -> bool: ...

    def reply_window(self, identity: ExternalIdentity, now: datetime) -> ReplyWindow:
        """What may be sent to the customer at `now`, and why not."""

    def media_source(self, account: ChannelAccount, *, media_id: str, url: str) -> MediaSource:
        """Where to fetch an inbound file that a webhook named by media id or by URL."""

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


def when(value: int | str | None, parse: Callable[[int | str], datetime]) -> datetime | None:
    """A message's time, or None when the provider left it out (it is optional to us)."""
    return None if value in (None, "") else parse(value)


def whole_number(value: object) -> int | None:
    """An optional count (a file's size) as a number, or None when it is not a count we can
    keep (not a number, negative, beyond a 32-bit column)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 <= number < 2**31 else None


DEFAULT_PORTS = {"http": 80, "https": 443}


def origin(url: str) -> str:
    """`scheme://host:port` of a URL, the port spelled out: what credentials are bound to.
    Raises ValueError for a URL whose port is not a number."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:  # IPv6
        host = f"[{host}]"
    return f"{parts.scheme}://{host}:{parts.port or DEFAULT_PORTS.get(parts.scheme, 0)}"


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
