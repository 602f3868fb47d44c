"""Every change of tickets, and assigning activities to them.

Deadlines come from the account's SLA, counted from when the ticket was opened: they follow the
account (a ticket moved to another account gets that account's), and are empty without one.
"""

from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from contactcenter.exceptions import ApplicationError
from contactcenter.models import Agent, EventKind
from contactcenter.outbox import fields_changed, outbox_record
from contactcenter.services.activities import acting, activity_lock_taking_part, event_record
from crm.models import Account, Contact
from tickets.models import Category, Stage, Ticket
from tickets.outbox import TICKET_FIELDS, ticket_data


@transaction.atomic
def ticket_create(
    *,
    actor: AbstractBaseUser,
    title: str,
    description: str = "",
    contact: Contact | None = None,
    account: Account | None = None,
    category: Category | None = None,
    priority: str = "normal",
    stage: str = Stage.OPEN,
    owner: AbstractBaseUser | None = None,
) -> Ticket:
    """Open a ticket (owned by `actor` unless said otherwise), in `stage` (one closed at once
    records when); its account defaults to the contact's, and its deadlines come from the
    account's SLA."""
    if not title.strip():
        raise ApplicationError("A ticket needs a title.", code="title_required")
    ticket = Ticket(
        title=title.strip(),
        description=description,
        contact=contact,
        account=account or (contact.account if contact else None),
        category=category,
        priority=priority,
        stage=stage,
        owner=owner or actor,
    )
    _set_closed_at(ticket)
    ticket.save()  # sets created_at, which the deadlines count from
    _set_deadlines(ticket)
    ticket.save(update_fields=["first_response_due", "resolution_due"])
    outbox_record(type="ticket.created", data=ticket_data(ticket))
    return ticket


@transaction.atomic
def ticket_update(*, ticket: Ticket, **fields) -> Ticket:
    """Change the given fields. A new account brings its SLA's deadlines; closing records when.
    Integrators hear of it when anything changed, and what."""
    before = Ticket.objects.filter(pk=ticket.pk).values(*TICKET_FIELDS).get()
    account_before = ticket.account_id
    for name, value in fields.items():
        setattr(ticket, name, value)
    if not ticket.title.strip():
        raise ApplicationError("A ticket needs a title.", code="title_required")
    if ticket.account_id != account_before:
        _set_deadlines(ticket)
    _set_closed_at(ticket)
    ticket.save()
    changed = fields_changed(ticket, before)
    if changed:
        outbox_record(type="ticket.updated", data={**ticket_data(ticket), "changed": changed})
    return ticket


def _set_closed_at(ticket: Ticket) -> None:
    if ticket.stage == Stage.CLOSED and ticket.closed_at is None:
        ticket.closed_at = timezone.now()
    elif ticket.stage != Stage.CLOSED:
        ticket.closed_at = None


def _set_deadlines(ticket: Ticket) -> None:
    sla = ticket.account.sla if ticket.account else None
    if sla is None:
        ticket.first_response_due = ticket.resolution_due = None
        return
    ticket.first_response_due = ticket.created_at + timedelta(minutes=sla.first_response_minutes)
    ticket.resolution_due = ticket.created_at + timedelta(minutes=sla.resolution_minutes)


def ticket_favourite(*, ticket: Ticket, user: AbstractBaseUser, favourite: bool) -> None:
    """Mark or unmark the ticket as one of the user's favourites. Idempotent."""
    if favourite:
        ticket.favourite_of.add(user)
    else:
        ticket.favourite_of.remove(user)


@transaction.atomic(durable=True)
def activity_assign_ticket(
    *,
    activity_id: int,
    agent: Agent | None = None,
    actor: AbstractBaseUser | None = None,
    ticket_id: int | None,
) -> None:
    """Assign the activity to a ticket (None: to none), for the agents taking part in it, and
    for an integration account (`actor`), in any state (a helpdesk filing a chat that
    has closed under the ticket it opened for it)."""
    who = acting(agent, actor)
    activity = activity_lock_taking_part(activity_id, who)
    ticket = None
    if ticket_id is not None:
        ticket = Ticket.objects.filter(pk=ticket_id).first()
        if ticket is None:
            raise ApplicationError("No such ticket.", code="not_found", status=404)
    if activity.ticket_id == ticket_id:
        return
    activity.ticket = ticket
    activity.save(update_fields=["ticket", "updated_at"])
    data = {"ticket": ticket.pk, "title": ticket.title} if ticket else {}
    event_record(activity, EventKind.TICKET, who, data)
