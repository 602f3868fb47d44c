"""Celery tasks of messaging: interfaces that take ids and call services.

Each is idempotent (the service re-checks state before acting), so `acks_late` redelivery is
safe. Transient provider errors are retried with exponential backoff; after the last try the
agent sees the failure and why. Results are ignored: the outcome is in the database.
"""

import logging
import random

from celery import Task, shared_task

from messaging.services.errors import TransientProviderError

MAX_RETRIES = 8

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=MAX_RETRIES)
def message_deliver(self: Task, message_id: int) -> None:
    """Send a queued message through its provider."""
    from messaging.services.outbound import message_deliver as deliver
    from messaging.services.outbound import message_fail

    def give_up(exc: TransientProviderError) -> None:
        reason = f"The provider did not accept the message after {MAX_RETRIES + 1} tries ({exc})."
        message_fail(message_id=message_id, code="retries_exhausted", reason=reason)

    countdown = backoff(self.request.retries)
    _with_retries(
        self, lambda: deliver(message_id=message_id, retry_in=countdown), give_up, countdown
    )


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=MAX_RETRIES)
def attachment_download(self: Task, attachment_id: int) -> None:
    """Fetch an inbound file into our media storage."""
    from messaging.services.media import attachment_download as download
    from messaging.services.media import attachment_download_failed

    def give_up(exc: TransientProviderError) -> None:
        attachment_download_failed(
            attachment_id=attachment_id, reason=f"The provider kept failing ({exc})."
        )

    _with_retries(self, lambda: download(attachment_id=attachment_id), give_up)


def _with_retries(task: Task, work, give_up, countdown: float | None = None) -> None:
    try:
        work()
    except TransientProviderError as exc:
        if task.request.retries >= task.max_retries:
            give_up(exc)
            return
        countdown = backoff(task.request.retries) if countdown is None else countdown
        raise task.retry(exc=exc, countdown=countdown) from exc


def backoff(retries: int) -> float:
    """1 s, 2 s, 4 s ... up to 10 minutes, with jitter so retries do not stampede."""
    return min(600.0, 2.0**retries) * random.uniform(0.8, 1.2)


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=3)
def webhook_event_process(self: Task, event_id: int) -> None:
    """Apply a kept webhook delivery; after the last retry it is kept as failed, with why."""
    from messaging.services.webhooks import webhook_event_failed
    from messaging.services.webhooks import webhook_event_process as process

    try:
        process(event_id=event_id)
    except Exception as exc:
        if self.request.retries >= self.max_retries:
            webhook_event_failed(event_id=event_id, error=f"{exc.__class__.__name__}: {exc}")
            return
        raise self.retry(exc=exc, countdown=backoff(self.request.retries)) from exc


PROFILE_TRIES = 6


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=PROFILE_TRIES - 1)
def identity_profile_fetch(self: Task, identity_id: int) -> None:
    """Name a customer from their provider's profile. A refusal is asked again later (30 s,
    1 min, 2 min ... about 8 min), then given up: the customer stays shown by their id."""
    from messaging.services.profiles import identity_profile_fetch as fetch

    def give_up(exc: TransientProviderError) -> None:
        logger.warning(
            "No name for identity %s after %s tries (%s).", identity_id, PROFILE_TRIES, exc
        )

    countdown = 30.0 * 2**self.request.retries
    _with_retries(self, lambda: fetch(identity_id=identity_id), give_up, countdown)


@shared_task(acks_late=True, ignore_result=True)
def messages_requeue_stale() -> None:
    """Beat: queue again the messages of ours whose sending task was lost."""
    from messaging.services.outbound import messages_requeue_stale as requeue

    requeue()


@shared_task(acks_late=True, ignore_result=True)
def webhook_events_requeue_stale() -> None:
    """Beat: queue again the deliveries whose processing task was lost."""
    from messaging.services.webhooks import webhook_events_requeue_stale as requeue

    requeue()
