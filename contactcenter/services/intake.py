"""How an activity begins: a customer writes, or an agent starts a conversation.

The channel's app keeps what is its own (the customer's identity on the channel, the message and
its files) and calls these for everything the activity goes through, in the order set here.
"""

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import DateTimeField, F, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from contactcenter import events
from contactcenter.exceptions import ApplicationError
from contactcenter.lock_objects import agent_for_update
from contactcenter.models import (
    Activity,
    ActivityEvent,
    ActivityState,
    Agent,
    EventKind,
    Participant,
    ParticipantRole,
    Queue,
)
from contactcenter.outbox import (
    activity_created_data,
    by_actor,
    by_customer,
    outbox_record,
)
from contactcenter.ports import ports
from contactcenter.services.activities import acting, user_of
from contactcenter.services.reminders import reminders_after_customer_message
from contactcenter.services.routing import activity_route_new

Stored = TypeVar("Stored")


def activity_customer_wrote(
    *,
    identity,
    channel_account,
    queue: Queue,
    title: str,
    sent_at: datetime,
    store: Callable[[Activity, bool], Stored],
    first_contact: bool = False,
) -> tuple[Activity, bool, Stored]:
    """A customer wrote on a channel: the message joins their activity that is not closed, or
    opens a new one waiting in `queue`. Returns the activity, whether it is new, and what
    `store` returned. `first_contact`: the caller's transaction has just created the identity,
    which can have no activity yet, so none is looked for.

    In this order: a new activity records `queued`, is paired with the customer's CRM contact
    (`ports.contact_pair`) and is reported to integrators, an existing one notes the customer's
    message times; then `store(activity, new)` keeps the message (the caller's part); then the
    reminders are scheduled; last, a new activity rings an agent, in this transaction, so the
    message and its notification commit together (routing holds the agent it rings until the
    commit).

    Caller holds a transaction. The database allows one activity that is not closed per
    identity: a concurrent first message of the same customer raises IntegrityError, and the
    caller applies the message again (it then finds the winner's activity).
    """
    activity = None if first_contact else _unclosed_activity_of(identity)
    new = activity is None
    if new:
        activity = _create_waiting(queue, channel_account, identity, title, sent_at)
        ports.contact_pair(activity=activity)
        started_by = by_customer(identity)
        outbox_record(
            type="activity.created", data=activity_created_data(activity, started_by=started_by)
        )
    else:
        _note_customer_message(activity, sent_at)
    stored = store(activity, new)
    reminders_after_customer_message(activity=activity, sent_at=sent_at)
    if new:
        activity_route_new(activity)
    return activity, new, stored


def _unclosed_activity_of(identity) -> Activity | None:
    return (
        Activity.objects.select_related("queue")
        .filter(identity=identity)
        .exclude(state=ActivityState.CLOSED)
        .first()
    )


def _create_waiting(queue, channel_account, identity, title, sent_at) -> Activity:
    activity = Activity.objects.create(
        queue=queue,
        channel_account=channel_account,
        identity=identity,
        title=title,
        first_customer_message_at=sent_at,
        last_customer_message_at=sent_at,
        awaiting_reply_since=sent_at,
    )
    ActivityEvent.objects.create(activity=activity, kind=EventKind.QUEUED)
    return activity


def _note_customer_message(activity: Activity, sent_at: datetime) -> None:
    """First and last customer message times, and the start of the wait for a reply: one
    UPDATE computed in the database, so concurrent or late messages never move a time the
    wrong way."""
    at = Value(sent_at, output_field=DateTimeField())
    Activity.objects.filter(pk=activity.pk).update(
        first_customer_message_at=Coalesce(F("first_customer_message_at"), at),
        last_customer_message_at=Greatest(Coalesce(F("last_customer_message_at"), at), at),
        awaiting_reply_since=Coalesce(F("awaiting_reply_since"), at),
    )


def activity_start(
    *,
    agent: Agent | None = None,
    actor: AbstractBaseUser | None = None,
    queue: Queue,
    channel_account,
    identity,
    title: str,
    ticket_id: int | None = None,
) -> Activity:
    """An agent starts a conversation with a customer: the activity opens at once for them (a
    new tab), with `started` in its history, assigned to the ticket `ticket_id` when it was
    started from that ticket (so the ticket lists it, as one the agent assigned by hand).
    Started by an integration account (`actor`), it waits in `queue` instead, offered to
    nobody: the caller routes or closes it in its transaction. Either way we wrote first
    (`started_by_agent`): the reports' figures of customers' chats leave it out.

    Caller holds a transaction and has checked that the agent may write to the customer in
    `queue`. The agent's row is locked (their load grows: routing checks capacity under that
    lock). Refused (409) when the customer has an activity that is not closed.
    """
    user = user_of(acting(agent, actor))
    ticket = _ticket(ticket_id)
    now = timezone.now()
    taken = {}
    if agent is not None:
        agent_for_update(agent.pk)
        taken = {"owner": agent, "state": ActivityState.OPEN, "accepted_at": now}
    try:
        with transaction.atomic():
            activity = Activity.objects.create(
                queue=queue,
                channel_account=channel_account,
                identity=identity,
                contact_id=identity.contact_id,
                title=title,
                ticket=ticket,
                queued_at=now,
                started_by_agent=True,
                **taken,
            )
    except IntegrityError as exc:  # one activity that is not closed per customer
        raise ApplicationError(
            "This customer already has a conversation that is not closed: find it in your tabs "
            "or the waiting activities.",
            code="conversation_open",
            status=409,
        ) from exc
    if agent is not None:
        Participant.objects.create(
            activity=activity, agent=agent, role=ParticipantRole.OWNER, joined_at=now
        )
        events.activity_changed(events.ACTIVITY_OPENED, activity.pk, [agent.pk])
    ActivityEvent.objects.create(activity=activity, kind=EventKind.STARTED, actor=user, agent=agent)
    if ticket is not None:
        ActivityEvent.objects.create(
            activity=activity,
            kind=EventKind.TICKET,
            actor=user,
            data={"ticket": ticket.pk, "title": ticket.title},
        )
    started_by = by_actor(acting(agent, actor))
    outbox_record(
        type="activity.created", data=activity_created_data(activity, started_by=started_by)
    )
    return activity


def _ticket(ticket_id: int | None):
    """The ticket a new activity is started from: looked up through the activity's field, as
    the core knows the tickets app only by that relation."""
    if ticket_id is None:
        return None
    ticket = Activity.ticket.field.related_model.objects.filter(pk=ticket_id).first()
    if ticket is None:
        raise ApplicationError("No such ticket.", code="not_found", status=404)
    return ticket
