"""Tickets: deadlines from the account's SLA, the widget's filters combined, favourites, and
activities assigned to tickets."""

from datetime import timedelta

import pytest

from contactcenter.exceptions import ApplicationError
from contactcenter.models import ActivityEvent, EventKind
from tests.api import api_for
from tests.factories import (
    AccountFactory,
    AgentFactory,
    ContactFactory,
    SLAFactory,
    TicketFactory,
)
from tests.messaging.helpers import customer
from tickets.services import activity_assign_ticket, ticket_create, ticket_favourite, ticket_update

pytestmark = pytest.mark.django_db


def test_a_tickets_deadlines_come_from_its_contacts_account_sla():
    # given: an account answering within 30 minutes and resolving within 4 hours
    account = AccountFactory(sla=SLAFactory(first_response_minutes=30, resolution_minutes=240))
    contact = ContactFactory(account=account)
    # when
    ticket = ticket_create(actor=AgentFactory().user, title="Broken lid", contact=contact)
    # then
    assert ticket.account == account
    assert ticket.first_response_due - ticket.created_at == timedelta(minutes=30)
    assert ticket.resolution_due - ticket.created_at == timedelta(minutes=240)


def test_the_deadlines_follow_the_account_when_it_changes():
    # given: a ticket of an account without an SLA
    ticket = ticket_create(actor=AgentFactory().user, title="x", account=AccountFactory())
    assert ticket.resolution_due is None
    # when: it moves to an account with one
    faster = AccountFactory(sla=SLAFactory(first_response_minutes=10, resolution_minutes=60))
    ticket_update(ticket=ticket, account=faster)
    # then: counted from when the ticket was opened
    assert ticket.resolution_due == ticket.created_at + timedelta(minutes=60)


def test_closing_records_when_and_reopening_clears_it():
    ticket = ticket_create(actor=AgentFactory().user, title="x")
    ticket_update(ticket=ticket, stage="closed")
    assert ticket.closed_at is not None
    ticket_update(ticket=ticket, stage="open")
    assert ticket.closed_at is None


def test_the_filters_combine():
    # given: mine and favourite, mine only, favourite only; contact and account mixes
    me = AgentFactory().user
    someone = AgentFactory().user
    contact = ContactFactory(account=AccountFactory())
    both = TicketFactory(owner=me, contact=contact, account=contact.account, title="both")
    mine = TicketFactory(owner=me, title="mine")
    favourite = TicketFactory(owner=someone, contact=contact, title="favourite")
    TicketFactory(owner=someone, title="neither")
    for ticket in (both, favourite):
        ticket_favourite(ticket=ticket, user=me, favourite=True)
    client = api_for(me)

    def titles(**filters) -> set[str]:
        rows = client.get("/api/v1/tickets/", filters).json()["results"]
        return {row["title"] for row in rows}

    # then
    assert titles(mine="true") == {"both", "mine"}
    assert titles(favourites="true") == {"both", "favourite"}
    assert titles(mine="true", favourites="true") == {"both"}
    assert titles(contact=contact.pk) == {"both", "favourite"}
    assert titles(contact=contact.pk, account=contact.account_id) == {"both"}
    assert titles(favourites="true", search="fav") == {"favourite"}
    assert titles(search=f"#{mine.pk}") == {"mine"}


def test_priority_sorts_urgent_first():
    for priority in ("low", "urgent", "normal"):
        TicketFactory(priority=priority, title=priority)
    rows = api_for(AgentFactory().user).get("/api/v1/tickets/", {"sort": "priority"}).json()
    assert [row["title"] for row in rows["results"]] == ["urgent", "normal", "low"]


def test_tickets_are_created_over_the_api_with_deadlines_and_marked_favourite():
    me = AgentFactory().user
    account = AccountFactory(sla=SLAFactory(first_response_minutes=15, resolution_minutes=60))
    client = api_for(me)
    created = client.post("/api/v1/tickets/", {"title": "Lid", "account": account.pk})
    assert created.status_code == 201, created.json()
    assert created.json()["resolution_due"] is not None
    assert client.post(f"/api/v1/tickets/{created.json()['id']}/favourite/").status_code == 204
    [row] = client.get("/api/v1/tickets/", {"favourites": "true"}).json()["results"]
    assert (row["title"], row["is_favourite"], row["owner"]) == ("Lid", True, me.pk)


def test_an_activity_is_assigned_to_a_ticket_and_shows_it():
    # given
    activity = customer()
    ticket = TicketFactory(title="Broken lid")
    # when
    response = api_for(activity.owner.user).post(
        f"/api/v1/activities/{activity.pk}/ticket/", {"ticket": ticket.pk}, format="json"
    )
    # then
    assert response.status_code == 200
    assert response.json()["ticket"] == {
        "id": ticket.pk,
        "number": f"#{ticket.pk}",
        "title": "Broken lid",
        "stage": "open",
    }
    event = ActivityEvent.objects.get(activity=activity, kind=EventKind.TICKET)
    assert event.data == {"ticket": ticket.pk, "title": "Broken lid"}


def test_an_agent_outside_the_activity_cannot_assign_it():
    activity = customer()
    with pytest.raises(ApplicationError):
        activity_assign_ticket(
            activity_id=activity.pk, agent=AgentFactory(), ticket_id=TicketFactory().pk
        )


@pytest.mark.parametrize("rows", [1, 50])
def test_the_ticket_list_costs_the_same_queries_for_1_or_50(django_assert_num_queries, rows):
    TicketFactory.create_batch(rows, contact=ContactFactory(), account=AccountFactory())
    client = api_for(AgentFactory().user)
    # then: count, page
    with django_assert_num_queries(2):
        assert client.get("/api/v1/tickets/").json()["count"] == rows
