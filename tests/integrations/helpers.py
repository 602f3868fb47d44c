"""What the webhook tests share: an endpoint on a receiver of this machine (a real HTTP server
that keeps what it was sent, `ScriptedServer`), the check every delivery it got must pass (the
`standardwebhooks` package, a receiver's library, not ours), and the clock of a delivery's next
attempt moved to now."""

from datetime import timedelta

from django.utils import timezone
from standardwebhooks import Webhook

from contactcenter.outbox import outbox_record
from integrations.models import DeliveryState, WebhookDelivery, WebhookEndpoint
from integrations.services.deliveries import delivery_attempt, outbox_dispatch
from integrations.services.endpoints import endpoint_create
from tests.factories import SupervisorFactory
from tests.messaging.scripted_server import Recorded, ScriptedServer

CONTACT = {"contact_id": 7, "name": "Sheena Nelson", "emails": ["sheena@acme.example"]}


def endpoint_on(receiver: ScriptedServer, *types: str) -> WebhookEndpoint:
    """An endpoint a supervisor made for `receiver`, wanting `types` (default: contacts made)."""
    return endpoint_create(
        actor=SupervisorFactory(),
        url=f"{receiver.url}/hooks",
        event_types=types or ["contact.created"],
    )


def verified(request: Recorded, secret: str) -> dict:
    """The payload of a delivery the receiver got, as `standardwebhooks` verifies it against
    the secret (it raises WebhookVerificationError for one that fails)."""
    return Webhook(secret).verify(request.body, request.headers)


def event_fanned_out(type: str = "contact.created", data: dict = CONTACT) -> list[WebhookDelivery]:
    """An event recorded as a change records it, fanned out as the task does; its deliveries."""
    event = outbox_record(type=type, data=data)
    outbox_dispatch()
    return list(event.deliveries.order_by("pk"))


def attempt_now(delivery: WebhookDelivery) -> WebhookDelivery:
    """The delivery's next attempt, made now (as its task or the sweep would at its time): a
    pending one's time is moved to now, and its task's service runs."""
    WebhookDelivery.objects.filter(pk=delivery.pk, state=DeliveryState.PENDING).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    return delivery
