"""The queries of the write hot paths, pinned: a new query on one of them is a decision, seen
here, not an accident. Each count covers the service's transaction and what it publishes after
the commit. On failure the SQL is listed. Each change reported to integrators costs its one
INSERT of an outbox row, built from the rows already loaded (a first contact reports three:
activity.created, message.created, activity.offered)."""

import pytest

from contactcenter.services.activities import activity_close
from contactcenter.services.offers import offer_accept, offer_reject
from messaging.models import DeliveryStatus, Message
from messaging.services.outbound import message_send
from messaging.services.webhooks import webhook_delivery_receive, webhook_event_process
from tests.factories import (
    ChannelAccountFactory,
    CustomerActivityFactory,
    OfferFactory,
    StatusFactory,
)
from tests.factories import OnlineAgentFactory as Online
from tests.messaging import payloads
from tests.messaging.helpers import customer

pytestmark = pytest.mark.django_db


def kept_delivery(account, wamid: str, wa_id: str = "420777123456") -> int:
    """A customer's WhatsApp text, verified and kept as the webhook keeps it; its id."""
    body = payloads.encode(
        payloads.whatsapp_text(account.provider_account_id, wamid, "Hello?", wa_id=wa_id)
    )
    event = webhook_delivery_receive(account=account, headers={}, body=body, verified=True)
    return event.pk


@pytest.fixture
def counted(django_assert_num_queries, django_capture_on_commit_callbacks):
    """Run `work` and its after-commit callbacks, asserting they take `queries` queries."""

    def run(queries: int, work) -> None:
        with (
            django_assert_num_queries(queries),
            django_capture_on_commit_callbacks(execute=True),
        ):
            work()

    return run


def test_a_first_contacts_message_stored_and_rung(counted):
    # given: an agent who can be rung
    account = ChannelAccountFactory()
    Online(queue=account.queue)
    delivery = kept_delivery(account, "wamid.FIRST")
    # then
    counted(21, lambda: webhook_event_process(event_id=delivery))


def test_a_returning_customers_message(counted):
    # given: the customer's chat is open with an agent
    activity = CustomerActivityFactory()
    delivery = kept_delivery(
        activity.channel_account, "wamid.AGAIN", wa_id=activity.identity.provider_user_id
    )
    # then
    counted(14, lambda: webhook_event_process(event_id=delivery))


def test_an_accept(counted):
    # given
    offer = OfferFactory(agent=Online())
    # then
    counted(14, lambda: offer_accept(offer_id=offer.pk, agent=offer.agent))


def test_a_reject_that_rings_the_next_agent(counted):
    # given
    offer = OfferFactory(agent=Online())
    Online(queue=offer.activity.queue)
    # then
    counted(14, lambda: offer_reject(offer_id=offer.pk, agent=offer.agent))


def test_a_close(counted):
    # given
    activity = CustomerActivityFactory()
    status = StatusFactory()
    activity.queue.statuses.add(status)
    # then: with the look for a video room to end with the chat (none here)
    counted(
        17,
        lambda: activity_close(activity_id=activity.pk, agent=activity.owner, status_id=status.pk),
    )


def test_an_agents_send(counted):
    # given: the customer wrote an hour ago
    activity = customer(hours_ago=1)
    # then
    counted(8, lambda: message_send(activity=activity, author=activity.owner, text="Hello!"))


def test_a_receipt_of_an_agents_reply(counted):
    # given: the agent's reply is out, the provider's id on it
    activity = customer(hours_ago=1)
    [reply] = message_send(activity=activity, author=activity.owner, text="Hello!")
    Message.objects.filter(pk=reply.pk).update(
        provider_message_id="wamid.REPLY", status=DeliveryStatus.SENT
    )
    account = activity.channel_account
    body = payloads.encode(
        payloads.whatsapp_status(account.provider_account_id, "wamid.REPLY", "delivered")
    )
    receipt = webhook_delivery_receive(account=account, headers={}, body=body, verified=True)
    # then
    counted(11, lambda: webhook_event_process(event_id=receipt.pk))
