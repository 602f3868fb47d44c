"""Celery tasks of the simulator: its webhooks to our endpoint go out from the worker, never
from a daphne view (see `emission`)."""

from celery import Task, shared_task

MAX_RETRIES = 6


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=MAX_RETRIES)
def webhook_deliver(self: Task, webhook_id: int) -> None:
    """Post one stored webhook; retried with backoff while our endpoint does not answer, as
    providers retry. Idempotent: an accepted delivery is not posted again."""
    from simulator.emission import WebhookUnanswered
    from simulator.emission import webhook_deliver as deliver

    try:
        deliver(webhook_id=webhook_id)
    except WebhookUnanswered as exc:
        raise self.retry(exc=exc, countdown=2**self.request.retries) from exc
