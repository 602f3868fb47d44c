"""Events for integrators from the CRM: a contact created or changed, reported once with its
phone numbers (the back office's saves: tests/contactcenter/test_admin_writes.py)."""

import pytest
from django.core.serializers.json import DjangoJSONEncoder

from crm.services import contact_create, contact_update
from tests.factories import AccountFactory, ContactFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_contact_created_is_reported_whole_with_its_phones(outbox):
    # given
    owner, account = UserFactory(), AccountFactory()
    # when
    contact = contact_create(
        actor=owner,
        first_name="Sheena",
        last_name="Nelson",
        title="Buyer",
        account=account,
        emails=["Sheena@ACME.example"],
        phones=[("+1 650 555 1234", "mobile")],
    )
    # then
    encoder = DjangoJSONEncoder()
    assert outbox() == [
        (
            "contact.created",
            {
                "contact": {
                    "id": contact.pk,
                    "first_name": "Sheena",
                    "last_name": "Nelson",
                    "name": "Sheena Nelson",
                    "title": "Buyer",
                    "account_id": account.pk,
                    "emails": ["sheena@acme.example"],
                    "phones": [{"number": "+16505551234", "label": "mobile"}],
                    "notes": "",
                    "owner_id": owner.pk,
                    "created_at": encoder.default(contact.created_at),
                    "updated_at": encoder.default(contact.updated_at),
                }
            },
        )
    ]


def test_a_contact_changed_is_reported_with_what_changed(outbox):
    # given
    contact = ContactFactory(first_name="Sheena", phones=["+16505551234"])
    # when: the same first name, a new title, one more number
    contact_update(
        contact=contact,
        first_name="Sheena",
        title="Head of purchasing",
        phones=["+16505551234", "+420777123456"],
    )
    # then
    [(kind, data)] = outbox()
    assert (kind, data["changed"]) == ("contact.updated", ["title", "phones"])
    assert data["contact"]["title"] == "Head of purchasing"
    assert [phone["number"] for phone in data["contact"]["phones"]] == [
        "+16505551234",
        "+420777123456",
    ]


def test_a_contact_saved_unchanged_reports_nothing(outbox):
    # given
    contact = ContactFactory(phones=["+16505551234"])
    # when
    contact_update(contact=contact, first_name=contact.first_name, phones=["+1 650 555 1234"])
    # then
    assert outbox() == []
