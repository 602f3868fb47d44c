"""The Send new message window: who can be chosen, what it says about the reply window, and
starting or sending from it."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from contactcenter.models import Activity
from tests.factories import (
    AgentFactory,
    ChannelAccountFactory,
    IdentityFactory,
    MembershipFactory,
    StatusFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def whatsapp():
    return ChannelAccountFactory()


@pytest.fixture
def agent(client, whatsapp):
    agent = AgentFactory()
    MembershipFactory(agent=agent, queue=whatsapp.queue)
    client.force_login(agent.user)
    return agent


def window(client, **params) -> str:
    return client.get(reverse("new-message"), params).content.decode()


def test_only_customers_who_wrote_on_the_channel_are_offered(client, agent, whatsapp):
    # given
    IdentityFactory(channel_account=whatsapp, display_name="Wrote Before",
                    last_inbound_at=timezone.now())  # fmt: skip
    IdentityFactory(channel_account=whatsapp, display_name="Never Wrote", last_inbound_at=None)
    IdentityFactory(
        channel_account=ChannelAccountFactory(viber=True), display_name="Viber Customer",
        last_inbound_at=timezone.now(),
    )  # fmt: skip
    # when
    page = window(client, provider="whatsapp", q="")
    # then
    assert "Wrote Before" in page
    assert "Never Wrote" not in page and "Viber Customer" not in page


def test_after_24_hours_the_window_offers_only_templates(client, agent, whatsapp):
    identity = IdentityFactory(channel_account=whatsapp,
                               last_inbound_at=timezone.now() - timedelta(hours=30))  # fmt: skip
    page = window(client, provider="whatsapp", identity=identity.pk)
    assert "WhatsApp allows only an approved template" in page
    assert 'name="text"' not in page


def test_send_needs_the_status_and_then_sends_and_closes(client, agent, whatsapp):
    # given
    resolved = StatusFactory(name="Resolved")
    whatsapp.queue.statuses.add(resolved)
    identity = IdentityFactory(channel_account=whatsapp, last_inbound_at=timezone.now())
    data = {"provider": "whatsapp", "identity": identity.pk, "queue": whatsapp.queue_id,
            "text": "Your order shipped.", "action": "send"}  # fmt: skip
    # when: without a status
    refused = client.post(reverse("new-message"), data)
    # then: the window says why; nothing is started
    assert "Choose a status to send and close." in refused.content.decode()
    assert not Activity.objects.exists()
    # when: with one
    sent = client.post(reverse("new-message"), data | {"status": resolved.pk})
    # then: the page hears the conversation, closed
    assert sent.status_code == 204
    event = json.loads(sent.headers["HX-Trigger"])["cc:conversation"]
    assert (event["sent"], event["activity"]["state"]) == (True, "closed")
    assert Activity.objects.get().status == resolved


def test_a_customer_who_never_wrote_is_refused_before_anything_is_typed(client, agent, whatsapp):
    # given: an identity the CRM knows, but who never wrote (Viber's conversation_started)
    identity = IdentityFactory(channel_account=whatsapp, last_inbound_at=None)
    # when
    page = window(client, provider="whatsapp", identity=identity.pk)
    # then: the reason, and no Start chat nor Send
    assert "they must write first" in page
    assert "Start chat" not in page
