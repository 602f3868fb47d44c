"""Inbound: a provider's webhook delivery, from raw bytes to stored messages, exactly once.

The view verifies the signature and keeps the delivery (`webhook_delivery_receive`), which
queues its processing and lets the view answer 200 at once, as the providers ask. A worker then
applies it (`webhook_event_process`): the connector parses it and every event is applied in one
transaction. Database constraints make this idempotent, so a retried, replayed or concurrently
duplicated delivery stores nothing twice; the kept row is the source of truth, and a sweep
queues again any delivery whose task was lost.

Nothing a customer wrote is dropped: what came is made storable (`storable.py`), a part its
connector cannot read, or that cannot be stored, becomes "a message that could not be read" in
the customer's chat, kept raw in the delivery's result for the supervisor, and the other parts
of the delivery are stored as they came.
"""

import json
import logging
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

import redis
from django.core.cache import cache
from django.db import DataError, IntegrityError, transaction
from django.db.models import DateTimeField, F, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from contactcenter.models import Activity
from contactcenter.outbox import by_customer, outbox_record
from contactcenter.services.intake import activity_customer_wrote
from messaging import events
from messaging.connectors import connector_for
from messaging.connectors.base import (
    UNREADABLE_ERRORS,
    Event,
    InboundMessage,
    StatusUpdate,
    SubscriptionChange,
    Unreadable,
    Watermark,
)
from messaging.lock_objects import webhook_event_for_update
from messaging.models import (
    Attachment,
    ChannelAccount,
    DeliveryStatus,
    Direction,
    ExternalIdentity,
    Message,
    Outcome,
    Verdict,
    ViberSubscription,
    WebhookEvent,
)
from messaging.outbox import message_created_data
from messaging.services.delivery import receipt_record, watermark_apply
from messaging.services.storable import digest_id, inbound_storable
from messaging.tasks import attachment_download
from messaging.tasks import identity_profile_fetch as identity_profile_fetch_task
from messaging.tasks import webhook_event_process as webhook_event_process_task

# A delivery that loses a race (a concurrent copy of the same message, or the first messages
# of one new customer arriving together) is rolled back and applied again: the next attempt
# sees what the winner stored.
APPLY_ATTEMPTS = 3
KEPT_HEADERS = {"content-type", "user-agent", "x-hub-signature-256", "x-viber-content-signature"}
# What a part that cannot be stored as it came raises: the database refusing a value, or a
# value of a type no provider documents.
UNSTORABLE = (DataError, ValueError, TypeError, AttributeError)
UNREADABLE_TEXT = "A message that could not be read"
# A pending delivery older than this has lost its task: the sweep queues it again.
STALE_AFTER = timedelta(seconds=60)
# A refused delivery (its signature did not verify) is kept for audit only: the start of its
# body, and only so many a minute per channel account. Enough to see a provider whose secret
# changed, or what an attacker sends, without letting anyone fill the database.
REFUSED_BODY_KEPT = 4096
REFUSED_KEPT_PER_MINUTE = 10
REFUSED_WINDOW_SECONDS = 60

logger = logging.getLogger(__name__)


@dataclass
class ProcessResult:
    messages: int = 0
    duplicates: int = 0
    statuses: int = 0
    subscriptions: int = 0
    new_activities: list[int] = field(default_factory=list)
    unreadable: list[dict] = field(default_factory=list)  # each part's reason and raw form


def webhook_delivery_receive(
    *, account: ChannelAccount, headers: dict, body: bytes, verified: bool
) -> WebhookEvent | None:
    """Keep a delivery: a verified one whole, as pending, with its processing queued on commit;
    one whose signature did not verify as rejected, for audit only (`_refusal_keep`: maybe not
    at all, then None)."""
    if not verified:
        return _refusal_keep(account=account, headers=headers, body=body)
    event = _keep(account=account, headers=headers, body=body, verdict=Verdict.ACCEPTED)
    webhook_event_process_task.delay_on_commit(event.id)
    return event


def _refusal_keep(*, account: ChannelAccount, headers: dict, body: bytes) -> WebhookEvent | None:
    """Keep a refused delivery's first REFUSED_BODY_KEPT bytes, with its full size noted, while
    its channel account has kept fewer than REFUSED_KEPT_PER_MINUTE this minute; else nothing.

    The caller answers 403 either way: a provider whose secret changed is refused as before
    (and retries, as it does on any refusal), and an attacker learns nothing about the limit,
    which a 429 would announce and time (and invite them to stay just under).
    """
    if not _refusal_counted(account):
        return None
    return _keep(
        account=account,
        headers=headers,
        body=body[:REFUSED_BODY_KEPT],
        verdict=Verdict.REJECTED,
        outcome=Outcome.FAILED,
        error=f"The signature did not verify. Body: {len(body)} bytes"
        + (f", the first {REFUSED_BODY_KEPT} kept." if len(body) > REFUSED_BODY_KEPT else "."),
    )


def _refusal_counted(account: ChannelAccount) -> bool:
    """Count a refused delivery against its webhook's allowance: a counter in Redis, shared by
    every web process, that lives a minute from the first refusal it counts. False once the
    allowance is spent, and when Redis cannot count: then nothing is kept rather than all."""
    key = f"webhook-refused:{account.webhook_key}"
    try:
        cache.add(key, 0, timeout=REFUSED_WINDOW_SECONDS)
        count = cache.incr(key)
    except ValueError:  # the minute ended between the two calls: this one starts the next
        cache.add(key, 1, timeout=REFUSED_WINDOW_SECONDS)
        count = 1
    except redis.RedisError as exc:
        logger.warning("A refused delivery to %s was not kept: Redis: %s", account, exc)
        return False
    if count == REFUSED_KEPT_PER_MINUTE + 1:
        logger.warning("Refused deliveries to %s: no more kept this minute.", account)
    return count <= REFUSED_KEPT_PER_MINUTE


def _keep(
    *, account: ChannelAccount, headers: dict, body: bytes, verdict: str, **fields
) -> WebhookEvent:
    return WebhookEvent.objects.create(
        provider=account.provider,
        channel_account=account,
        headers={k: _text(v) for k, v in headers.items() if k.lower() in KEPT_HEADERS},
        body=_text(body),
        verdict=verdict,
        **fields,
    )


def _text(raw: bytes | str) -> str:
    """Text any database keeps: undecodable bytes and NUL (which PostgreSQL refuses in text)
    become U+FFFD. Well-formed JSON holds no raw NUL (it escapes one), so a verified body is kept
    as it came."""
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
    return text.replace("\x00", "\ufffd")


def webhook_event_process(*, event_id: int) -> ProcessResult | None:
    """Apply every event of a kept delivery and mark it processed; None when it is not
    pending (already processed, failed, or rejected).

    Owns the transaction. Idempotent. A lost race is applied again; a part that cannot be
    stored sends the delivery through again part by part, where that part becomes a message
    that could not be read and the others are stored as they came. Any other error propagates
    with nothing applied: the task retries, then marks the delivery failed.
    """
    one_by_one = False
    for attempt in range(1, APPLY_ATTEMPTS + 1):
        try:
            return _process(event_id, one_by_one=one_by_one)
        except IntegrityError:
            if attempt == APPLY_ATTEMPTS:
                raise
        except UNSTORABLE:
            if one_by_one:
                raise
            one_by_one = True
    return None


@transaction.atomic
def _process(event_id: int, *, one_by_one: bool) -> ProcessResult | None:
    event = webhook_event_for_update(event_id)
    if event is None or event.outcome != Outcome.PENDING or event.verdict != Verdict.ACCEPTED:
        return None
    account = event.channel_account
    result = ProcessResult()
    for part in _parts(event):
        if one_by_one:
            _apply_alone(account, part, result, event)
        else:
            _apply(account, part, result, event)
    event.outcome = Outcome.PROCESSED
    event.result = asdict(result)
    event.processed_at = timezone.now()
    event.save(update_fields=["outcome", "result", "processed_at", "updated_at"])
    return result


def _parts(event: WebhookEvent) -> list[Event]:
    """What the delivery holds, as its connector reads it; a body nobody can read is one
    unreadable part (it was signed: a customer may have written it)."""
    try:
        return connector_for(event.provider).parse(event.channel_account, json.loads(event.body))
    except UNREADABLE_ERRORS as exc:
        return [Unreadable(raw=event.body, reason=f"{exc.__class__.__name__}: {exc}")]


def _apply_alone(account: ChannelAccount, part: Event, result: ProcessResult, event) -> None:
    """One part in a savepoint of its own: one that cannot be stored is kept as unreadable
    (a customer's message then reaches their chat as one that could not be read)."""
    try:
        with transaction.atomic():
            _apply(account, part, result, event)
    except UNSTORABLE as exc:
        message = part if isinstance(part, InboundMessage) else None
        unreadable = Unreadable(
            raw=repr(part),
            reason=f"Could not be stored: {exc.__class__.__name__}: {exc}",
            sender_id=_text_or_empty(message and message.sender_id),
            provider_message_id=_text_or_empty(message and message.provider_message_id),
        )
        with transaction.atomic():
            _apply(account, unreadable, result, event)


def _text_or_empty(value) -> str:
    return value if isinstance(value, str) else ""


def webhook_event_failed(*, event_id: int, error: str) -> None:
    """Give up on a delivery that could not be applied; it stays kept, with the error."""
    WebhookEvent.objects.filter(pk=event_id, outcome=Outcome.PENDING).update(
        outcome=Outcome.FAILED, error=error
    )


def webhook_events_replay(*, event_ids: list[int]) -> int:
    """Apply failed accepted deliveries again (after the cause was fixed); returns how many
    were queued. Rejected deliveries are never replayed: nobody vouched for them."""
    replayable = WebhookEvent.objects.filter(
        pk__in=event_ids, verdict=Verdict.ACCEPTED, outcome=Outcome.FAILED
    )
    ids = list(replayable.values_list("pk", flat=True))
    WebhookEvent.objects.filter(pk__in=ids).update(outcome=Outcome.PENDING, error="")
    for event_id in ids:
        webhook_event_process_task.delay_on_commit(event_id)
    return len(ids)


def webhook_events_requeue_stale() -> int:
    """Queue again every accepted delivery still pending after STALE_AFTER (its task was lost
    with a broker or a worker); returns how many. Harmless twice: processing is idempotent."""
    stale = WebhookEvent.objects.filter(
        verdict=Verdict.ACCEPTED,
        outcome=Outcome.PENDING,
        created_at__lt=timezone.now() - STALE_AFTER,
    ).values_list("pk", flat=True)[:1000]
    ids = list(stale)
    for event_id in ids:
        webhook_event_process_task.delay(event_id)
    return len(ids)


def _apply(account: ChannelAccount, part: Event, result: ProcessResult, event) -> None:
    if isinstance(part, Unreadable):
        _unreadable_keep(account, part, result, event)
    elif isinstance(part, InboundMessage):
        message, new_activity = message_ingest(
            account=account, inbound=part, received_at=event.created_at
        )
        if message is None:
            result.duplicates += 1
        else:
            result.messages += 1
        if new_activity:
            result.new_activities.append(new_activity)
    elif isinstance(part, StatusUpdate):
        receipt_record(account=account, update=part)
        result.statuses += 1
    elif isinstance(part, Watermark):
        watermark_apply(account=account, watermark=part)
        result.statuses += 1
    elif isinstance(part, SubscriptionChange):
        subscription_apply(account=account, change=part)
        result.subscriptions += 1


def _unreadable_keep(account: ChannelAccount, part: Unreadable, result, event) -> None:
    """Keep the part for the supervisor in the delivery's result and, when its sender is
    known, tell the agent in the customer's chat (once: a part delivered again has the same
    id)."""
    result.unreadable.append({"reason": part.reason, "raw": part.raw})
    if not part.sender_id:
        return
    message_id = part.provider_message_id or f"unreadable:{digest_id(json.dumps(part.raw))}"
    notice = InboundMessage(
        provider_message_id=message_id,
        sender_id=part.sender_id,
        sent_at=None,
        text=f"{UNREADABLE_TEXT} (webhook delivery {event.pk} in the back office keeps it).",
    )
    message, _ = message_ingest(account=account, inbound=notice, received_at=event.created_at)
    result.messages += message is not None


def message_ingest(
    *, account: ChannelAccount, inbound: InboundMessage, received_at: datetime | None = None
) -> tuple[Message | None, int | None]:
    """Store one customer message once, in the customer's activity that is not closed (the core
    opens one if needed: `activity_customer_wrote`); returns the message (None for a duplicate)
    and the id of a new activity.

    What came is made storable first (`inbound_storable`; a message without its time is dated
    `received_at`, default now). Caller holds a transaction and applies the delivery again on
    IntegrityError (see `webhook_event_process`).
    """
    inbound = inbound_storable(inbound, received_at=received_at or timezone.now())
    if Message.objects.filter(
        channel_account=account, provider_message_id=inbound.provider_message_id
    ).exists():
        return None, None
    identity, created = _identity_seen(account, inbound)
    activity, new, message = activity_customer_wrote(
        identity=identity,
        channel_account=account,
        queue=account.queue,
        title=identity.display_name or identity.provider_user_id,
        sent_at=inbound.sent_at,
        store=lambda activity, new: _message_store(activity, inbound, identity, announce=not new),
        first_contact=created,
    )
    return message, activity.pk if new else None


def _message_store(
    activity: Activity, inbound: InboundMessage, identity: ExternalIdentity, *, announce: bool
) -> Message:
    """The message and its files (each downloaded by a task after the commit), reported to
    integrators as written by `identity`. `announce`: tell the agents taking part (nobody
    takes part in a new activity yet)."""
    message = Message.objects.create(
        activity=activity,
        channel_account_id=activity.channel_account_id,
        identity_id=activity.identity_id,
        direction=Direction.IN,
        status=DeliveryStatus.RECEIVED,
        text=inbound.text,
        provider_message_id=inbound.provider_message_id,
        provider_timestamp=inbound.sent_at,
    )
    if announce:
        events.message_new(message)
    kept = []
    for attachment in inbound.attachments:
        stored = Attachment.objects.create(
            message=message,
            kind=attachment.kind,
            filename=attachment.filename,
            content_type=attachment.content_type,
            size=attachment.size,
            caption=attachment.caption,
            provider_media_id=attachment.media_id,
            source_url=attachment.url,
        )
        attachment_download.delay_on_commit(stored.id)
        kept.append(stored)
    created = message_created_data(message, author=by_customer(identity), attachments=kept)
    outbox_record(type="message.created", data=created)
    return message


def _identity_seen(
    account: ChannelAccount, inbound: InboundMessage
) -> tuple[ExternalIdentity, bool]:
    """The sender's identity, created on first contact (then True), else brought up to date. A
    new customer without a name, on a channel that tells names on request, is looked up after
    the commit (off the request path, and no query more here)."""
    subscription = _subscription_by_writing(account)
    identity = ExternalIdentity.objects.filter(
        channel_account=account, provider_user_id=inbound.sender_id
    ).first()
    if identity is not None:
        _identity_update(identity, inbound, subscription)
        return identity, False
    identity = ExternalIdentity.objects.create(
        channel_account=account,
        provider_user_id=inbound.sender_id,
        display_name=inbound.sender_name,
        phone=inbound.phone,
        last_inbound_at=inbound.sent_at,
        viber_subscription=subscription,
    )
    if not identity.display_name and connector_for(account.provider).profiles:
        identity_profile_fetch_task.delay_on_commit(identity.id)
    return identity, True


def _identity_update(
    identity: ExternalIdentity, inbound: InboundMessage, subscription: str
) -> None:
    """One UPDATE: the latest name (on `identity` too), the reply window (never moved back by a
    late message), and the subscription that writing gives (where it gives one)."""
    sent_at = Value(inbound.sent_at, output_field=DateTimeField())
    changes = {"last_inbound_at": Greatest(Coalesce(F("last_inbound_at"), sent_at), sent_at)}
    if inbound.sender_name and inbound.sender_name != identity.display_name:
        changes["display_name"] = identity.display_name = inbound.sender_name
    if subscription:
        changes["viber_subscription"] = subscription
    ExternalIdentity.objects.filter(pk=identity.pk).update(**changes)


def _subscription_by_writing(account: ChannelAccount) -> str:
    """What a customer's message makes of their subscription: subscribed where writing
    subscribes (no callback will say so), else nothing."""
    if connector_for(account.provider).subscribed_by_writing:
        return ViberSubscription.SUBSCRIBED
    return ViberSubscription.UNKNOWN


def subscription_apply(*, account: ChannelAccount, change: SubscriptionChange) -> None:
    """Viber: remember who may be written to. `conversation_started` only introduces the user."""
    identity, _ = ExternalIdentity.objects.get_or_create(
        channel_account=account,
        provider_user_id=change.user_id,
        defaults={"display_name": change.user_name},
    )
    if change.subscribed is not None:
        state = (
            ViberSubscription.SUBSCRIBED if change.subscribed else ViberSubscription.UNSUBSCRIBED
        )
        ExternalIdentity.objects.filter(pk=identity.pk).update(viber_subscription=state)
