"""An activity's life from the queue on: waiting, taken, postponed and resumed, marked, closed.

Each public service locks the activity (`lock_objects`), checks the actor may act, writes,
records an `ActivityEvent` (the chat's history) and publishes on commit.

Who acts (`Actor`) is an agent, in the activities they take part in; or, through the API, an
integration account (`is_integration`), in any activity. Services open to both take `agent=`
or `actor=` and run the same checks and writes for either: only the test of who may act
differs, and the history names the user.
"""

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from contactcenter import events
from contactcenter.exceptions import ApplicationError
from contactcenter.lock_objects import (
    activities_of_identity_for_update,
    activity_for_update,
    agent_for_update,
)
from contactcenter.models import (
    Activity,
    ActivityEvent,
    ActivityState,
    Agent,
    EventKind,
    Offer,
    OfferOutcome,
    Participant,
    QueueMembership,
)
from contactcenter.outbox import (
    activity_accepted_data,
    activity_closed_data,
    by_actor,
    outbox_record,
)
from contactcenter.permissions import is_integration
from contactcenter.ports import ports
from contactcenter.selectors import participant_ids
from contactcenter.services.offers import activity_open_for, offer_revoke_pending
from contactcenter.tasks import activity_resume_due as activity_resume_due_task
from contactcenter.tasks import agent_route as agent_route_task

Actor = Agent | AbstractBaseUser


def acting(agent: Agent | None, actor: AbstractBaseUser | None) -> Actor:
    """Who acts, of a service's `agent=` and `actor=` arguments: exactly one is given."""
    if (agent is None) == (actor is None):
        raise TypeError("Name who acts: an agent or an integration account.")
    return agent if agent is not None else actor


def activity_note_agent_reply(*, activity: Activity) -> None:
    """An agent wrote to the customer: nothing is waiting for a reply any more (reminders stop),
    and the first reply's time is kept for the reports. Caller holds a transaction."""
    now = timezone.now()
    Activity.objects.filter(
        Q(awaiting_reply_since__isnull=False) | Q(first_reply_at__isnull=True), pk=activity.pk
    ).update(awaiting_reply_since=None, first_reply_at=Coalesce("first_reply_at", Value(now)))


def activities_customer_named(*, identity_id: int, bare_title: str, title: str) -> None:
    """The channel learned the name of a customer it knew only by id: their activities still
    titled `bare_title` (the id) take `title`, and every page showing one that is not closed
    draws it again after the commit (its participants' and the notification ringing for it
    hear activity.updated, its queue's waiting list waiting.changed while it waits).

    Caller holds a transaction in which the customer's name changed. Idempotent."""
    for activity in activities_of_identity_for_update(identity_id):
        if activity.title == bare_title:
            activity.title = title
            activity.save(update_fields=["title", "updated_at"])
        if activity.state == ActivityState.CLOSED:
            continue
        ringing = Offer.objects.filter(activity=activity, outcome=OfferOutcome.PENDING)
        agent_ids = {*participant_ids(activity), *ringing.values_list("agent_id", flat=True)}
        events.activity_changed(events.ACTIVITY_UPDATED, activity.pk, sorted(agent_ids))
        if activity.state == ActivityState.WAITING:
            events.waiting_list_changed(activity.pk, activity.queue_id)


@transaction.atomic(durable=True)
def activity_take(*, activity_id: int, agent: Agent) -> Activity:
    """The agent accepts a waiting activity from the waiting list of one of their queues (logged
    in or not); a colleague's notification for it is withdrawn.

    Refused with 404 outside the agent's queues, 409 once it is no longer waiting. Capacity is
    not checked: taking is the agent's deliberate choice.
    """
    activity = _locked(activity_id)
    if not QueueMembership.objects.filter(agent=agent, queue=activity.queue_id).exists():
        raise _not_found()
    if activity.state != ActivityState.WAITING:
        raise ApplicationError(
            "Another agent has already taken this activity.", code="not_waiting", status=409
        )
    offer_revoke_pending(activity)
    agent_for_update(agent.pk)
    activity_open_for(activity=activity, agent=agent, kind=EventKind.ACCEPTED)
    events.waiting_list_changed(activity.pk, activity.queue_id)
    accepted = activity_accepted_data(activity, agent=agent, offer=None)
    outbox_record(type="activity.accepted", data=accepted)
    return activity


@transaction.atomic(durable=True)
def activity_postpone(*, activity_id: int, agent: Agent, until: datetime | None = None) -> None:
    """Park an open activity: it leaves the agent's tabs for their postponed list, no longer
    counts against their capacity, and, given `until`, comes back by itself at that time with a
    reminder. Refused unless the agent owns it and it is open; `until` must be in the future."""
    activity = activity_lock_owned(activity_id, agent, ActivityState.OPEN)
    if until is not None and until <= timezone.now():
        raise ApplicationError("Choose a time in the future.", code="until_in_past")
    activity.state = ActivityState.POSTPONED
    activity.postponed_until = until
    activity.save(update_fields=["state", "postponed_until", "updated_at"])
    data = {"until": until.isoformat()} if until else {}
    event_record(activity, EventKind.POSTPONED, agent, data)
    if until is not None:
        activity_resume_due_task.apply_async_on_commit(args=[activity.pk], eta=until)
    agent_route_task.delay_on_commit(agent.pk)


@transaction.atomic(durable=True)
def activity_resume(*, activity_id: int, agent: Agent) -> None:
    """Bring a postponed activity back to the agent's tabs. Refused unless they own it and it is
    postponed."""
    activity = activity_lock_owned(activity_id, agent, ActivityState.POSTPONED)
    _resume(activity, actor=agent)


@transaction.atomic(durable=True)
def activity_resume_due(*, activity_id: int) -> bool:
    """A postponement's time has come: the activity comes back to its owner with a reminder.
    Idempotent (the timer and the sweep both call it); returns whether it resumed."""
    activity = activity_for_update(activity_id)
    if (
        activity is None
        or activity.state != ActivityState.POSTPONED
        or activity.postponed_until is None
        or activity.postponed_until > timezone.now()
    ):
        return False
    _resume(activity, actor=None)
    events.reminder(
        [activity.owner_id], activity_id=activity.pk, title=activity.title, reason="postponed_due"
    )
    return True


def activities_resume_due() -> int:
    """The sweep behind the postponement timers."""
    due = Activity.objects.filter(
        state=ActivityState.POSTPONED, postponed_until__lte=timezone.now()
    ).values_list("pk", flat=True)
    return sum(activity_resume_due(activity_id=pk) for pk in list(due))


@transaction.atomic(durable=True)
def activity_set_status(*, activity_id: int, agent: Agent, status_id: int | None) -> None:
    """Choose the activity's status (disposition) from its queue's allowed statuses."""
    activity = activity_lock_owned(activity_id, agent, ActivityState.OPEN, ActivityState.POSTPONED)
    _apply_status(activity, agent, status_id)


@transaction.atomic(durable=True)
def activity_set_important(*, activity_id: int, agent: Agent, important: bool) -> None:
    """Flag or unflag the activity as important, for everyone taking part."""
    activity = activity_lock_taking_part(activity_id, agent)
    if activity.important == important:
        return
    activity.important = important
    activity.save(update_fields=["important", "updated_at"])
    event_record(activity, EventKind.IMPORTANT, agent, {"important": important})


@transaction.atomic(durable=True)
def activity_close(
    *,
    activity_id: int,
    agent: Agent | None = None,
    actor: AbstractBaseUser | None = None,
    status_id: int | None = None,
) -> None:
    """Close the activity with a status from its queue's allowed statuses (given here or chosen
    before). Refused with a clear error when the queue has statuses and none of them is chosen;
    a queue without statuses closes without one. Everyone taking part leaves; an invitation still
    ringing is withdrawn; the owner is routed again.

    The `agent` who owns it closes it open or postponed; an integration account (`actor`)
    closes it in any state but closed (a waiting one leaves its queue's waiting list)."""
    who = acting(agent, actor)
    states = [ActivityState.OPEN, ActivityState.POSTPONED]
    if not isinstance(who, Agent):
        states.append(ActivityState.WAITING)
    activity = activity_lock_owned(activity_id, who, *states)
    activity_close_locked(activity, actor=who, status_id=status_id)


def activity_close_locked(activity: Activity, *, actor: Actor, status_id: int | None) -> None:
    """`activity_close` once the activity is locked and `actor` may close it: caller holds
    `activity_for_update(activity.pk)` (or created the activity in its transaction)."""
    waiting = activity.state == ActivityState.WAITING
    if status_id is not None:
        _apply_status(activity, actor, status_id)
    allowed = list(activity.queue.statuses.values_list("pk", "name"))
    if allowed and activity.status_id not in {pk for pk, _ in allowed}:
        names = ", ".join(name for _, name in allowed)
        raise ApplicationError(f"Choose a status before closing: {names}.", code="status_required")
    offer_revoke_pending(activity)
    taking_part = participant_ids(activity)
    now = timezone.now()
    activity.state = ActivityState.CLOSED
    activity.closed_at = now
    activity.postponed_until = None
    activity.save(update_fields=["state", "closed_at", "postponed_until", "updated_at"])
    Participant.objects.filter(activity=activity, left_at__isnull=True).update(left_at=now)
    ports.activity_closing(activity=activity)
    ActivityEvent.objects.create(activity=activity, kind=EventKind.CLOSED, actor=user_of(actor))
    closed = activity_closed_data(activity, closed_by=by_actor(actor))
    outbox_record(type="activity.closed", data=closed)
    events.activity_closed(taking_part, activity_id=activity.pk, reason="closed")
    if waiting:
        events.waiting_list_changed(activity.pk, activity.queue_id)
    for agent_id in taking_part:
        agent_route_task.delay_on_commit(agent_id)


def _apply_status(activity: Activity, agent: Actor, status_id: int | None) -> None:
    """Caller holds the activity's lock."""
    status = None
    if status_id is not None:
        status = activity.queue.statuses.filter(pk=status_id).first()
        if status is None:
            raise ApplicationError(
                "This status is not allowed in the activity's queue.", code="status_not_allowed"
            )
    if activity.status_id == status_id:
        return
    activity.status = status  # the object, not its id: the outbox's close event names it
    activity.save(update_fields=["status", "updated_at"])
    name = status.name if status else None
    event_record(activity, EventKind.STATUS, agent, {"status": status_id, "name": name})


def _resume(activity: Activity, *, actor: Agent | None) -> None:
    """Caller holds the activity's lock; the owner's load grows, so their row is locked too."""
    agent_for_update(activity.owner_id)
    activity.state = ActivityState.OPEN
    activity.postponed_until = None
    activity.save(update_fields=["state", "postponed_until", "updated_at"])
    event_record(activity, EventKind.RESUMED, actor, {})


def event_record(activity: Activity, kind: str, actor: Actor | None, data: dict) -> None:
    """Write the history line and tell everyone taking part how the activity looks now.
    Caller holds the activity's lock (the CRM and tickets services record through it too)."""
    ActivityEvent.objects.create(activity=activity, kind=kind, actor=user_of(actor), data=data)
    events.activity_changed(events.ACTIVITY_UPDATED, activity.pk, participant_ids(activity))


def _locked(activity_id: int) -> Activity:
    activity = activity_for_update(activity_id)
    if activity is None:
        raise _not_found()
    return activity


def user_of(actor: Actor | None) -> AbstractBaseUser | None:
    """The user who acts (the history names users): an agent's, or the actor itself."""
    return actor.user if isinstance(actor, Agent) else actor


def activity_lock_owned(activity_id: int, agent: Actor, *states: str) -> Activity:
    """The activity locked, if the agent owns it (or `agent` is an integration account) and it
    is in one of `states`. Caller holds a transaction."""
    activity = _locked(activity_id)
    if not isinstance(agent, Agent):
        _check_integration(agent)
    elif activity.owner_id != agent.pk:
        raise _not_taking_part(activity, agent)
    if activity.state not in states:
        raise ApplicationError(
            f"Not possible while the activity is {activity.get_state_display().lower()}.",
            code="wrong_state",
            status=409,
        )
    return activity


def activity_lock_taking_part(activity_id: int, agent: Actor) -> Activity:
    """The activity locked, if the agent takes part in it (404 or 403 otherwise), or, in any
    state, for an integration account. Caller holds a transaction."""
    activity = _locked(activity_id)
    if not isinstance(agent, Agent):
        _check_integration(agent)
    elif agent.pk not in participant_ids(activity):
        raise _not_taking_part(activity, agent)
    return activity


def _check_integration(user: AbstractBaseUser) -> None:
    if not is_integration(user):
        raise ApplicationError(
            "Only agents and integration accounts can do this.",
            code="not_an_agent",
            status=403,
        )


def _not_taking_part(activity: Activity, agent: Agent) -> ApplicationError:
    """404 for an activity the agent cannot see at all, 403 for one they see but do not own."""
    if not Participant.objects.filter(activity=activity, agent=agent).exists():
        return _not_found()
    return ApplicationError(
        "Only the agent who owns the activity may do this.", code="not_owner", status=403
    )


def _not_found() -> ApplicationError:
    return ApplicationError("No such activity.", code="not_found", status=404)


def activity_monitored(*, activity_id: int, supervisor) -> Activity:
    """A supervisor opens the activity to watch it silently: nobody taking part is told (no
    participant, no event to their pages, nothing to the customer); only the audit history
    keeps who watched and when. 404 for an activity that does not exist."""
    activity = Activity.objects.filter(pk=activity_id).first()
    if activity is None:
        raise _not_found()
    ActivityEvent.objects.create(activity=activity, kind=EventKind.MONITORED, actor=supervisor)
    return activity
