"""Celery tasks of the core: interfaces that take ids and call services.

Every one is idempotent (the service re-checks state under its lock), so a task delivered twice,
or late, or both as a timer and by its sweep, changes things once. Services are imported inside
the bodies: the services import these tasks to enqueue them.
"""

from celery import shared_task


@shared_task(acks_late=True, ignore_result=True)
def agent_route(agent_id: int) -> None:
    """An agent may have become eligible: route what waits in their queues."""
    from contactcenter.services.routing import agent_route as route

    route(agent_id=agent_id)


@shared_task(acks_late=True, ignore_result=True)
def offer_expire(offer_id: int) -> None:
    """The offer's deadline (scheduled with its ETA); a no-op once it was answered."""
    from contactcenter.services.offers import offer_expire as expire

    expire(offer_id=offer_id)


@shared_task(acks_late=True, ignore_result=True)
def offers_expire_overdue() -> None:
    """Beat: expire offers whose deadline task was lost."""
    from contactcenter.services.offers import offers_expire_overdue as sweep

    sweep()


@shared_task(acks_late=True, ignore_result=True)
def activities_route_waiting() -> None:
    """Beat: route activities left waiting unoffered."""
    from contactcenter.services.routing import activities_route_waiting as sweep

    sweep()


@shared_task(acks_late=True, ignore_result=True)
def activity_resume_due(activity_id: int) -> None:
    """A postponement's time (scheduled with its ETA)."""
    from contactcenter.services.activities import activity_resume_due as resume

    resume(activity_id=activity_id)


@shared_task(acks_late=True, ignore_result=True)
def activities_resume_due() -> None:
    """Beat: resume postponed activities whose timer was lost."""
    from contactcenter.services.activities import activities_resume_due as sweep

    sweep()


@shared_task(acks_late=True, ignore_result=True)
def reminder_due(activity_id: int, awaiting_since: str) -> None:
    """The delayed reminder of one unanswered customer message."""
    from contactcenter.services.reminders import reminder_unanswered

    reminder_unanswered(activity_id=activity_id, awaiting_since=awaiting_since)


@shared_task(acks_late=True, ignore_result=True)
def presence_settle(agent_id: int) -> None:
    """After a disconnect's grace period: offline unless a page of theirs is connected again."""
    from contactcenter.services.presence import presence_settle as settle

    settle(agent_id=agent_id)


@shared_task(acks_late=True, ignore_result=True)
def presence_sweep() -> None:
    """Beat: agents marked online whose pages all died without closing (a server crash)."""
    from contactcenter.services.presence import presence_sweep as sweep

    sweep()
