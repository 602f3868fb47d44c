"""The Ticket module of the workspace (list, detail with activities and journey, forms) and
the Ticket widget's actions. Fragments loaded with htmx; every change goes through
`tickets.services`."""

from django.core.paginator import Paginator
from django.forms.models import model_to_dict
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_POST

from contactcenter.exceptions import ApplicationError
from contactcenter.pages import agent_page
from contactcenter.selectors import activities_of_agent
from contactcenter.widgets import widget_render
from tickets import services
from tickets.forms import TicketForm
from tickets.models import Stage, Ticket
from tickets.selectors import SORTS, journey, tickets_for
from tickets.widgets import new_ticket_form

PAGE_SIZE = 25
FLAGS = ("favourites", "mine")


@agent_page
@require_GET
def ticket_list(request: HttpRequest) -> HttpResponse:
    flags = {name: request.GET.get(name) == "on" for name in FLAGS}
    query = request.GET.get("q", "").strip()
    stage = request.GET.get("stage", "")
    sort = request.GET.get("sort", "newest")
    tickets = tickets_for(request.user, search=query, stage=stage if stage in Stage else "",
                          sort=sort, **flags)  # fmt: skip
    page = Paginator(tickets, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "query": query, "flags": flags, "stage": stage, "sort": sort,
               "stages": Stage.choices, "sorts": SORTS}  # fmt: skip
    return render(request, "tickets/tickets.html", context)


@agent_page
@require_GET
def ticket_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _ticket_page(request, pk)


def _ticket_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The ticket's page (also the answer to a saved form)."""
    ticket = get_object_or_404(tickets_for(request.user), pk=pk)
    activities = ticket.activities.select_related("queue", "channel_account", "owner", "status",
                                                  "identity").order_by("-queued_at")  # fmt: skip
    contact = ticket.contact
    context = {
        "ticket": ticket,
        "activities": activities,
        "identities": contact.identities.select_related("channel_account") if contact else [],
        "steps": journey(contact) if contact else [],
    }
    return render(request, "tickets/ticket_detail.html", context)


@agent_page
def ticket_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    ticket = get_object_or_404(Ticket, pk=pk) if pk else None
    initial = model_to_dict(ticket, fields=list(TicketForm.base_fields)) if ticket else {}
    form = TicketForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            ticket = _save(request, ticket, dict(form.cleaned_data))
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            return _ticket_page(request, ticket.pk)
    return render(request, "tickets/ticket_form.html", {"form": form, "ticket": ticket})


def _save(request: HttpRequest, ticket: Ticket | None, data: dict) -> Ticket:
    if ticket is not None:
        return services.ticket_update(ticket=ticket, **data)
    return services.ticket_create(actor=request.user, **data)


@agent_page
@require_POST
def ticket_favourite(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = get_object_or_404(Ticket, pk=pk)
    favourite = request.POST.get("favourite") == "on"
    services.ticket_favourite(ticket=ticket, user=request.user, favourite=favourite)
    return _ticket_page(request, pk)


@agent_page
@require_POST
def activity_ticket_new(request: HttpRequest, activity_id: int) -> HttpResponse:
    """The Ticket widget's form: create the ticket and assign the activity to it."""
    activity = get_object_or_404(activities_of_agent(request.agent), pk=activity_id)
    form = new_ticket_form(activity, request.POST)
    if form.is_valid():
        try:
            ticket = _save(request, None, dict(form.cleaned_data))
            services.activity_assign_ticket(activity_id=activity_id, agent=request.agent,
                                            ticket_id=ticket.pk)  # fmt: skip
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            activity.refresh_from_db()
            return HttpResponse(widget_render(request, activity, "ticket"))
    return HttpResponse(widget_render(request, activity, "ticket", mode="new", form=form))


@agent_page
@require_POST
def activity_ticket_assign(request: HttpRequest, activity_id: int) -> HttpResponse:
    """Assign the activity to the chosen ticket (none: unassign)."""
    chosen = request.POST.get("ticket", "")
    error = ""
    try:
        ticket_id = int(chosen) if chosen.isdigit() else None
        services.activity_assign_ticket(
            activity_id=activity_id, agent=request.agent, ticket_id=ticket_id
        )
    except ApplicationError as exc:
        error = exc.message
    activity = get_object_or_404(activities_of_agent(request.agent), pk=activity_id)
    return HttpResponse(widget_render(request, activity, "ticket", error=error))
