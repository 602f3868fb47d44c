"""Celery tasks of the core: interfaces that take ids and call services."""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, ignore_result=True)
def route_activity(activity_id: int) -> None:
    """Offer a waiting activity to an eligible agent.

    The routing service (offers, deadlines, pauses) fills this in; until then a waiting
    activity stays waiting, visible in the admin.
    """
    logger.info("activity %s is waiting for routing", activity_id)
