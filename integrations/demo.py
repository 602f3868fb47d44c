"""Demo webhook endpoint: the CRM of the demo's company, with a log of what was sent to it.

Its deliveries are history, written as they would have been kept: the first was delivered at
once, the second after a retry, and the third was answered 410 Gone, which disabled the
endpoint (so the demo's workers post nothing to example.com). A supervisor sees the log, the
secret and why the endpoint is disabled; enabling it with a receiver's URL sends new events.
"""

from datetime import timedelta

from django.utils import timezone

from contactcenter.demo import DemoBase
from contactcenter.models import OutboxEvent
from integrations.models import DeliveryState, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from integrations.services.deliveries import gone_reason
from integrations.signing import secret_new

DEMO_URL = "https://crm.example.com/hooks/contact-center"
# minutes ago, type, data, then each attempt: seconds after the event, status, ms, answer
DEMO_LOG = [
    (95, "activity.created", {"activity_id": 1, "queue": 100, "provider": "whatsapp"},
     [(1, 200, 84, '{"ok":true}')]),
    (60, "message.created", {"activity_id": 1, "message_id": 2, "direction": "in"},
     [(1, 503, 15002, "upstream unavailable"), (7, 200, 91, '{"ok":true}')]),
    (20, "activity.closed", {"activity_id": 1, "status": "Resolved"},
     [(1, 410, 63, "This integration was removed.")]),
]  # fmt: skip


def demo_load(base: DemoBase) -> None:
    """Create the demo endpoint and its log when missing. Idempotent."""
    if WebhookEndpoint.objects.filter(url=DEMO_URL).exists():
        return
    now = timezone.now()
    endpoint = WebhookEndpoint.objects.create(
        url=DEMO_URL,
        description="The CRM's receiver (demo)",
        event_types=["activity.created", "message.created", "activity.closed"],
        secret=secret_new(),
        is_active=False,
        disabled_reason=gone_reason(now - timedelta(minutes=20)),
        created_by=base.supervisor,
    )
    for minutes_ago, type_, data, attempts in DEMO_LOG:
        occurred_at = now - timedelta(minutes=minutes_ago)
        event = OutboxEvent.objects.create(
            type=type_, data=data, occurred_at=occurred_at, dispatched_at=occurred_at
        )
        *_, (last_after, last_status, _, _) = attempts
        delivered = last_status == 200
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint,
            event=event,
            state=DeliveryState.SUCCEEDED if delivered else DeliveryState.FAILED,
            attempts=len(attempts),
            last_status_code=last_status,
            delivered_at=occurred_at + timedelta(seconds=last_after) if delivered else None,
        )
        for after, status, duration_ms, excerpt in attempts:
            WebhookAttempt.objects.create(
                delivery=delivery,
                attempted_at=occurred_at + timedelta(seconds=after),
                status_code=status,
                duration_ms=duration_ms,
                response_excerpt=excerpt,
            )
