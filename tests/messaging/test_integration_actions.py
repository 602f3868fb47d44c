"""Integration accounts act through the API: they post into an open chat, write first to a
customer who wrote before, close with a status, pair a contact and assign a ticket, by the
agents' rules (the reply window, the queue's statuses), recorded as done by the integration.
Agents keep their scoping: only what they take part in."""

from datetime import timedelta

import pytest
from django.utils import timezone

from contactcenter.models import Activity, ActivityEvent, ActivityState, EventKind, Offer
from messaging.models import DeliveryStatus, Message
from messaging.services.outbound import message_deliver
from tests.api import api_for
from tests.contactcenter.test_activity_screen import page_data, screen
from tests.factories import (
    AgentFactory,
    ContactFactory,
    CustomerActivityFactory,
    IdentityFactory,
    IntegrationAccountFactory,
    OnlineAgentFactory,
    StatusFactory,
    SupervisorFactory,
    TemplateFactory,
    TicketFactory,
)
from tests.messaging.helpers import WA_ACCEPTED

pytestmark = pytest.mark.django_db

ORDER_UPDATE = "Your order #1042 has shipped."


@pytest.fixture
def crm():
    """The integration account the calls are made as."""
    return IntegrationAccountFactory(first_name="CRM sync")


def chat(hours_ago: float = 1, **activity):
    """Alice's open chat with a WhatsApp customer who last wrote `hours_ago` hours ago."""
    identity = IdentityFactory(last_inbound_at=timezone.now() - timedelta(hours=hours_ago))
    return CustomerActivityFactory(identity=identity, owner__display_name="Alice Novak", **activity)


def url(activity, action: str) -> str:
    return f"/api/v1/activities/{activity.pk}/{action}/"


def history(activity) -> list[tuple[str, str | None]]:
    """The chat's history lines as agents read them: (kind, who)."""
    lines = api_for(activity.owner.user).get(url(activity, "events")).json()["results"]
    return [(line["kind"], line["actor"]) for line in lines]


# Posting into an open chat


def test_an_integrations_message_is_queued_then_sent_to_the_customer_as_plain_text(
    crm, provider_api
):
    # given
    activity = chat()
    provider_api.answer(200, WA_ACCEPTED)
    # when
    response = api_for(crm).post(url(activity, "messages"), {"text": ORDER_UPDATE}, format="json")
    # then: queued, named as the integration's
    assert response.status_code == 201
    [sent] = response.json()["messages"]
    assert (sent["status"], sent["author"], sent["author_kind"]) == (
        "queued",
        "CRM sync (integration)",
        "integration",
    )
    # when: the delivery task runs
    message_deliver(message_id=sent["id"])
    # then: the customer gets the text alone, and the message is sent
    [request] = provider_api.posts()
    assert request.json()["text"] == {"preview_url": False, "body": ORDER_UPDATE}
    assert Message.objects.get().status == DeliveryStatus.SENT


def test_the_agent_reads_the_integrations_message_as_the_integrations(crm):
    # given
    activity = chat()
    api_for(crm).post(url(activity, "messages"), {"text": ORDER_UPDATE}, format="json")
    # when
    messages = api_for(activity.owner.user).get(url(activity, "messages")).json()["results"]
    # then
    assert [(m["text"], m["author"], m["author_kind"]) for m in messages] == [
        (ORDER_UPDATE, "CRM sync (integration)", "integration")
    ]


def test_an_integrations_message_is_not_the_agents_reply(crm):
    """The customer still waits for an agent: reminders go on, the reports' first reply is
    an agent's."""
    # given: the customer's question waits for an answer
    activity = chat(awaiting_reply_since=timezone.now())
    # when
    api_for(crm).post(url(activity, "messages"), {"text": ORDER_UPDATE}, format="json")
    # then
    activity.refresh_from_db()
    assert activity.awaiting_reply_since is not None
    assert activity.first_reply_at is None


def test_a_shut_whatsapp_window_refuses_the_integrations_text_and_takes_a_template(crm):
    # given: the customer last wrote 30 hours ago
    activity = chat(hours_ago=30)
    template = TemplateFactory(whatsapp_parameters=["first_name"])
    api = api_for(crm)
    # when
    refused = api.post(url(activity, "messages"), {"text": ORDER_UPDATE}, format="json")
    # then
    assert (refused.status_code, refused.json()["code"]) == (400, "template_required")
    assert not Message.objects.exists()
    # when
    sent = api.post(
        url(activity, "messages"),
        {"template": template.pk, "template_parameters": ["Jana"]},
        format="json",
    )
    # then
    assert sent.status_code == 201
    assert Message.objects.get().template == template


def test_an_integration_cannot_post_into_a_closed_chat(crm):
    activity = chat(state="closed", closed_at=timezone.now())
    response = api_for(crm).post(url(activity, "messages"), {"text": "hi"}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "activity_closed")
    assert not Message.objects.exists()


# Writing first


def conversations(user, **body):
    return api_for(user).post("/api/v1/conversations/", body, format="json")


def test_an_integration_writes_first_and_the_chat_closes_ringing_no_agent(crm):
    # given: a customer who wrote yesterday; an agent ready in the queue their channel feeds
    identity = IdentityFactory(last_inbound_at=timezone.now() - timedelta(hours=20))
    queue = identity.channel_account.queue
    resolved = StatusFactory(name="Resolved")
    queue.statuses.add(resolved)
    OnlineAgentFactory(queue=queue)
    # when
    response = conversations(crm, identity=identity.pk, text=ORDER_UPDATE, status=resolved.pk)
    # then: the message is queued in a chat closed with the status, and nobody was rung
    assert response.status_code == 201
    body = response.json()
    assert (body["activity"]["state"], body["activity"]["status"]["name"]) == ("closed", "Resolved")
    assert [(m["text"], m["author"], m["status"]) for m in body["messages"]] == [
        (ORDER_UPDATE, "CRM sync (integration)", "queued")
    ]
    assert not Offer.objects.exists()
    assert list(
        ActivityEvent.objects.filter(actor=crm).order_by("pk").values_list("kind", flat=True)
    ) == [EventKind.STARTED, EventKind.STATUS, EventKind.CLOSED]


def test_integrators_hear_of_the_integrations_conversation_as_done_by_the_integration(crm, outbox):
    # given
    identity = IdentityFactory(last_inbound_at=timezone.now() - timedelta(hours=20))
    # when
    conversations(crm, identity=identity.pk, text=ORDER_UPDATE)
    # then: each event names the integration, so its own receiver can tell them from the rest
    integration = {"type": "integration", "id": crm.pk, "name": "CRM sync"}
    [(_, created), (_, message), (_, closed)] = outbox(
        "activity.created", "message.created", "activity.closed"
    )
    assert created["started_by"] == integration
    assert (message["message"]["text"], message["message"]["author"]) == (
        ORDER_UPDATE,
        integration,
    )
    assert closed["closed_by"] == integration


def test_an_integration_may_leave_its_chat_waiting_in_the_queue_to_ring_an_agent(crm):
    # given
    identity = IdentityFactory(last_inbound_at=timezone.now() - timedelta(hours=2))
    agent = OnlineAgentFactory(queue=identity.channel_account.queue)
    # when
    response = conversations(crm, identity=identity.pk, text="Can we call you?", close=False)
    # then
    assert response.status_code == 201
    assert response.json()["activity"]["state"] == "waiting"
    assert Offer.objects.get().agent == agent


def test_after_24_hours_an_integration_writes_first_only_with_a_whatsapp_template(crm):
    # given
    identity = IdentityFactory(last_inbound_at=timezone.now() - timedelta(days=3))
    template = TemplateFactory(whatsapp_parameters=["first_name"])
    # when
    refused = conversations(crm, identity=identity.pk, text=ORDER_UPDATE)
    sent = conversations(
        crm, identity=identity.pk, template=template.pk, template_parameters=["Jana"]
    )
    # then
    assert (refused.status_code, refused.json()["code"]) == (400, "template_required")
    assert sent.status_code == 201
    assert Message.objects.get().template == template


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({}, 400, "empty_message"),
        ({"text": "Hi", "queue": 999999}, 400, "invalid_queue"),
        ({"text": "Hi", "status": 999999}, 400, "status_required"),
    ],
)
def test_an_integration_writing_first_is_refused_before_anything_is_stored(crm, body, status, code):
    # given: a queue that closes with statuses
    identity = IdentityFactory(last_inbound_at=timezone.now() - timedelta(hours=2))
    identity.channel_account.queue.statuses.add(StatusFactory())
    # when
    response = conversations(crm, identity=identity.pk, **body)
    # then
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert not Message.objects.exists()


def test_a_customer_already_in_a_chat_is_written_to_there(crm):
    activity = chat()
    response = conversations(crm, identity=activity.identity_id, text=ORDER_UPDATE)
    assert (response.status_code, response.json()["code"]) == (409, "conversation_open")


def test_a_customer_who_never_wrote_cannot_be_written_to_first(crm):
    identity = IdentityFactory(last_inbound_at=None)
    response = conversations(crm, identity=identity.pk, text=ORDER_UPDATE)
    assert (response.status_code, response.json()["code"]) == (400, "never_wrote")


# Closing, pairing, assigning


def test_an_integration_closes_a_chat_with_a_status_named_in_its_history(crm):
    # given
    activity = chat()
    done = StatusFactory(name="Done")
    activity.queue.statuses.add(done)
    # when
    response = api_for(crm).post(url(activity, "close"), {"status": done.pk}, format="json")
    # then
    assert response.status_code == 204
    activity.refresh_from_db()
    assert (activity.state, activity.status) == (ActivityState.CLOSED, done)
    assert ActivityEvent.objects.filter(actor=crm, kind=EventKind.CLOSED).exists()
    assert not activity.participants.filter(left_at__isnull=True).exists()


def test_a_status_the_queue_does_not_allow_changes_nothing(crm):
    # given
    activity = chat()
    activity.queue.statuses.add(StatusFactory())
    elsewhere = StatusFactory()
    # when
    response = api_for(crm).post(url(activity, "close"), {"status": elsewhere.pk}, format="json")
    # then
    assert (response.status_code, response.json()["code"]) == (400, "status_not_allowed")
    activity.refresh_from_db()
    assert (activity.state, activity.status) == (ActivityState.OPEN, None)
    assert not ActivityEvent.objects.exists()


def test_an_integration_closes_a_waiting_chat_and_its_notification_stops_ringing(crm):
    # given: a chat ringing an agent
    activity = chat(state="waiting", owner=None)
    offer = Offer.objects.create(
        activity=activity, agent=AgentFactory(), deadline=timezone.now() + timedelta(seconds=30)
    )
    # when
    response = api_for(crm).post(url(activity, "close"), {}, format="json")
    # then
    assert response.status_code == 204
    offer.refresh_from_db()
    assert offer.outcome == "revoked"
    activity.refresh_from_db()
    assert activity.state == ActivityState.CLOSED


def test_a_closed_chat_cannot_be_closed_again(crm):
    activity = chat(state="closed", closed_at=timezone.now())
    response = api_for(crm).post(url(activity, "close"), {}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "wrong_state")


def test_an_integration_pairs_the_chat_with_a_contact(crm):
    # given
    activity = chat()
    contact = ContactFactory(first_name="Jana", last_name="Dvořák")
    # when
    response = api_for(crm).post(url(activity, "contact"), {"contact": contact.pk}, format="json")
    # then: the chat and its customer from now on; the agent reads who did it
    assert response.status_code == 200
    assert response.json()["contact"]["id"] == contact.pk
    activity.identity.refresh_from_db()
    assert activity.identity.contact == contact
    assert history(activity) == [("paired", "CRM sync (integration)")]


def test_an_integration_files_a_closed_chat_under_a_ticket(crm):
    # given
    activity = chat(state="closed", closed_at=timezone.now())
    ticket = TicketFactory(title="Parcel lost")
    # when
    response = api_for(crm).post(url(activity, "ticket"), {"ticket": ticket.pk}, format="json")
    # then
    assert response.status_code == 200
    activity.refresh_from_db()
    assert activity.ticket == ticket
    assert ActivityEvent.objects.get(kind=EventKind.TICKET).actor == crm


# Who may


@pytest.mark.parametrize(
    ("action", "body"),
    [
        ("messages", {"text": "hi"}),
        ("close", {}),
        ("contact", {"contact": 0}),
        ("ticket", {"ticket": None}),
    ],
)
def test_an_agent_still_acts_only_in_chats_they_take_part_in(action, body):
    # given: a colleague's chat
    activity = chat()
    outsider = AgentFactory()
    # when
    response = api_for(outsider.user).post(url(activity, action), body, format="json")
    # then
    assert response.status_code == 404
    activity.refresh_from_db()
    assert (activity.state, activity.ticket, activity.contact) == (ActivityState.OPEN, None, None)
    assert not Message.objects.exists()


def test_an_agent_writes_first_only_from_their_own_queues():
    identity = IdentityFactory(last_inbound_at=timezone.now() - timedelta(hours=2))
    response = conversations(AgentFactory().user, identity=identity.pk, text="Hi")
    assert (response.status_code, response.json()["code"]) == (400, "invalid_queue")


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/activities/{id}/close/", {}),
        ("/api/v1/activities/{id}/contact/", {"contact": 0}),
        ("/api/v1/activities/{id}/ticket/", {"ticket": None}),
        ("/api/v1/conversations/", {"identity": 0, "text": "Hi"}),
    ],
)
def test_supervisors_watch_chats_and_do_not_act_in_them(path, body):
    activity = chat()
    response = api_for(SupervisorFactory()).post(path.format(id=activity.pk), body, format="json")
    assert (response.status_code, response.json()["code"]) == (403, "not_an_agent")


def test_a_supervisor_watching_the_chat_reads_the_integrations_message_as_its(crm, client):
    # given
    activity = chat()
    api_for(crm).post(url(activity, "messages"), {"text": ORDER_UPDATE}, format="json")
    client.force_login(SupervisorFactory())
    # when
    page = client.get(f"/supervision/activities/{activity.pk}/lines/")
    # then
    assert f"<b>CRM sync (integration)</b> {ORDER_UPDATE}" in page.content.decode()


@pytest.mark.parametrize(("customer_wrote_at", "shown"), [(None, True), (timezone.now(), False)])
def test_a_chat_answering_a_notice_opens_with_the_notice_shown(
    crm, client, customer_wrote_at, shown
):
    """The customer's answer to what we wrote first opens a chat of its own: it opens with that
    earlier chat shown above; after a chat in which the customer wrote, the earlier one waits
    for "Load older messages"."""
    # given: an earlier chat the CRM started and closed, in which the customer did or did not
    # write; then their new chat with Alice
    identity = IdentityFactory(last_inbound_at=timezone.now() - timedelta(hours=2))
    conversations(crm, identity=identity.pk, text=ORDER_UPDATE)
    Activity.objects.update(first_customer_message_at=customer_wrote_at)
    activity = CustomerActivityFactory(identity=identity)
    # when
    history = page_data(screen(client, activity))["history"]
    # then
    assert (history["has_older"], history["show_older"]) == (True, shown)
