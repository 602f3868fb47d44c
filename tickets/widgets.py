"""The Ticket widget of the activity screen: the assigned ticket, or a search with the
combinable filters to assign one, a form for a new one, and the customer journey."""

from django.http import HttpRequest

from contactcenter.models import Activity, QueueWidget, WidgetKind
from contactcenter.widgets import Widget
from tickets.forms import TicketForm
from tickets.selectors import journey, tickets_for

SHOWN = 20


def ticket_widget_context(request: HttpRequest, activity: Activity, _: QueueWidget) -> dict:
    """What the widget shows now: `?view=new` the form, `?view=journey` the journey, else the
    assigned ticket or the search (filters from the query string)."""
    view = request.GET.get("view", "")
    contact = activity.contact
    if view == "new":
        return {"mode": "new", "form": new_ticket_form(activity)}
    if view == "journey" and contact is not None:
        return {"mode": "journey", "steps": journey(contact)}
    if activity.ticket is not None:
        return {"mode": "assigned", "ticket": activity.ticket}
    filters = {name: request.GET.get(name) == "on" for name in ("favourites", "mine", "contact",
                                                                "account")}  # fmt: skip
    query = request.GET.get("q", "").strip()
    account_id = contact.account_id if contact else None
    tickets = tickets_for(
        request.user,
        search=query,
        favourites=filters["favourites"],
        mine=filters["mine"],
        contact_id=contact.pk if filters["contact"] and contact else None,
        account_id=account_id if filters["account"] and account_id else None,
    )[:SHOWN]
    return {"mode": "search", "tickets": tickets, "filters": filters, "query": query}


def new_ticket_form(activity: Activity, data=None) -> TicketForm:
    """A new ticket's form filled in from the activity: its customer, contact and account."""
    contact = activity.contact
    initial = {
        "title": f"{activity.title}: ",
        "contact": contact.pk if contact else None,
        "account": contact.account_id if contact else None,
    }
    return TicketForm(data, initial=initial, auto_id=f"ticket-{activity.pk}-%s")


WIDGETS = {WidgetKind.TICKET: Widget("tickets/widgets/ticket.html", ticket_widget_context)}
