"""The CRM module of the workspace (contacts and accounts: lists, details, forms) and the
Contact widget's actions. Pages are fragments the workspace loads into its CRM screen with htmx;
every change goes through `crm.services`."""

import contextlib

from django.core.paginator import Paginator
from django.forms.models import model_to_dict
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_POST

from contactcenter.exceptions import ApplicationError
from contactcenter.pages import agent_page
from contactcenter.selectors import activities_of_agent, activities_readable_by
from contactcenter.widgets import widget_render
from crm import services
from crm.forms import AccountForm, ContactForm
from crm.models import Account, Contact
from crm.sections import sections_of
from crm.selectors import accounts_list, contacts_list, contacts_search, past_activities
from messaging.models import ExternalIdentity
from messaging.widgets import history_data

PAGE_SIZE = 25


@agent_page
@require_GET
def contact_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    contacts = contacts_search(query) if query else contacts_list()
    account_id = request.GET.get("account")
    if account_id and account_id.isdigit():
        contacts = contacts.filter(account_id=account_id)
    page = Paginator(contacts, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "query": query, "account_id": account_id,
               "accounts": Account.objects.order_by("name")}  # fmt: skip
    return render(request, "crm/contacts.html", context)


@agent_page
@require_GET
def contact_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _contact_page(request, pk)


def _contact_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The contact's page (also the answer to a saved form)."""
    contact = get_object_or_404(contacts_list(), pk=pk)
    past = past_activities(contact=contact, identity=None)
    context = {
        "contact": contact,
        "page": Paginator(past, PAGE_SIZE).get_page(request.GET.get("page")),
        "sections": sections_of(request, "contact", contact),
    }
    return render(request, "crm/contact_detail.html", context)


@agent_page
def contact_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """New or edit. A new contact made from an activity (`?activity=`) is filled in from the
    customer's identity and paired with the activity once saved."""
    contact = get_object_or_404(Contact, pk=pk) if pk else None
    activity = _activity_of(request, request.GET.get("activity"))
    form = ContactForm(request.POST or None, initial=_initial(contact, activity))
    if request.method == "POST" and form.is_valid():
        try:
            if contact is None:
                contact = services.contact_create(actor=request.user, **form.cleaned_data)
            else:
                contact = services.contact_update(contact=contact, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            if activity is not None:
                _pair(request, activity, contact)
            return _contact_page(request, contact.pk)
    context = {"form": form, "contact": contact, "activity": activity}
    return render(request, "crm/contact_form.html", context)


def _pair(request: HttpRequest, activity, contact: Contact) -> None:
    """Pair the chat the contact was added from. The contact is saved either way: if the chat
    ended meanwhile, there is nothing left to pair."""
    with contextlib.suppress(ApplicationError):
        services.activity_link_contact(
            activity_id=activity.pk, agent=request.agent, contact_id=contact.pk
        )


def _activity_of(request: HttpRequest, activity_id: str | None):
    """The activity a contact is being added from, if the agent takes part in it."""
    if not activity_id or not activity_id.isdigit():
        return None
    return activities_of_agent(request.agent).filter(pk=activity_id).first()


def _initial(contact: Contact | None, activity) -> dict:
    if contact is not None:
        return {
            "first_name": contact.first_name, "last_name": contact.last_name,
            "title": contact.title, "account": contact.account_id, "notes": contact.notes,
            "phones": "\n".join(contact.phones.values_list("number", flat=True)),
            "emails": "\n".join(contact.emails),
        }  # fmt: skip
    identity: ExternalIdentity | None = activity.identity if activity else None
    if identity is None:
        return {}
    first, _, last = (identity.display_name or "").partition(" ")
    return {"first_name": first, "last_name": last, "phones": identity.phone}


@agent_page
@require_GET
def account_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    accounts = accounts_list()
    if query:
        accounts = accounts.filter(name__icontains=query)
    page = Paginator(accounts, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "crm/accounts.html", {"page": page, "query": query})


@agent_page
@require_GET
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _account_page(request, pk)


def _account_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The account's page (also the answer to a saved form)."""
    account = get_object_or_404(accounts_list(), pk=pk)
    context = {
        "account": account,
        "contacts": contacts_list().filter(account=account)[:100],
        "sections": sections_of(request, "account", account),
    }
    return render(request, "crm/account_detail.html", context)


@agent_page
def account_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    account = get_object_or_404(Account, pk=pk) if pk else None
    initial = model_to_dict(account, fields=list(AccountForm.base_fields)) if account else {}
    form = AccountForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if account is None:
                account = services.account_create(actor=request.user, **form.cleaned_data)
            else:
                account = services.account_update(account=account, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            return _account_page(request, account.pk)
    return render(request, "crm/account_form.html", {"form": form, "account": account})


@agent_page
@require_GET
def activity_transcript(request: HttpRequest, pk: int) -> HttpResponse:
    """An activity, read-only: its chat and history, as the Activities tab and the journey
    open it; 404 for one the agent may not read (`activities_readable_by`)."""
    readable = activities_readable_by(request.user)
    activity = get_object_or_404(
        readable.select_related("queue", "owner", "channel_account", "identity"), pk=pk
    )
    return render(request, "crm/transcript.html",
                  {"activity": activity, "history": history_data(request, activity)})  # fmt: skip


@agent_page
@require_POST
def activity_link(request: HttpRequest, activity_id: int) -> HttpResponse:
    """The Contact widget's Link button: pair with the chosen contact."""

    def link() -> None:
        chosen = request.POST.get("contact", "")
        if not chosen.isdigit():
            raise ApplicationError("Choose a contact.", code="invalid")
        services.activity_link_contact(
            activity_id=activity_id, agent=request.agent, contact_id=int(chosen)
        )

    return _widget_action(request, activity_id, link)


@agent_page
@require_POST
def activity_unpair(request: HttpRequest, activity_id: int) -> HttpResponse:
    """The Contact widget's Unpair button."""
    return _widget_action(
        request,
        activity_id,
        lambda: services.activity_unpair(activity_id=activity_id, agent=request.agent),
    )


def _widget_action(request: HttpRequest, activity_id: int, action) -> HttpResponse:
    """Run the action, then answer the Contact widget as it is now (with the refusal if any)."""
    error = ""
    try:
        action()
    except ApplicationError as exc:
        error = exc.message
    activity = get_object_or_404(activities_of_agent(request.agent), pk=activity_id)
    return HttpResponse(widget_render(request, activity, "contact", error=error))
