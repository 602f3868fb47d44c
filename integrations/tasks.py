"""Celery tasks of the outgoing webhooks: interfaces that take ids and call services.

Each is idempotent (the service claims its rows before acting), so `acks_late` redelivery, a
late task beside its sweep, or both at once change things once. A delivery's retries are not
Celery's: each attempt is recorded and the next one scheduled by the service, so a task never
raises for a receiver's failure. Services are imported inside the bodies: they import these
tasks to queue them.
"""

from celery import shared_task


@shared_task(acks_late=True, ignore_result=True)
def outbox_dispatch() -> None:
    """Events were committed to the outbox: fan them out to the endpoints."""
    from integrations.services.deliveries import outbox_dispatch as dispatch

    dispatch()


@shared_task(acks_late=True, ignore_result=True)
def delivery_attempt(delivery_id: int) -> None:
    """Post a delivery that is due; a no-op for one that is not, or is being posted."""
    from integrations.services.deliveries import delivery_attempt as attempt

    attempt(delivery_id=delivery_id)


@shared_task(acks_late=True, ignore_result=True)
def webhooks_sweep() -> None:
    """Beat: queue again the outbox rows and deliveries whose task was lost."""
    from integrations.services.deliveries import webhooks_sweep as sweep

    sweep()


@shared_task(acks_late=True, ignore_result=True)
def webhooks_prune() -> None:
    """Beat: forget events, deliveries and attempts past WEBHOOK_RETENTION_DAYS."""
    from integrations.services.deliveries import webhooks_prune as prune

    prune()
