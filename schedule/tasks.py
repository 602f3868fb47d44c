"""The calendar's Celery tasks: interfaces that take ids and call services. Idempotent: the
service re-checks the event under its lock, so a reminder delivered twice, late, or both as its
timer and by the sweep, is sent once; one for an event deleted or moved since changes nothing."""

from celery import shared_task


@shared_task(acks_late=True, ignore_result=True)
def event_remind(event_id: int) -> None:
    """A follow-up's time (scheduled with its ETA)."""
    from schedule.services import event_remind as remind

    remind(event_id=event_id)


@shared_task(acks_late=True, ignore_result=True)
def events_remind_due() -> None:
    """Beat: send the reminders whose timer was lost (a broker or worker restart)."""
    from schedule.services import events_remind_due as sweep

    sweep()
