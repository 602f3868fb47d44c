"""Races on PostgreSQL (SQLite serialises writers and ignores row locks): duplicated deliveries
received and applied at the same moment still store one message and one activity, and first
messages applied at the same moment ring a free agent no more often than their capacity."""

import threading
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client

from contactcenter.models import Activity, Offer, OfferOutcome
from messaging.models import Message, Outcome, WebhookEvent
from messaging.services.webhooks import webhook_event_process
from tests.factories import ChannelAccountFactory, OnlineAgentFactory
from tests.messaging import payloads
from tests.messaging.helpers import post_webhook

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("races are tested on PostgreSQL (CI's second run)")


def at_once(work: Callable[[int], object], count: int) -> list:
    """Run work(0..count-1) each in its own thread and connection, all released together."""
    start = threading.Barrier(count)
    results = [None] * count

    def run(index: int) -> None:
        start.wait()
        try:
            results[index] = work(index)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def receive_and_apply(account, bodies: list[bytes]) -> list[int]:
    """Every body POSTed at once, then every kept delivery applied at once, as by as many
    workers; returns the HTTP statuses."""
    statuses = at_once(
        lambda n: post_webhook(Client(), account, bodies[n], process=False).status_code,
        len(bodies),
    )
    kept = list(WebhookEvent.objects.values_list("pk", flat=True))
    at_once(lambda n: webhook_event_process(event_id=kept[n]), len(kept))
    return statuses


def test_the_same_delivery_20_times_at_once_stores_one_message_and_one_activity():
    account = ChannelAccountFactory()
    body = payloads.encode(payloads.whatsapp_text(account.provider_account_id, "wamid.RACE", "hi"))
    assert receive_and_apply(account, [body] * 20) == [200] * 20
    assert Message.objects.count() == 1
    assert Activity.objects.count() == 1
    assert set(WebhookEvent.objects.values_list("outcome", flat=True)) == {Outcome.PROCESSED}


def test_20_different_first_messages_of_one_customer_at_once_share_one_activity_rung_once():
    account = ChannelAccountFactory()
    agent = OnlineAgentFactory(queue=account.queue)
    bodies = [
        payloads.encode(payloads.whatsapp_text(account.provider_account_id, f"wamid.M{n}", str(n)))
        for n in range(20)
    ]
    assert receive_and_apply(account, bodies) == [200] * 20
    assert Message.objects.count() == 20
    assert Activity.objects.count() == 1
    assert Offer.objects.get().agent == agent


def test_ten_new_customers_at_once_ring_the_one_free_agent_of_capacity_1_once():
    """Each first message is routed in the transaction that stores it, all at the same moment:
    one of them rings the agent, the nine others wait unoffered."""
    account = ChannelAccountFactory()
    agent = OnlineAgentFactory(queue=account.queue, max_open_chats=1)
    bodies = [
        payloads.encode(
            payloads.whatsapp_text(
                account.provider_account_id, f"wamid.N{n}", "hi", wa_id=f"4207771230{n:02d}"
            )
        )
        for n in range(10)
    ]
    assert receive_and_apply(account, bodies) == [200] * 10
    assert (Activity.objects.filter(state="waiting").count(), Offer.objects.count()) == (10, 1)
    assert Offer.objects.get().agent == agent
    assert Offer.objects.get().outcome == OfferOutcome.PENDING
