"""The Tickets sections of the CRM's contact and account pages."""

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from crm.models import Account, Contact
from tickets.selectors import tickets_for

SHOWN = 50


def contact_tickets(request: HttpRequest, contact: Contact) -> SafeString:
    tickets = tickets_for(request.user, contact_id=contact.pk)[:SHOWN]
    return render_to_string("tickets/ticket_rows.html", {"tickets": tickets}, request=request)


def account_tickets(request: HttpRequest, account: Account) -> SafeString:
    tickets = tickets_for(request.user, account_id=account.pk)[:SHOWN]
    return render_to_string("tickets/ticket_rows.html", {"tickets": tickets}, request=request)
