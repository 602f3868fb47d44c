"""Read queries of tickets: the filters of the ticket widget and module, combinable."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When

from contactcenter.models import Activity
from crm.models import Contact
from crm.selectors import past_activities
from tickets.models import Priority, Ticket

SORTS = {
    "newest": ("-created_at", "-id"),
    "oldest": ("created_at", "id"),
    "due": ("resolution_due", "-id"),
    "priority": ("-priority_rank", "-id"),
}


def tickets_for(
    user: AbstractBaseUser,
    *,
    search: str = "",
    favourites: bool = False,
    mine: bool = False,
    contact_id: int | None = None,
    account_id: int | None = None,
    stage: str = "",
    sort: str = "newest",
) -> QuerySet[Ticket]:
    """Tickets matching every filter given, with what lists show (`is_favourite` for `user`)."""
    favourite = Ticket.favourite_of.through.objects.filter(ticket=OuterRef("pk"), user=user)
    tickets = Ticket.objects.select_related("contact", "account", "owner", "category").annotate(
        is_favourite=Exists(favourite)
    )
    if search:
        for word in search.split():
            condition = Q(title__icontains=word) | Q(description__icontains=word)
            if word.lstrip("#").isdigit():
                condition |= Q(pk=int(word.lstrip("#")))
            tickets = tickets.filter(condition)
    if favourites:
        tickets = tickets.filter(is_favourite=True)
    if mine:
        tickets = tickets.filter(owner=user)
    if contact_id is not None:
        tickets = tickets.filter(contact_id=contact_id)
    if account_id is not None:
        tickets = tickets.filter(account_id=account_id)
    if stage:
        tickets = tickets.filter(stage=stage)
    return _sorted(tickets, sort)


def _sorted(tickets: QuerySet[Ticket], sort: str) -> QuerySet[Ticket]:
    if sort == "priority":
        rank = Case(
            *(When(priority=name, then=Value(i)) for i, name in enumerate(Priority.values)),
            output_field=IntegerField(),
        )
        tickets = tickets.annotate(priority_rank=rank)
    return tickets.order_by(*SORTS.get(sort, SORTS["newest"]))


@dataclass(frozen=True)
class JourneyStep:
    at: datetime
    activity: Activity | None = None
    ticket: Ticket | None = None


def journey(contact: Contact, *, limit: int = 50) -> list[JourneyStep]:
    """The contact's activities (every channel) and tickets on one timeline, newest first."""
    activities = past_activities(contact=contact, identity=None)[:limit]
    tickets = Ticket.objects.filter(contact=contact).order_by("-created_at")[:limit]
    steps = [JourneyStep(at=a.queued_at, activity=a) for a in activities]
    steps += [JourneyStep(at=t.created_at, ticket=t) for t in tickets]
    return sorted(steps, key=lambda step: step.at, reverse=True)[:limit]
