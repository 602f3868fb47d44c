"""Read queries of tickets: the filters of the ticket widget and module, combinable."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When

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
