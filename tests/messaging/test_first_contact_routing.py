"""A new customer's first message rings an agent in the transaction that stores it."""

import pytest
from django.db import DatabaseError

from contactcenter import events
from contactcenter.models import Activity, ActivityState, OfferOutcome
from contactcenter.services import routing
from contactcenter.services.routing import activities_route_waiting
from messaging.models import Message, Outcome, WebhookEvent
from tests.contactcenter.inbox import inboxes
from tests.factories import ChannelAccountFactory, ContactFactory, MembershipFactory
from tests.factories import OnlineAgentFactory as Online
from tests.messaging import payloads
from tests.messaging.helpers import post_webhook

pytestmark = pytest.mark.django_db(transaction=True)


def first_message(account) -> dict:
    return payloads.whatsapp_text(
        account.provider_account_id, "wamid.FIRST", "Hello?", wa_id="420777123456"
    )


def test_the_first_message_rings_an_agent_with_the_paired_contact_and_tells_the_queue(client):
    # given: Alice can be rung; Bob is a member of the queue, away; the number is a contact's
    account = ChannelAccountFactory()
    alice = Online(queue=account.queue)
    bob = MembershipFactory(queue=account.queue, logged_in=False).agent
    contact = ContactFactory(phones=["+420777123456"])
    alice_inbox, bob_inbox = inboxes(alice, bob)
    # when
    post_webhook(client, account, first_message(account))
    # then: stored, rung and paired in one go
    activity = Activity.objects.get()
    [offer] = activity.offers.all()
    assert (offer.agent, offer.outcome, activity.state, activity.contact) == (
        alice,
        OfferOutcome.PENDING,
        ActivityState.WAITING,
        contact,
    )
    assert Message.objects.get().activity == activity
    # Alice's notification first, then the waiting list, which names her; nobody takes part
    # yet, so nobody gets message.new
    assert alice_inbox.types() == [events.OFFER_NEW, events.WAITING_CHANGED]
    [ring] = alice_inbox.events(events.OFFER_NEW)
    assert (ring["offer"]["id"], ring["offer"]["activity"]["contact"]["id"]) == (
        offer.pk,
        contact.pk,
    )
    [waiting] = bob_inbox.events()
    assert (waiting["type"], waiting["activity"]["id"], waiting["activity"]["offered_to"]) == (
        events.WAITING_CHANGED,
        activity.pk,
        alice.display_name,
    )


def test_a_routing_failure_keeps_the_message_and_the_sweep_rings_the_activity_later(
    client, monkeypatch
):
    # given: routing breaks once
    account = ChannelAccountFactory()
    alice = Online(queue=account.queue)
    [alice_inbox] = inboxes(alice)

    def broken(**_):
        raise DatabaseError("connection lost mid-routing")

    with monkeypatch.context() as patched:
        patched.setattr(routing, "claim_agent", broken)
        # when
        post_webhook(client, account, first_message(account))
    # then: the delivery is applied, the activity waits unoffered, the queue is told
    assert WebhookEvent.objects.get().outcome == Outcome.PROCESSED
    activity = Message.objects.get().activity
    assert (activity.state, activity.offers.count()) == (ActivityState.WAITING, 0)
    [waiting] = alice_inbox.events()
    assert (waiting["type"], waiting["activity"]["offered_to"]) == (events.WAITING_CHANGED, None)
    # and the sweep rings Alice once routing works again
    assert activities_route_waiting() == 1
    assert activity.offers.get().agent == alice
