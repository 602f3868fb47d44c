"""Every change of the calendar: events (an agent's, a queue's, a chat's follow-up), their
reminders, and an agent's calendar settings.

`by` is the agent acting (the module, the widget, the API): they may change only events they see
(their own and their queues') and share only with a queue they are in. None: a supervisor in the
admin, who may change any. Each change publishes `calendar.changed` after its commit; a
follow-up's reminder is a task at its time, and a sweep catches the ones whose task was lost.
"""

import secrets
from datetime import datetime, timedelta
from zoneinfo import available_timezones

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from contactcenter.exceptions import ApplicationError
from contactcenter.models import Activity, Agent, Queue
from contactcenter.selectors import activities_of_agent
from crm.models import Contact
from schedule import events
from schedule.lock_objects import event_for_update, settings_for_update
from schedule.models import CalendarEvent
from schedule.selectors import feed_token_hash
from schedule.tasks import event_remind as event_remind_task

# How late the sweep still sends a reminder whose timer was lost (a longer outage: none).
REMIND_LATE_LIMIT = timedelta(hours=12)
FOLLOW_UP_LENGTH = timedelta(minutes=15)
EDITABLE = ("title", "description", "starts_at", "ends_at", "queue", "remind", "agent")


@transaction.atomic
def event_create(
    *,
    by: Agent | None,
    agent: Agent | None,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    description: str = "",
    queue: Queue | None = None,
    activity: Activity | None = None,
    contact: Contact | None = None,
    remind: bool = False,
) -> CalendarEvent:
    """A new event: `agent`'s (an agent makes only their own), shared with `queue` if given.
    With `remind`, the agent is reminded at `starts_at`, which must be to come. Publishes
    calendar.changed; schedules the reminder after the commit."""
    if by is not None and agent != by:
        raise ApplicationError("An agent makes events of their own only.", code="not_yours")
    event = CalendarEvent(
        agent=agent,
        queue=queue,
        title=title.strip(),
        description=description.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        activity=activity,
        contact=contact,
        remind=remind,
    )
    event_validate(event, by=by, timed=True)
    event.save()
    _after_change(event, queues={event.queue_id})
    return event


@transaction.atomic
def event_update(*, event_id: int, by: Agent | None, **fields) -> CalendarEvent:
    """Change the given fields (of EDITABLE; an agent cannot give an event away). A new start
    time arms the reminder again. Publishes calendar.changed to whoever saw it before or sees
    it now."""
    allowed = set(EDITABLE) - ({"agent"} if by is not None else set())
    unknown = set(fields) - allowed
    if unknown:
        raise ApplicationError(f"{', '.join(sorted(unknown))} cannot be changed.", code="invalid")
    event = _locked(event_id, by=by)
    before = {"queue": event.queue_id, "agent": event.agent_id, "starts_at": event.starts_at,
              "remind": event.remind}  # fmt: skip
    for name, value in fields.items():
        setattr(event, name, value.strip() if isinstance(value, str) else value)
    retimed = event.starts_at != before["starts_at"] or (event.remind and not before["remind"])
    if retimed:
        event.reminded_at = None
    event_validate(event, by=by, timed=retimed and event.reminded_at is None)
    event.save()
    if before["agent"] and before["agent"] != event.agent_id:
        events.calendar_changed(event.pk, agent_id=before["agent"], queue_ids=set())
    _after_change(event, queues={before["queue"], event.queue_id}, schedule=retimed)
    return event


@transaction.atomic
def event_delete(*, event_id: int, by: Agent | None) -> None:
    """Delete the event; its reminder, if still to come, will find nothing and do nothing."""
    event = _locked(event_id, by=by, deleting=True)
    agent_id, queue_id = event.agent_id, event.queue_id
    event.delete()
    events.calendar_changed(event_id, agent_id=agent_id, queue_ids={queue_id})


@transaction.atomic
def follow_up_create(
    *, agent: Agent, activity_id: int, starts_at: datetime, note: str = ""
) -> CalendarEvent:
    """From a chat the agent takes part in: a private event at `starts_at` that follows up the
    chat and its contact, and reminds them then."""
    activity = activities_of_agent(agent).filter(pk=activity_id).first()
    if activity is None:
        raise ApplicationError("You do not take part in this chat.", code="not_found", status=404)
    customer = activity.contact.name if activity.contact else activity.title
    return event_create(
        by=agent,
        agent=agent,
        title=f"Follow up: {customer}"[:200],
        description=note,
        starts_at=starts_at,
        ends_at=starts_at + FOLLOW_UP_LENGTH,
        activity=activity,
        contact=activity.contact,
        remind=True,
    )


@transaction.atomic(durable=True)
def event_remind(*, event_id: int) -> bool:
    """The event's time has come: remind its agent, once. Idempotent: nothing for an event
    deleted, not yet due (moved later), without a reminder, or reminded already. Returns
    whether it reminded."""
    event = event_for_update(event_id)
    now = timezone.now()
    if event is None or not event.remind or event.reminded_at or event.starts_at > now:
        return False
    event.reminded_at = now
    event.save(update_fields=["reminded_at"])
    activity = event.activity
    open_for_agent = (
        activity is not None and activities_of_agent(event.agent).filter(pk=activity.pk).exists()
    )
    events.calendar_reminder(
        event.agent_id,
        calendar_event_id=event.pk,
        title=event.title,
        description=event.description,
        starts_at=event.starts_at.isoformat(),
        activity_id=activity.pk if open_for_agent else None,
        customer=None if open_for_agent else _customer(event),
    )
    return True


def events_remind_due() -> int:
    """The sweep: remind every due follow-up whose timer was lost, up to REMIND_LATE_LIMIT
    late. Returns how many it reminded."""
    now = timezone.now()
    due = CalendarEvent.objects.filter(
        remind=True,
        reminded_at__isnull=True,
        starts_at__lte=now,
        starts_at__gte=now - REMIND_LATE_LIMIT,
    ).values_list("pk", flat=True)
    return sum(event_remind(event_id=event_id) for event_id in list(due))


def _customer(event: CalendarEvent) -> dict | None:
    """Whom a new message reaches: the chat's channel and customer, else the contact's most
    recent one."""
    identity = event.activity.identity if event.activity else None
    if identity is None and event.contact is not None:
        identity = event.contact.identities.order_by("-last_inbound_at", "-pk").first()
    if identity is None:
        return None
    name = event.contact.name if event.contact else identity.display_name
    return {
        "provider": identity.channel_account.provider,
        "identity_id": identity.pk,
        "name": name or identity.provider_user_id,
    }


def _locked(event_id: int, *, by: Agent | None, deleting: bool = False) -> CalendarEvent:
    event = event_for_update(event_id, deleting=deleting)
    if event is None or (by is not None and not _sees(by, event)):
        raise ApplicationError("No such event.", code="not_found", status=404)
    return event


def _sees(agent: Agent, event: CalendarEvent) -> bool:
    return event.agent_id == agent.pk or (
        event.queue_id is not None and agent.memberships.filter(queue_id=event.queue_id).exists()
    )


def event_validate(event: CalendarEvent, *, by: Agent | None, timed: bool) -> None:
    """The rules a form or the API may break, as ApplicationError (the admin's form checks
    with it before saving). `timed`: the reminder's time is new, so it must be to come."""
    if not event.title:
        raise ApplicationError("An event needs a title.", code="title_required")
    if event.ends_at < event.starts_at:
        raise ApplicationError("An event cannot end before it starts.", code="ends_before_start")
    if event.agent is None and event.queue is None:
        raise ApplicationError("An event belongs to an agent or a queue.", code="no_owner")
    shared = event.queue_id is not None
    if by is not None and shared and not by.memberships.filter(queue_id=event.queue_id).exists():
        raise ApplicationError("Share events only with your queues.", code="not_your_queue")
    if event.remind and event.agent is None:
        raise ApplicationError("Only an agent's event can remind them.", code="no_agent")
    if event.remind and timed and event.starts_at <= timezone.now():
        raise ApplicationError("A reminder needs a time to come.", code="reminder_in_past")
    try:
        event.full_clean(validate_constraints=False)
    except ValidationError as exc:
        raise ApplicationError(" ".join(exc.messages), code="invalid") from exc


def _after_change(event: CalendarEvent, *, queues: set, schedule: bool = True) -> None:
    events.calendar_changed(event.pk, agent_id=event.agent_id, queue_ids=queues)
    if schedule and event.remind and event.reminded_at is None:
        # A timer lost with the broker (down, or not started yet when the demo loads) costs
        # nothing: the sweep sends the reminder on time all the same.
        event_remind_task.apply_async_on_commit(args=[event.pk], eta=event.starts_at)


def time_zone_checked(name: str) -> str:
    """An IANA time zone's name, or empty (the server's), or ApplicationError."""
    name = name.strip()
    if name and name not in available_timezones():
        raise ApplicationError(f"Unknown time zone: {name}.", code="unknown_time_zone")
    return name


@transaction.atomic
def calendar_settings_update(*, agent: Agent, time_zone: str) -> None:
    """The agent's time zone (an IANA name; empty: the server's)."""
    row = settings_for_update(agent)
    row.time_zone = time_zone_checked(time_zone)
    row.save(update_fields=["time_zone", "updated_at"])
    agent.__dict__.pop("_calendar_zone", None)


@transaction.atomic
def feed_token_reset(*, agent: Agent) -> str:
    """A new secret for the agent's private feed; the old address stops working. Returns the
    secret, which is not kept (only its hash): show it now."""
    token = secrets.token_urlsafe(32)
    row = settings_for_update(agent)
    row.feed_token_hash = feed_token_hash(token)
    row.save(update_fields=["feed_token_hash", "updated_at"])
    return token
