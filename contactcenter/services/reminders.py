"""Reminders (the toast): a customer is waiting for an answer in an activity the agent is not
looking at. Per queue: off, once a delay after the first unanswered message, or on every new
customer message. Only agents taking part receive them, and only those with no page showing
the activity."""

from datetime import datetime, timedelta

from django.db import transaction

from contactcenter import events
from contactcenter.models import Activity, ActivityState, ReminderMode
from contactcenter.redis_client import redis_client
from contactcenter.selectors import participant_ids
from contactcenter.services.presence import agents_viewing
from contactcenter.tasks import reminder_due as reminder_due_task

# How long "this wait was already reminded" is remembered (longer than any reminder delay).
REMINDED_MEMORY = 7 * 24 * 3600


def reminders_after_customer_message(*, activity: Activity, sent_at: datetime) -> None:
    """The customer wrote in `activity` at `sent_at`: remind now, or (for the first unanswered
    message) schedule the delayed reminder, after the commit, according to the queue. Caller
    holds a transaction."""
    queue = activity.queue
    if queue.reminder_mode == ReminderMode.OFF:
        return

    def after_commit() -> None:
        fresh = Activity.objects.filter(pk=activity.pk).values("awaiting_reply_since").first()
        since = fresh and fresh["awaiting_reply_since"]
        if since is None:
            return
        if queue.reminder_mode == ReminderMode.EVERY_MESSAGE:
            reminder_send(activity_id=activity.pk, title=activity.title, reason="new_message")
        elif since == sent_at:
            reminder_due_task.apply_async(
                args=[activity.pk, since.isoformat()],
                eta=since + timedelta(seconds=queue.reminder_delay),
            )

    transaction.on_commit(after_commit, robust=True)  # a reminder lost never costs the message


def reminder_unanswered(*, activity_id: int, awaiting_since: str) -> bool:
    """The delay after the first unanswered message has passed: remind, once per wait, if the
    customer is still waiting in an open activity. Idempotent; returns whether it reminded."""
    activity = Activity.objects.filter(pk=activity_id, state=ActivityState.OPEN).first()
    if activity is None or activity.awaiting_reply_since is None:
        return False
    if activity.awaiting_reply_since.isoformat() != awaiting_since:
        return False  # answered since, and the customer wrote again: that wait has its own timer
    first_time = redis_client().set(
        f"cc:reminded:{activity_id}:{awaiting_since}", 1, nx=True, ex=REMINDED_MEMORY
    )
    if not first_time:
        return False
    reminder_send(activity_id=activity_id, title=activity.title, reason="unanswered")
    return True


def reminder_send(*, activity_id: int, title: str, reason: str) -> list[int]:
    """Push the reminder to the agents taking part who are not looking at the activity.
    Returns who was reminded."""
    agents = participant_ids(Activity(pk=activity_id))
    looking = agents_viewing(agent_ids=agents, activity_id=activity_id)
    reminded = [agent_id for agent_id in agents if agent_id not in looking]
    if reminded:
        events.reminder_now(reminded, activity_id=activity_id, title=title, reason=reason)
    return reminded
