"""Outgoing webhooks through real workers: an event committed with its change reaches the
receiver and a rolled-back one never does; what a lost task or a killed worker left is sent by
the sweep, with the same webhook-id; two workers given one delivery post it once."""

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from contactcenter.outbox import outbox_record
from contactcenter.ports import ports
from integrations.models import WebhookDelivery
from integrations.services import deliveries
from integrations.services.deliveries import delivery_attempt, webhooks_sweep
from tests.factories import WebhookDeliveryFactory
from tests.integrations.helpers import CONTACT, endpoint_on, event_fanned_out, verified
from tests.messaging.scripted_server import ScriptedServer
from tests.processes import celery, kill_all, worker_ready
from tests.waiting import wait_for
from tests.workers import celery_worker

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def receiver() -> Iterator[ScriptedServer]:
    with ScriptedServer() as server:
        yield server


def delivered(count: int = 1) -> list[WebhookDelivery]:
    """Wait until `count` deliveries went through."""

    def done() -> list[WebhookDelivery]:
        succeeded = list(WebhookDelivery.objects.filter(state="succeeded"))
        return succeeded if len(succeeded) >= count else []

    return wait_for(done, 30)


def test_an_event_committed_with_its_change_is_delivered_and_a_rolled_back_one_never(
    empty_broker, receiver
):
    # given
    endpoint = endpoint_on(receiver)
    receiver.answer(200)
    receiver.answer(200)
    # when: one change commits with its event, another fails after writing its own
    with celery_worker():
        with transaction.atomic():
            outbox_record(type="contact.created", data=CONTACT)
        with pytest.raises(RuntimeError), transaction.atomic():
            outbox_record(type="contact.created", data={"contact_id": 8})
            raise RuntimeError("the change failed")
        delivered()
    # then
    [request] = receiver.posts()
    assert verified(request, endpoint.secret)["data"] == CONTACT
    assert WebhookDelivery.objects.count() == 1


def test_the_sweep_sends_what_lost_tasks_left(empty_broker, receiver, monkeypatch):
    # given: an event whose ask to fan out was lost with the broker, and a delivery due whose
    # task was lost
    endpoint = endpoint_on(receiver)
    due = WebhookDeliveryFactory(endpoint=endpoint, event__data={"contact_id": 1})
    monkeypatch.setattr(ports, "outbox_written", lambda: None)
    with transaction.atomic():
        outbox_record(type="contact.created", data={"contact_id": 2})
    receiver.answer(200)
    receiver.answer(200)
    # when: the sweep runs once they are STALE_AFTER old (here at once)
    monkeypatch.setattr(deliveries, "STALE_AFTER", timedelta(0))
    with celery_worker():
        WebhookDelivery.objects.filter(pk=due.pk).update(
            next_attempt_at=timezone.now() - timedelta(seconds=1)
        )
        webhooks_sweep()
        delivered(2)
    # then
    received = {verified(post, endpoint.secret)["data"]["contact_id"] for post in receiver.posts()}
    assert received == {1, 2}


def test_a_worker_killed_mid_delivery_loses_nothing(empty_broker, tmp_path, redis_url, receiver):
    # given: the webhooks' worker posting an event, its receiver slow to answer
    endpoint = endpoint_on(receiver)
    held = threading.Event()
    receiver.answer(200, held=held)
    receiver.answer(200)
    worker = ("worker", "-Q", "webhooks", "--concurrency=1")
    with celery(tmp_path, redis_url, *worker, name="first") as first:
        worker_ready(first)
        with transaction.atomic():
            outbox_record(type="contact.created", data=CONTACT)
        wait_for(receiver.posts, 30)
        # when: it is killed outright mid-post
        kill_all(first)
    held.set()
    delivery = WebhookDelivery.objects.get()
    left = (delivery.state, delivery.attempts)
    # and a fresh worker; the sweep queues the delivery again once its claim has run out
    # (WEBHOOK_TIMEOUT and CLAIM_MARGIN after the post began: moved here)
    with celery(tmp_path, redis_url, *worker, name="fresh") as fresh:
        worker_ready(fresh)
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            next_attempt_at=timezone.now() - deliveries.STALE_AFTER - timedelta(seconds=1)
        )
        webhooks_sweep()
        [delivery] = delivered()
    # then: sent again with the same webhook-id, and one attempt is on record
    assert left == ("pending", 0)
    lost, sent = receiver.posts()
    assert lost.headers["webhook-id"] == sent.headers["webhook-id"] == delivery.event.webhook_id
    assert verified(sent, endpoint.secret)["data"] == CONTACT
    assert [attempt.status_code for attempt in delivery.attempt_log.all()] == [200]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="races are tested on PostgreSQL (CI's second run)"
)
def test_two_workers_given_one_delivery_post_it_once(empty_broker, receiver):
    """Both try at the same moment; the one that claims it posts, the other finds it claimed
    and returns while the post is in flight. (SQLite serialises writers: PostgreSQL only.)"""
    # given
    endpoint_on(receiver)
    held = threading.Event()
    receiver.answer(200, held=held)
    receiver.answer(200)
    [delivery] = event_fanned_out()
    start = threading.Barrier(2)
    returned = []

    def worker() -> None:
        start.wait()
        try:
            delivery_attempt(delivery_id=delivery.pk)
        finally:
            connections.close_all()
            returned.append(threading.current_thread())

    threads = [threading.Thread(target=worker) for _ in range(2)]
    # when
    for thread in threads:
        thread.start()
    wait_for(lambda: receiver.posts() and returned, 20)
    held.set()
    for thread in threads:
        thread.join(timeout=30)
    # then
    assert len(receiver.posts()) == 1
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.attempt_log.count()) == ("succeeded", 1, 1)
