"""What a supervisor saves in the back office goes through the services, as every other write:
a new queue member is rung at once and their workspace hears of it; a capacity raised routes
the agent; the CRM's records are normalised as the workspace's are."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from contactcenter import events
from contactcenter.models import Offer, OfferOutcome, QueueMembership
from crm.models import Contact
from tests.factories import (
    ActivityFactory,
    AgentFactory,
    ContactFactory,
    MembershipFactory,
    QueueFactory,
    SupervisorFactory,
)
from tests.messaging.helpers import queued_tasks
from tests.waiting import wait_for
from tests.workers import celery_worker

AGENT_ROUTE = "contactcenter.tasks.agent_route"


@pytest.fixture
def supervisor(client):
    """A signed-in supervisor with the product's model permissions, as the demo data grants."""
    user = SupervisorFactory()
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label__in=["contactcenter", "crm"])
        | Permission.objects.filter(content_type__app_label="auth", content_type__model="user")
    )
    client.force_login(user)
    return user


@pytest.mark.django_db(transaction=True)
def test_an_online_agent_added_to_a_queue_with_a_waiting_customer_is_rung_at_once(
    client, supervisor
):
    # given
    queue = QueueFactory()
    waiting = ActivityFactory(queue=queue)
    agent = AgentFactory(is_online=True)
    # when
    with celery_worker():
        response = client.post(
            reverse("admin:contactcenter_queuemembership_add"),
            {"agent": agent.pk, "queue": queue.pk},
        )
        # then (no routing sweep runs here: only the membership's own routing can ring her)
        assert response.status_code == 302
        offer = wait_for(
            lambda: Offer.objects.filter(agent=agent, outcome=OfferOutcome.PENDING).first(), 10
        )
    assert offer.activity_id == waiting.pk


@pytest.mark.django_db
def test_queues_added_and_removed_on_the_agents_page_reach_their_workspace(
    client, supervisor, django_capture_on_commit_callbacks, published_events
):
    # given
    agent = AgentFactory(max_open_chats=3)
    leaving = MembershipFactory(agent=agent)
    joining = QueueFactory()
    inline = "memberships"
    data = {
        "user": agent.user_id,
        "display_name": agent.display_name,
        "max_open_chats": 3,
        f"{inline}-TOTAL_FORMS": 2,
        f"{inline}-INITIAL_FORMS": 1,
        f"{inline}-0-id": leaving.pk,
        f"{inline}-0-agent": agent.pk,
        f"{inline}-0-queue": leaving.queue_id,
        f"{inline}-0-DELETE": "on",
        f"{inline}-1-agent": agent.pk,
        f"{inline}-1-queue": joining.pk,
    }
    # when
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("admin:contactcenter_agent_change", args=[agent.pk]), data)
    # then
    assert response.status_code == 302
    assert list(QueueMembership.objects.filter(agent=agent).values_list("queue", flat=True)) == [
        joining.pk
    ]
    assert queued_tasks(callbacks) == [AGENT_ROUTE]
    told = [event for event in published_events if event["type"] == events.QUEUES_CHANGED]
    assert [[each["queue"]["id"] for each in event["queues"]] for event in told][-1] == [joining.pk]


@pytest.mark.django_db
def test_a_capacity_raised_in_the_admin_routes_the_agent(
    client, supervisor, django_capture_on_commit_callbacks
):
    # given
    agent = AgentFactory(max_open_chats=1)
    data = {
        "user": agent.user_id,
        "display_name": agent.display_name,
        "max_open_chats": 4,
        "memberships-TOTAL_FORMS": 0,
        "memberships-INITIAL_FORMS": 0,
    }
    # when
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("admin:contactcenter_agent_change", args=[agent.pk]), data)
    # then
    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.max_open_chats == 4
    assert queued_tasks(callbacks) == [AGENT_ROUTE]


@pytest.mark.django_db
def test_a_contact_saved_in_the_admin_is_normalised_as_in_the_workspace(client, supervisor, outbox):
    # given
    data = {
        "first_name": "  Sheena ",
        "last_name": "Nelson",
        "emails": '["  Sheena@ACME.example "]',
        "phones-TOTAL_FORMS": 1,
        "phones-INITIAL_FORMS": 0,
        "phones-0-number": "+1 650 555 1234",
        "phones-0-label": "mobile",
    }
    # when
    response = client.post(reverse("admin:crm_contact_add"), data)
    # then
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert contact.first_name == "Sheena"
    assert contact.emails == ["sheena@acme.example"]
    assert contact.owner == supervisor
    assert [(phone.number, phone.label) for phone in contact.phones.all()] == [
        ("+16505551234", "mobile")
    ]
    [(kind, created)] = outbox()  # one change, with its number, for integrators
    assert (kind, created["contact"]["phones"]) == (
        "contact.created",
        [{"number": "+16505551234", "label": "mobile"}],
    )


@pytest.mark.django_db
def test_a_number_relabelled_in_the_admin_is_reported_as_the_phones_changed(
    client, supervisor, outbox
):
    # given
    contact = ContactFactory(first_name="Sheena", last_name="Nelson", phones=["+16505551234"])
    data = {
        "first_name": "Sheena",
        "last_name": "Nelson",
        "emails": "[]",
        "phones-TOTAL_FORMS": 1,
        "phones-INITIAL_FORMS": 1,
        "phones-0-id": contact.phones.get().pk,
        "phones-0-contact": contact.pk,
        "phones-0-number": "+16505551234",
        "phones-0-label": "work",
    }
    # when
    response = client.post(reverse("admin:crm_contact_change", args=[contact.pk]), data)
    # then
    assert response.status_code == 302
    [(kind, updated)] = outbox()
    assert (kind, updated["changed"]) == ("contact.updated", ["phones"])
    assert updated["contact"]["phones"] == [{"number": "+16505551234", "label": "work"}]


@pytest.mark.django_db
def test_a_user_made_an_agent_in_the_admin_gets_a_validated_profile(client, supervisor):
    # given
    user = SupervisorFactory(is_staff=False, username="dora")
    page = reverse("admin:auth_user_change", args=[user.pk])
    data = {
        "username": "dora",
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "09:00:00",
        "agent-TOTAL_FORMS": 1,
        "agent-INITIAL_FORMS": 0,
        "agent-0-display_name": "Dora Desk",
        "agent-0-max_open_chats": 2,
    }
    # when
    response = client.post(page, data)
    # then
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.agent.display_name, user.agent.max_open_chats) == ("Dora Desk", 2)
