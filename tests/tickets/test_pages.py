"""The Ticket module's pages and the Ticket widget, as the workspace loads them."""

import pytest
from django.urls import reverse

from contactcenter.models import QueueWidget, WidgetKind
from tests.factories import (
    AccountFactory,
    AgentFactory,
    ContactFactory,
    IdentityFactory,
    SLAFactory,
    TicketFactory,
)
from tests.messaging.helpers import customer
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("rows", [1, 50])
def test_the_ticket_list_costs_the_same_queries_for_1_or_50(
    client, django_assert_num_queries, rows
):
    TicketFactory.create_batch(rows, contact=ContactFactory(), account=AccountFactory())
    client.force_login(AgentFactory().user)
    # then: session, user, agent, memberships, count, page
    with django_assert_num_queries(6):
        client.get(reverse("tickets:tickets"), {"sort": "priority"})


def test_the_ticket_page_offers_to_message_the_customer_on_each_channel(client):
    # given: a ticket whose contact wrote on WhatsApp, with that chat assigned to it
    activity = customer()
    contact = ContactFactory()
    activity.identity.contact = contact
    activity.identity.save()
    other = IdentityFactory(contact=contact)
    ticket = TicketFactory(contact=contact, title="Broken lid")
    activity.ticket = ticket
    activity.save()
    client.force_login(AgentFactory().user)
    # when
    page = client.get(reverse("tickets:ticket", args=[ticket.pk])).content.decode()
    # then: a channel button per identity, one on the chat, and the journey
    for identity in (activity.identity, other):
        assert f'data-identity="{identity.pk}"' in page
    assert page.count(f'data-identity="{activity.identity.pk}"') == 2
    assert 'aria-label="Customer journey"' in page


def test_a_ticket_created_in_the_widget_is_assigned_to_the_chat(client):
    # given: a paired chat whose account has an SLA
    activity = customer()
    account = AccountFactory(sla=SLAFactory(first_response_minutes=20, resolution_minutes=60))
    activity.contact = ContactFactory(account=account)
    activity.save()
    QueueWidget.objects.create(queue=activity.queue, kind=WidgetKind.TICKET)
    client.force_login(activity.owner.user)
    # when: the form comes filled in, and is sent
    form = client.get(
        reverse("activity-widget", args=[activity.pk, "ticket"]), {"view": "new"}
    ).content.decode()
    assert f'value="{activity.title}: "' in form
    widget = client.post(
        reverse("tickets:activity-new", args=[activity.pk]),
        {"title": "Broken lid", "stage": "open", "priority": "high",
         "contact": activity.contact.pk, "account": account.pk},
    ).content.decode()  # fmt: skip
    # then: the widget shows the ticket, and the chat belongs to it
    ticket = Ticket.objects.get()
    activity.refresh_from_db()
    assert activity.ticket == ticket
    assert "Broken lid" in widget and "Unassign" in widget
    assert (ticket.resolution_due - ticket.created_at).total_seconds() == 3600


def test_the_widgets_filters_combine(client):
    # given: the chat's contact has a ticket; another contact has one too
    activity = customer()
    activity.contact = ContactFactory()
    activity.save()
    TicketFactory(contact=activity.contact, title="Theirs")
    TicketFactory(contact=ContactFactory(), title="Someone else's")
    client.force_login(activity.owner.user)
    url = reverse("activity-widget", args=[activity.pk, "ticket"])
    # when
    every = client.get(url).content.decode()
    theirs = client.get(url, {"contact": "on"}).content.decode()
    # then
    assert "Theirs" in every and "Someone else&#x27;s" in every
    assert "Theirs" in theirs and "Someone else" not in theirs


def test_the_edit_form_comes_filled_in_with_the_ticket(client):
    contact = ContactFactory(first_name="Jana", last_name="Dvořák")
    ticket = TicketFactory(title="Broken lid", priority="high", contact=contact)
    client.force_login(AgentFactory().user)
    form = client.get(reverse("tickets:ticket-edit", args=[ticket.pk])).content.decode()
    assert 'value="Broken lid"' in form
    assert '<option value="high" selected>' in form
    assert f'<option value="{contact.pk}" selected>' in form
