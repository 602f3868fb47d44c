"""The CRM module's pages and the Contact and Account widgets, as the workspace loads them."""

import pytest
from django.urls import reverse
from django.utils import timezone

from contactcenter.models import QueueWidget, WidgetKind
from tests.factories import (
    AccountFactory,
    AgentFactory,
    ContactFactory,
    CustomerActivityFactory,
    IdentityFactory,
    InboundMessageFactory,
    SLAFactory,
    TicketFactory,
)
from tests.messaging.helpers import customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent_client(client):
    client.force_login(AgentFactory().user)
    return client


@pytest.mark.parametrize("rows", [1, 50])
def test_the_contact_list_costs_the_same_queries_for_1_or_50(
    agent_client, django_assert_num_queries, rows
):
    for _ in range(rows):
        contact = ContactFactory(phones=["+420777123456"], account=AccountFactory())
        IdentityFactory(contact=contact)
    # then: session, user, agent, memberships, count, page, phones, identities, their
    # accounts, the account filter's choices
    with django_assert_num_queries(10):
        page = agent_client.get(reverse("crm:contacts")).content.decode()
    assert page.count("+420777123456") == min(rows, 25)


def test_contacts_are_searched_by_any_word(agent_client):
    ContactFactory(first_name="Jana", last_name="Dvořák", phones=["+420777123456"])
    ContactFactory(first_name="Petr", last_name="Novák")
    page = agent_client.get(reverse("crm:contacts"), {"q": "777123"}).content.decode()
    assert "Jana Dvořák" in page
    assert "Petr Novák" not in page


def test_a_contact_page_shows_channels_activities_and_tickets(agent_client):
    # given
    activity = customer()
    contact = ContactFactory()
    activity.identity.contact = contact
    activity.identity.save()
    TicketFactory(contact=contact, title="Broken lid")
    # when
    page = agent_client.get(reverse("crm:contact", args=[contact.pk])).content.decode()
    # then: the identity with its Send new message button, the chat, the ticket
    assert f'data-identity="{activity.identity.pk}"' in page
    assert reverse("crm:transcript", args=[activity.pk]) in page
    assert "Broken lid" in page


def test_a_new_contact_from_an_activity_is_filled_in_and_paired(agent_client, client):
    # given: a WhatsApp customer not in the CRM
    activity = customer(display_name="Jana Dvořák", phone="+420777123456")
    client.force_login(activity.owner.user)
    url = reverse("crm:contact-new") + f"?activity={activity.pk}"
    # when: the agent opens the form
    form = client.get(url).content.decode()
    # then: filled in from the customer's identity
    assert 'value="Jana"' in form
    assert "+420777123456" in form
    # when: they save it
    page = client.post(url, {"first_name": "Jana", "last_name": "Dvořák",
                             "phones": "+420 777 123 456"}).content.decode()  # fmt: skip
    # then: the contact's page, and the activity is paired with it
    activity.refresh_from_db()
    assert activity.contact.name == "Jana Dvořák"
    assert "Jana Dvořák" in page


def test_a_contact_form_with_a_bad_number_says_why_and_stores_nothing(agent_client):
    page = agent_client.post(
        reverse("crm:contact-new"), {"first_name": "Jana", "phones": "12"}
    ).content.decode()
    assert "is not a valid phone number" in page
    assert not ContactFactory._meta.model.objects.exists()


def test_the_contact_widget_offers_the_link_choice_when_a_number_has_several_contacts(client):
    # given
    activity = customer(phone="+420777123456")
    QueueWidget.objects.create(queue=activity.queue, kind=WidgetKind.CONTACT)
    _, second = ContactFactory.create_batch(2, phones=["+420777123456"])
    client.force_login(activity.owner.user)
    # when
    page = client.get(reverse("activity-screen", args=[activity.pk])).content.decode()
    # then: both, each with a Link button
    assert page.count(">Link</button>") == 2
    # when: the agent links the second
    widget = client.post(
        reverse("crm:activity-link", args=[activity.pk]), {"contact": second.pk}
    ).content.decode()
    # then
    activity.refresh_from_db()
    assert activity.contact == second
    assert second.name in widget and ">Link</button>" not in widget


def test_the_account_widget_shows_the_sla(client):
    activity = customer()
    sla = SLAFactory(name="Premium", first_response_minutes=30, resolution_minutes=480)
    activity.contact = ContactFactory(account=AccountFactory(name="Acme Ltd", sla=sla))
    activity.save()
    QueueWidget.objects.create(queue=activity.queue, kind=WidgetKind.ACCOUNT)
    client.force_login(activity.owner.user)
    page = client.get(reverse("activity-screen", args=[activity.pk])).content.decode()
    assert "Acme Ltd" in page
    assert "Premium: first response 30 min, resolution 480 min" in page


@pytest.mark.parametrize("history", [1, 20])
def test_the_screen_with_every_widget_costs_the_same_queries_for_short_or_long_histories(
    client, django_assert_num_queries, history
):
    # given: a paired customer with `history` earlier chats and tickets
    activity = customer()
    contact = ContactFactory(account=AccountFactory(sla=SLAFactory()), phones=["+420777000111"])
    activity.contact = contact
    activity.save()
    for _ in range(history):
        CustomerActivityFactory(
            identity=activity.identity, state="closed", closed_at=activity.queued_at,
            contact=contact,
        )  # fmt: skip
        TicketFactory(contact=contact, account=contact.account)
    for position, kind in enumerate(["contact", "account", "ticket"]):
        QueueWidget.objects.create(queue=activity.queue, kind=kind, position=position)
    client.force_login(activity.owner.user)
    # then: session, user, agent, memberships, the activity, who takes part, the layout, the
    # contact's phones, past activities, the SLA, tickets, templates, messages, events, the
    # earlier chat, statuses
    with django_assert_num_queries(16):
        client.get(reverse("activity-screen", args=[activity.pk]))


def test_a_contacts_past_chat_opens_read_only_for_any_agent(client):
    # given: a closed chat of a CRM contact, handled by someone else
    activity = CustomerActivityFactory(state="closed", closed_at=timezone.now(),
                                       contact=ContactFactory())  # fmt: skip
    InboundMessageFactory(activity=activity, text="<b>Where is my parcel?</b>")
    client.force_login(AgentFactory().user)
    # when
    page = client.get(reverse("crm:transcript", args=[activity.pk])).content.decode()
    # then: the chat, as data for the page's script (never as markup)
    assert "Where is my parcel?" in page
    assert "<b>Where" not in page


def test_a_chat_without_a_contact_is_404_for_an_agent_who_has_nothing_to_do_with_it(client):
    activity = CustomerActivityFactory(state="closed", closed_at=timezone.now())
    client.force_login(AgentFactory().user)
    assert client.get(reverse("crm:transcript", args=[activity.pk])).status_code == 404


def test_an_agent_reads_the_earlier_chats_of_the_customer_they_talk_to(client):
    # given: the customer's earlier chat, without a contact, handled by a colleague
    now = customer()
    earlier = CustomerActivityFactory(identity=now.identity, state="closed",
                                      closed_at=timezone.now())  # fmt: skip
    client.force_login(now.owner.user)
    assert client.get(reverse("crm:transcript", args=[earlier.pk])).status_code == 200


def test_a_contacts_activities_come_a_page_at_a_time(client):
    # given: 30 closed chats of one contact
    contact = ContactFactory()
    identity = IdentityFactory(contact=contact)
    CustomerActivityFactory.create_batch(30, identity=identity, contact=contact, state="closed",
                                         closed_at=timezone.now())  # fmt: skip
    client.force_login(AgentFactory().user)
    url = reverse("crm:contact", args=[contact.pk])
    # when
    first, second = client.get(url).content.decode(), client.get(url, {"page": 2}).content.decode()
    # then
    transcript = reverse("crm:transcript", args=[0]).replace("/0/", "/")
    assert (first.count(transcript), second.count(transcript)) == (25, 5)
    assert "Page 1 of 2" in first and f'hx-get="{url}?page=2' in first


def test_the_account_edit_form_comes_filled_in(agent_client):
    sla = SLAFactory(name="Premium")
    account = AccountFactory(name="Acme Ltd", sla=sla, vat_id="CZ27074358")
    form = agent_client.get(reverse("crm:account-edit", args=[account.pk])).content.decode()
    assert 'value="Acme Ltd"' in form and 'value="CZ27074358"' in form
    assert f'<option value="{sla.pk}" selected>' in form
