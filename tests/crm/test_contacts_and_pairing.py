"""Contacts with phone numbers in E.164, and activities paired with them: by a WhatsApp
number, by the agent's Link choice when the number belongs to several, and unpaired."""

import pytest

from contactcenter.events import ACTIVITY_UPDATED
from contactcenter.exceptions import ApplicationError
from contactcenter.models import Activity, ActivityEvent, EventKind
from crm.services import (
    account_update,
    activity_link_contact,
    activity_unpair,
    contact_create,
    contact_update,
    phone_e164,
)
from tests.api import api_for
from tests.factories import (
    AccountFactory,
    AgentFactory,
    ChannelAccountFactory,
    ContactFactory,
    IdentityFactory,
    SLAFactory,
)
from tests.messaging import payloads
from tests.messaging.helpers import customer, post_webhook

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "typed",
    ["+420 777 123 456", "+420777123456", "00420 777-123-456", "+420 (777) 123 456"],
)
def test_numbers_are_stored_in_e164_however_they_are_typed(typed):
    assert phone_e164(typed) == "+420777123456"


def test_a_national_number_needs_its_country_unless_a_region_is_set(settings):
    with pytest.raises(ApplicationError) as refused:
        phone_e164("777 123 456")
    assert "country code" in refused.value.message
    settings.PHONE_REGION = "CZ"
    assert phone_e164("777 123 456") == "+420777123456"


def test_a_contact_keeps_its_numbers_normalised_and_refuses_nonsense():
    agent = AgentFactory()
    contact = contact_create(actor=agent.user, first_name="Jana", phones=["+420 777 123 456"])
    assert list(contact.phones.values_list("number", flat=True)) == ["+420777123456"]
    with pytest.raises(ApplicationError):
        contact_create(actor=agent.user, first_name="X", phones=["12"])


def whatsapp_customer_writes(client, account, wa_id="420777123456"):
    body = payloads.whatsapp_text(account.provider_account_id, "wamid.IN1", "Hi", wa_id=wa_id)
    post_webhook(client, account, body)
    return Activity.objects.get(identity__provider_user_id=wa_id)


def test_a_whatsapp_customer_whose_number_one_contact_has_is_paired_with_them(client):
    # given
    jana = ContactFactory(phones=["+420777123456"])
    account = ChannelAccountFactory()
    # when
    activity = whatsapp_customer_writes(client, account)
    # then: the activity and, from now on, the customer's identity
    assert activity.contact == jana
    assert activity.identity.contact == jana


def test_a_number_several_contacts_share_leaves_the_choice_to_the_agent(client):
    # given: two contacts on one number
    ContactFactory.create_batch(2, phones=["+420777123456"])
    # when
    activity = whatsapp_customer_writes(client, ChannelAccountFactory())
    # then
    assert activity.contact is None


def test_link_pairs_the_activity_and_the_customer_with_the_chosen_contact():
    # given: a WhatsApp customer whose number two contacts share
    activity = customer(phone="+420777123456")
    _, second = ContactFactory.create_batch(2, phones=["+420777123456"])
    # when
    activity_link_contact(activity_id=activity.pk, agent=activity.owner, contact_id=second.pk)
    # then
    activity.refresh_from_db()
    activity.identity.refresh_from_db()
    assert (activity.contact, activity.identity.contact) == (second, second)
    event = ActivityEvent.objects.get(activity=activity, kind=EventKind.PAIRED)
    assert event.data == {"contact": second.pk, "name": second.name}


def test_unpair_leaves_the_activity_and_the_customer_without_a_contact():
    activity = customer()
    contact = ContactFactory()
    activity_link_contact(activity_id=activity.pk, agent=activity.owner, contact_id=contact.pk)
    activity_unpair(activity_id=activity.pk, agent=activity.owner)
    activity.refresh_from_db()
    activity.identity.refresh_from_db()
    assert (activity.contact, activity.identity.contact) == (None, None)


def test_editing_a_paired_contact_or_its_account_redraws_the_chats_taking_part(
    django_capture_on_commit_callbacks, published_events
):
    """Their Contact and Account widgets show the record: every page taking part draws them
    again (activity.updated), a closed chat's nobody."""
    # given: an open chat paired with a contact of an account
    activity = customer()
    contact = ContactFactory(account=AccountFactory())
    activity_link_contact(activity_id=activity.pk, agent=activity.owner, contact_id=contact.pk)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        contact_update(contact=contact, title="Head buyer")
    with django_capture_on_commit_callbacks(execute=True):
        account_update(account=contact.account, name="Globex")
    # then
    updated = [event["activity"]["id"] for event in published_events
               if event["type"] == ACTIVITY_UPDATED]  # fmt: skip
    assert updated[-2:] == [activity.pk, activity.pk]


def test_an_agent_outside_the_activity_cannot_pair_it():
    activity = customer()
    with pytest.raises(ApplicationError) as refused:
        activity_link_contact(
            activity_id=activity.pk, agent=AgentFactory(), contact_id=ContactFactory().pk
        )
    assert refused.value.status == 404


def test_contacts_are_created_over_the_api_with_normalised_phones():
    response = api_for(AgentFactory().user).post(
        "/api/v1/contacts/",
        {"first_name": "Jana", "last_name": "Dvořák", "phones": ["+420 777 123 456"],
         "emails": ["Jana@Example.com"]},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    assert (response.json()["phones"], response.json()["emails"]) == (
        ["+420777123456"],
        ["jana@example.com"],
    )


def test_a_contact_with_an_invalid_phone_is_refused_and_nothing_is_stored():
    response = api_for(AgentFactory().user).post(
        "/api/v1/contacts/", {"first_name": "Jana", "phones": ["12"]}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (400, "invalid_phone")
    assert not Activity.objects.exists()


def test_contacts_are_found_by_a_number_typed_any_way():
    jana = ContactFactory(phones=["+420777123456"])
    ContactFactory(phones=["+420777000000"])
    rows = api_for(AgentFactory().user).get("/api/v1/contacts/", {"phone": "00420 777 123 456"})
    assert [row["id"] for row in rows.json()["results"]] == [jana.pk]


@pytest.mark.parametrize("rows", [1, 50])
def test_the_contact_list_costs_the_same_queries_for_1_or_50(django_assert_num_queries, rows):
    for _ in range(rows):
        IdentityFactory(contact=ContactFactory(phones=["+420777123456"]))
    client = api_for(AgentFactory().user)
    # then: count, page, phones, identities, their channel accounts
    with django_assert_num_queries(5):
        assert client.get("/api/v1/contacts/").json()["count"] == rows


@pytest.mark.parametrize("rows", [1, 50])
def test_the_account_list_costs_the_same_queries_for_1_or_50(django_assert_num_queries, rows):
    AccountFactory.create_batch(rows, sla=SLAFactory())
    client = api_for(AgentFactory().user)
    # then: count, page (with SLA and owner)
    with django_assert_num_queries(2):
        assert client.get("/api/v1/accounts/").json()["count"] == rows
