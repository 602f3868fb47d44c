"""Every row lock of the integrations, in one place, so they are always taken in one order: an
endpoint, then its deliveries; outbox rows on their own.

`no_key=True` but where a row is deleted: these rows are updated under the lock, never re-keyed,
so inserts that reference them (deliveries, attempts) are not blocked.
"""

from contactcenter.models import OutboxEvent
from integrations.models import WebhookDelivery, WebhookEndpoint


def endpoint_for_update(endpoint_id: int, *, deleting: bool = False) -> WebhookEndpoint | None:
    """With `deleting`, the stronger lock a delete takes (it removes the row's key)."""
    return (
        WebhookEndpoint.objects.filter(pk=endpoint_id)
        .select_for_update(of=("self",), no_key=not deleting)
        .first()
    )


def delivery_for_update(delivery_id: int) -> WebhookDelivery | None:
    """Caller holds the lock of the delivery's endpoint, or takes no other lock after this."""
    return (
        WebhookDelivery.objects.filter(pk=delivery_id)
        .select_related("endpoint", "event")
        .select_for_update(of=("self",), no_key=True)
        .first()
    )


def outbox_undispatched_claim(limit: int) -> list[OutboxEvent]:
    """The oldest outbox rows not yet fanned out, at most `limit`, skipping those another
    dispatcher holds: two dispatchers never fan out one row."""
    return list(
        OutboxEvent.objects.filter(dispatched_at__isnull=True)
        .order_by("pk")
        .select_for_update(of=("self",), no_key=True, skip_locked=True)[:limit]
    )
