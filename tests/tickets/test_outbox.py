"""Events for integrators from the tickets: a ticket created or changed, reported once, with
its deadlines and what changed."""

import pytest
from django.core.serializers.json import DjangoJSONEncoder

from tests.api import api_for
from tests.factories import (
    AccountFactory,
    AgentFactory,
    CategoryFactory,
    ContactFactory,
    SLAFactory,
)
from tickets.services import ticket_create, ticket_update

pytestmark = pytest.mark.django_db


def test_a_ticket_created_is_reported_whole_with_its_deadlines(outbox):
    # given
    owner = AgentFactory().user
    contact = ContactFactory(account=AccountFactory(sla=SLAFactory()))
    category = CategoryFactory()
    # when
    ticket = ticket_create(
        actor=owner, title="Parcel not delivered", contact=contact, category=category
    )
    # then
    encode = DjangoJSONEncoder().default
    assert outbox() == [
        (
            "ticket.created",
            {
                "ticket": {
                    "id": ticket.pk,
                    "number": f"#{ticket.pk}",
                    "title": "Parcel not delivered",
                    "description": "",
                    "stage": "open",
                    "priority": "normal",
                    "category_id": category.pk,
                    "contact_id": contact.pk,
                    "account_id": contact.account_id,
                    "owner_id": owner.pk,
                    "first_response_due": encode(ticket.first_response_due),
                    "resolution_due": encode(ticket.resolution_due),
                    "closed_at": None,
                    "created_at": encode(ticket.created_at),
                    "updated_at": encode(ticket.updated_at),
                }
            },
        )
    ]


def test_a_ticket_created_closed_over_the_api_is_reported_once_closed(outbox):
    # when
    response = api_for(AgentFactory().user).post(
        "/api/v1/tickets/", {"title": "Answered on the phone", "stage": "closed"}
    )
    # then
    assert response.status_code == 201
    [(kind, data)] = outbox()
    assert (kind, data["ticket"]["stage"]) == ("ticket.created", "closed")
    assert data["ticket"]["closed_at"] is not None


def test_a_ticket_changed_is_reported_with_what_changed_and_unchanged_with_nothing(outbox):
    # given
    ticket = ticket_create(actor=AgentFactory().user, title="Lid")
    # when: closed, then saved again as it is
    ticket_update(ticket=ticket, stage="closed", title="Lid")
    ticket_update(ticket=ticket, stage="closed")
    # then
    [(kind, data)] = outbox("ticket.updated")
    assert (kind, data["changed"]) == ("ticket.updated", ["stage", "closed_at"])
    assert data["ticket"]["closed_at"] is not None


def test_a_ticket_moved_to_another_account_reports_its_new_deadlines(outbox):
    # given
    ticket = ticket_create(actor=AgentFactory().user, title="Lid", account=AccountFactory())
    # when
    ticket_update(ticket=ticket, account=AccountFactory(sla=SLAFactory()))
    # then
    [(_, data)] = outbox("ticket.updated")
    assert data["changed"] == ["account_id", "first_response_due", "resolution_due"]
    assert data["ticket"]["resolution_due"] is not None
