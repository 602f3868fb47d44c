"""What integrators' ticket events carry (the types and their examples are the core's:
contactcenter/outbox.py)."""

from tickets.models import Ticket

# The ticket's fields an update reports as `changed`.
TICKET_FIELDS = [
    "title",
    "description",
    "stage",
    "priority",
    "category_id",
    "contact_id",
    "account_id",
    "owner_id",
    "first_response_due",
    "resolution_due",
    "closed_at",
]


def ticket_data(ticket: Ticket) -> dict:
    """The ticket as saved: no query."""
    return {
        "ticket": {
            "id": ticket.pk,
            "number": ticket.number,
            **{name: getattr(ticket, name) for name in TICKET_FIELDS},
            "created_at": ticket.created_at,
            "updated_at": ticket.updated_at,
        }
    }
