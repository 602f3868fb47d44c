"""Outgoing webhooks: outbox rows fanned out to the endpoints that want them, each delivery
posted by a task, every attempt kept, failures retried for about a day.

The path of an event: the change's transaction writes its outbox row (`contactcenter.outbox`);
after the commit `outbox_dispatch` makes one delivery per subscribed endpoint and queues it;
`delivery_attempt` posts it, signed (`integrations.signing`), and records the answer. A 2xx
delivers it; a 410 disables the endpoint (the receiver asked for no more); anything else is
tried again on SCHEDULE, with jitter (or later, when the receiver's Retry-After asks for more
time), then given up. An endpoint whose deliveries have all failed for
WEBHOOK_DISABLE_AFTER_DAYS is disabled, saying why. A sweep queues again whatever a
lost task left (`webhooks_sweep`), so nothing between the commit and the receiver's 2xx is
lost; the price is that a receiver may get an event twice, with the same webhook-id.
"""

import random
import socket
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.http import parse_http_date

from contactcenter.exceptions import ApplicationError
from contactcenter.models import OutboxEvent
from contactcenter.public_hosts import NotPublic, checked_address, pinned
from integrations import signing
from integrations.lock_objects import (
    delivery_for_update,
    endpoint_for_update,
    outbox_undispatched_claim,
)
from integrations.models import DeliveryState, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from integrations.services.endpoints import endpoint_disable_locked, not_public_refusal
from integrations.tasks import delivery_attempt as delivery_attempt_task
from integrations.tasks import outbox_dispatch as outbox_dispatch_task

# The waits between tries after the first: about 28 hours in all, eight tries.
SCHEDULE = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)
JITTER = (0.8, 1.2)
# A receiver's Retry-After is honoured up to the schedule's longest wait: one asking for a week
# would otherwise spend the whole schedule on a single try.
RETRY_AFTER_LIMIT = SCHEDULE[-1]
# A retry this soon is queued with its time (a task with an ETA, which a worker holds until
# then); a later one is left to the sweep, which queues it within STALE_AFTER and its period
# of its time: a worker would hold it for hours, and Redis hands a task unacknowledged for
# longer than an hour to another worker.
TIMER_LIMIT = timedelta(minutes=10)
# A delivery being posted is claimed for WEBHOOK_TIMEOUT and this much more, so no second
# worker posts it meanwhile; a worker lost mid-post leaves it to the sweep after.
CLAIM_MARGIN = timedelta(minutes=2)
# A delivery due this long ago, or an outbox row this old, has lost its task (or has none, as
# a long retry): the sweep queues it. Not less: under a backlog, tasks that wait their turn
# would be queued twice.
STALE_AFTER = timedelta(seconds=60)
DISPATCH_BATCH = 500
SWEEP_LIMIT = 1000
PRUNE_BATCH = 1000
EXCERPT_CHARS = 1000
EXCERPT_BYTES = 4 * EXCERPT_CHARS  # enough for EXCERPT_CHARS of any UTF-8
USER_AGENT = "contactcenter-webhooks/1"


def outbox_dispatch() -> int:
    """Fan the outbox rows not yet dispatched out, oldest first: one delivery per active
    endpoint subscribed to the row's type that existed when its event occurred, each queued
    once the row is marked dispatched. Returns how many rows it dispatched.

    Idempotent and safe beside itself: a row is claimed (skipping those another dispatcher
    holds) and marked in one transaction, so it is fanned out once.
    """
    dispatched = 0
    while batch := _dispatch_batch():
        dispatched += batch
    return dispatched


@transaction.atomic(durable=True)
def _dispatch_batch() -> int:
    events = outbox_undispatched_claim(DISPATCH_BATCH)
    if not events:
        return 0
    now = timezone.now()
    endpoints = list(WebhookEndpoint.objects.filter(is_active=True))
    WebhookDelivery.objects.bulk_create(
        (
            WebhookDelivery(endpoint=endpoint, event=event, next_attempt_at=now)
            for event in events
            for endpoint in endpoints
            if event.type in endpoint.event_types and endpoint.created_at <= event.occurred_at
        ),
        ignore_conflicts=True,  # made already: queued again below, which claims make harmless
    )
    ids = [event.pk for event in events]
    OutboxEvent.objects.filter(pk__in=ids).update(dispatched_at=now)
    pending = WebhookDelivery.objects.filter(event__in=ids, state=DeliveryState.PENDING)
    for delivery_id in pending.values_list("pk", flat=True):
        delivery_attempt_task.delay_on_commit(delivery_id)
    return len(events)


def delivery_attempt(*, delivery_id: int) -> None:
    """Post a pending delivery that is due to its endpoint, once, and record the answer.

    Idempotent and safe beside itself: the delivery is claimed first (its next attempt moved
    past the post's time, under its lock), so a second task for it (redelivered, or queued by
    the sweep) finds it not due and sends nothing. No lock is held while posting.
    """
    delivery = _claim(delivery_id)
    if delivery is None:
        return
    _record(delivery_id, _post(delivery))


@transaction.atomic(durable=True)
def _claim(delivery_id: int) -> WebhookDelivery | None:
    delivery = delivery_for_update(delivery_id)
    now = timezone.now()
    if delivery is None or delivery.state != DeliveryState.PENDING:
        return None
    if delivery.next_attempt_at > now:
        return None
    if not delivery.endpoint.is_active:  # fanned out as it was being disabled
        delivery.state, delivery.next_attempt_at = DeliveryState.FAILED, None
        delivery.save(update_fields=["state", "next_attempt_at", "updated_at"])
        return None
    delivery.next_attempt_at = now + timedelta(seconds=settings.WEBHOOK_TIMEOUT) + CLAIM_MARGIN
    delivery.save(update_fields=["next_attempt_at", "updated_at"])
    return delivery


@dataclass(frozen=True)
class _Answer:
    attempted_at: datetime
    duration_ms: int
    status_code: int | None = None
    excerpt: str = ""
    error: str = ""
    retry_after: timedelta | None = None

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    @property
    def summary(self) -> str:
        return f"HTTP {self.status_code}" if self.status_code else self.error


def _post(delivery: WebhookDelivery) -> _Answer:
    """POST the delivery to its endpoint, signed for this attempt."""
    endpoint, content = delivery.endpoint, signing.body(delivery.event)
    attempted_at = timezone.now()
    headers = signing.signed_headers(
        _secrets(endpoint, attempted_at),
        webhook_id=delivery.event.webhook_id,
        timestamp=int(attempted_at.timestamp()),
        content=content,
    )
    started = time.monotonic()
    outcome = _send(endpoint.url, {**headers, "User-Agent": USER_AGENT}, content, started)
    duration_ms = round((time.monotonic() - started) * 1000)
    return _Answer(attempted_at=attempted_at, duration_ms=duration_ms, **outcome)


def _send(target: str, headers: dict, content: bytes, started: float) -> dict:
    """The receiver's status and answer, or why there is none. The host's addresses are checked
    again (DNS may have changed since the endpoint was saved) and the post goes to the one
    checked. Redirects are not followed: the endpoint's URL is to be corrected instead."""
    url = httpx.URL(target)
    host = url.raw_host.decode("ascii")
    timeout = settings.WEBHOOK_TIMEOUT
    try:
        address = checked_address(host, public_only=not settings.WEBHOOK_ALLOW_PRIVATE_TARGETS)
        with (
            httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client,
            client.stream("POST", content=content, **pinned(url, address, headers)) as response,
        ):
            excerpt = _excerpt(response, deadline=started + timeout)
    except socket.gaierror:
        return {"error": f"{host} could not be found."}
    except NotPublic as exc:
        return {"error": not_public_refusal(host, exc)}
    except httpx.TimeoutException:
        return {"error": f"No answer within {timeout:g} s."}
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        return {"error": f"{exc.__class__.__name__}: {exc}"[:300]}
    retry_after = _retry_after(response)
    return {
        "status_code": response.status_code,
        "excerpt": excerpt,
        "error": _error_of(response, retry_after),
        "retry_after": retry_after,
    }


def _secrets(endpoint: WebhookEndpoint, now: datetime) -> list[str]:
    """The endpoint's secret, and the one a rotation replaced while it still signs."""
    expires = endpoint.previous_secret_expires_at
    if endpoint.previous_secret and expires is not None and expires > now:
        return [endpoint.secret, endpoint.previous_secret]
    return [endpoint.secret]


def _excerpt(response: httpx.Response, *, deadline: float) -> str:
    """The answer's first EXCERPT_CHARS characters, read until the deadline at the most."""
    received = b""
    for chunk in response.iter_bytes():
        received += chunk
        if len(received) >= EXCERPT_BYTES or time.monotonic() > deadline:
            break
    return received[:EXCERPT_BYTES].decode("utf-8", errors="replace")[:EXCERPT_CHARS]


def _error_of(response: httpx.Response, retry_after: timedelta | None) -> str:
    """What the log says beside the status: a redirect not followed, or the wait asked for."""
    if response.is_redirect:
        location = response.headers.get("location", "")
        return f"Redirected to {location}: not followed; correct the endpoint's URL."[:300]
    if retry_after is not None:
        return f"Retry-After: {response.headers['retry-after']}"[:300]
    return ""


def _retry_after(response: httpx.Response) -> timedelta | None:
    """The wait the receiver asked for in Retry-After (seconds, or an HTTP date), at most
    RETRY_AFTER_LIMIT; None when it asked for none that can be read, or none to come."""
    value = response.headers.get("retry-after", "").strip()
    try:
        seconds = int(value) if value.isdigit() else parse_http_date(value) - time.time()
    except ValueError:
        return None
    if seconds <= 0:
        return None
    return timedelta(seconds=min(seconds, RETRY_AFTER_LIMIT.total_seconds()))


@transaction.atomic(durable=True)
def _record(delivery_id: int, answer: _Answer) -> None:
    """Keep the attempt and move the delivery on: delivered, tried again later, or failed."""
    locked = _locked_with_endpoint(delivery_id)
    if locked is None:  # deleted with its endpoint meanwhile
        return
    endpoint, delivery = locked
    WebhookAttempt.objects.create(
        delivery=delivery,
        attempted_at=answer.attempted_at,
        status_code=answer.status_code,
        duration_ms=answer.duration_ms,
        response_excerpt=answer.excerpt,
        error=answer.error,
    )
    delivery.attempts += 1
    delivery.last_status_code = answer.status_code
    if answer.delivered:
        _delivered(delivery, endpoint)
    elif delivery.state == DeliveryState.PENDING:
        _failed(delivery, endpoint, answer)
    delivery.save(
        update_fields=[
            "attempts", "last_status_code", "state", "next_attempt_at", "delivered_at",
            "updated_at",
        ]
    )  # fmt: skip


def _locked_with_endpoint(
    delivery_id: int,
) -> tuple[WebhookEndpoint, WebhookDelivery] | None:
    """The delivery and its endpoint, each locked, the endpoint first; None for a delivery
    that is no more. Caller holds a transaction."""
    endpoint_id = (
        WebhookDelivery.objects.filter(pk=delivery_id).values_list("endpoint_id", flat=True).first()
    )
    endpoint = endpoint_for_update(endpoint_id)
    delivery = delivery_for_update(delivery_id)
    if endpoint is None or delivery is None:
        return None
    return endpoint, delivery


def _delivered(delivery: WebhookDelivery, endpoint: WebhookEndpoint) -> None:
    """Caller holds the endpoint's and the delivery's locks."""
    delivery.state = DeliveryState.SUCCEEDED
    delivery.delivered_at = timezone.now()
    delivery.next_attempt_at = None
    if endpoint.failing_since is not None:
        endpoint.failing_since = None
        endpoint.save(update_fields=["failing_since", "updated_at"])


def _failed(delivery: WebhookDelivery, endpoint: WebhookEndpoint, answer: _Answer) -> None:
    """A pending delivery's attempt failed: try again on SCHEDULE (or when its Retry-After
    asks, if later), or give up (disabling the endpoint where it asked for no more or has
    failed for too long). Caller holds the endpoint's and the delivery's locks."""
    now = timezone.now()
    if endpoint.failing_since is None:
        endpoint.failing_since = now
        endpoint.save(update_fields=["failing_since", "updated_at"])
    reason = _disabling_reason(endpoint, answer, now)
    if reason:
        endpoint_disable_locked(endpoint=endpoint, reason=reason)
    if reason or delivery.attempts > len(SCHEDULE):
        delivery.state, delivery.next_attempt_at = DeliveryState.FAILED, None
        return
    wait = SCHEDULE[delivery.attempts - 1] * random.uniform(*JITTER)
    delivery.next_attempt_at = now + max(wait, answer.retry_after or wait)
    if delivery.next_attempt_at - now <= TIMER_LIMIT:
        delivery_attempt_task.apply_async_on_commit((delivery.pk,), eta=delivery.next_attempt_at)


def _disabling_reason(endpoint: WebhookEndpoint, answer: _Answer, now: datetime) -> str:
    """Why the endpoint is disabled after this failed attempt, or "" when it is not."""
    if answer.status_code == 410:
        return gone_reason(now)
    days = settings.WEBHOOK_DISABLE_AFTER_DAYS
    if now - endpoint.failing_since <= timedelta(days=days):
        return ""
    return (
        f"Every delivery failed from {endpoint.failing_since:%Y-%m-%d %H:%M} UTC to "
        f"{now:%Y-%m-%d %H:%M} UTC, more than {days:g} days; the last: {answer.summary}"
    )


def gone_reason(at: datetime) -> str:
    """Why an endpoint whose receiver answered 410 at `at` is disabled."""
    return (
        f"The receiver answered 410 Gone on {at:%Y-%m-%d %H:%M} UTC: it asked for no more "
        "deliveries."
    )


@transaction.atomic(durable=True)
def delivery_redeliver(*, delivery_id: int) -> WebhookDelivery:
    """Send a delivered or failed delivery again, now: a new attempt, with the same webhook-id
    and its tries counting on (a failure is retried as its schedule stands, or fails it again
    when the schedule is spent). Refused (409) while it is still being tried, or while its
    endpoint is disabled; 404 for no such delivery."""
    locked = _locked_with_endpoint(delivery_id)
    if locked is None:
        raise ApplicationError("No such delivery.", code="not_found", status=404)
    endpoint, delivery = locked
    if not endpoint.is_active:
        raise ApplicationError(
            "The endpoint is disabled: enable it before redelivering.",
            code="endpoint_disabled",
            status=409,
        )
    if delivery.state == DeliveryState.PENDING:
        raise ApplicationError(
            "The delivery is still being tried: its next attempt is "
            f"{delivery.next_attempt_at:%Y-%m-%d %H:%M:%S} UTC.",
            code="delivery_pending",
            status=409,
        )
    delivery.state = DeliveryState.PENDING
    delivery.next_attempt_at = timezone.now()
    delivery.save(update_fields=["state", "next_attempt_at", "updated_at"])
    delivery_attempt_task.delay_on_commit(delivery.pk)
    return delivery


def webhooks_sweep() -> int:
    """Queue again what lost tasks left: the outbox rows not fanned out and the deliveries
    past their time (their task was lost with a broker or a worker, or their worker died
    mid-post and its claim ran out). Returns how many deliveries it queued. Harmless twice and
    beside a late task: each claims its row first."""
    before = timezone.now() - STALE_AFTER
    if OutboxEvent.objects.filter(dispatched_at__isnull=True, occurred_at__lt=before).exists():
        outbox_dispatch_task.delay()
    overdue = list(
        WebhookDelivery.objects.filter(state=DeliveryState.PENDING, next_attempt_at__lt=before)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:SWEEP_LIMIT]
    )
    for delivery_id in overdue:
        delivery_attempt_task.delay(delivery_id)
    return len(overdue)


def webhooks_prune() -> int:
    """Delete the events older than WEBHOOK_RETENTION_DAYS with their deliveries and the
    attempts' log, but for events with a delivery still pending. Returns how many events."""
    before = timezone.now() - timedelta(days=settings.WEBHOOK_RETENTION_DAYS)
    pending = WebhookDelivery.objects.filter(event=OuterRef("pk"), state=DeliveryState.PENDING)
    old = OutboxEvent.objects.filter(dispatched_at__isnull=False, occurred_at__lt=before).exclude(
        Exists(pending)
    )
    pruned = 0
    while ids := list(old.values_list("pk", flat=True)[:PRUNE_BATCH]):
        with transaction.atomic(durable=True):
            WebhookAttempt.objects.filter(delivery__event_id__in=ids).delete()
            WebhookDelivery.objects.filter(event_id__in=ids).delete()
            OutboxEvent.objects.filter(pk__in=ids).delete()
        pruned += len(ids)
    return pruned
