"""Notification deadlines with the real timers: a Celery worker in this process runs the deadline
tasks and the sweeps that `celery beat`, a subprocess as under `make run`, sends every second.

Beat only sends tasks through Redis; the worker here runs them against the test database. The
agents' pages are WebsocketCommunicators on the real ASGI application and Redis channel layer.
"""

import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from config.celery import app as celery_app
from config.environment import BASE_DIR
from contactcenter import events
from contactcenter.models import Offer, OfferOutcome, Pause, PauseCause
from contactcenter.services.routing import activity_route
from tests.contactcenter.test_agent_socket import call, connect, online_agents_of, run
from tests.e2e import servers
from tests.factories import ActivityFactory, OfferFactory, QueueFactory
from tests.processes import PRODUCTION_SECRETS, product_environ
from tests.waiting import wait_for
from tests.workers import celery_worker

pytestmark = pytest.mark.django_db(transaction=True)

# What the issue promises: a notification expires, and rings the next agent, within this long
# after its deadline.
WITHIN = timedelta(seconds=2)


@pytest.fixture(scope="module")
def beat(django_db_setup, redis_url, tmp_path_factory) -> Iterator[None]:
    """`celery beat` with the product's schedule, sending to the suite's Redis; ready once it
    has sent its first deadline sweep. Tasks left in the broker by earlier tests are purged
    first: the worker below would otherwise run them."""
    celery_app.control.purge()
    directory = tmp_path_factory.mktemp("beat")
    log = directory / "beat.log"
    environ = product_environ(
        directory,
        REDIS_URL=redis_url,
        DATABASE_URL=servers.test_database_url(),
        **PRODUCTION_SECRETS,
    )
    with log.open("a") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel=INFO",
             f"--schedule={directory / 'schedule'}"],
            cwd=BASE_DIR, env=environ, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        wait_for(
            lambda: "offers-expire-overdue" in log.read_text() or process.poll() is not None, 60
        )
        assert process.poll() is None, log.read_text()
        yield
    finally:
        process.terminate()
        process.wait(timeout=10)
        celery_app.control.purge()  # its last sweeps, and timers the pages left behind


@pytest.fixture
def worker(beat) -> Iterator[None]:
    """A real worker, in this process, on the suite's Redis and the test database."""
    with celery_worker():
        yield


async def next_frame(socket, kind: str, timeout: float = 20.0) -> dict:
    """The next frame of type `kind`, passing over the others."""
    give_up = time.monotonic() + timeout
    frame = await socket.receive_json_from(timeout=timeout)
    while frame["type"] != kind:
        frame = await socket.receive_json_from(timeout=max(0.01, give_up - time.monotonic()))
    return frame


def pending_offer(activity_id: int) -> Offer:
    return Offer.objects.select_related("agent").get(
        activity_id=activity_id, outcome=OfferOutcome.PENDING
    )


def missed_pause(offer: Offer) -> Pause | None:
    return Pause.objects.filter(
        offer=offer, cause=PauseCause.MISSED_OFFER, reason__paid=False, ended_at__isnull=True
    ).first()


def test_an_unanswered_offer_expires_at_its_deadline_pauses_the_agent_and_rings_the_next(
    worker,
):
    # given: a queue with one second to answer; two agents' pages open, the first idle longest
    queue = QueueFactory(accept_timeout=1, unpaid_pause_on_timeout=True)
    first, second = online_agents_of(queue, 2)
    waiting = ActivityFactory(queue=queue)

    async def scenario():
        first_socket, _ = await connect(first)
        second_socket, _ = await connect(second)
        # when: the activity rings the first agent, who does not answer
        await call(activity_route)(activity_id=waiting.pk)
        missed = await call(pending_offer)(waiting.pk)
        # then: the first agent's notification goes, and they are paused, unpaid
        assert missed.agent == first
        expired = await next_frame(first_socket, events.OFFER_EXPIRED)
        assert expired["offer_id"] == missed.pk
        pause = await next_frame(first_socket, events.PAUSE_CHANGED)
        assert (pause["pause"]["cause"], pause["pause"]["paid"]) == (PauseCause.MISSED_OFFER, False)
        # and the second agent's page is rung
        rung = await next_frame(second_socket, events.OFFER_NEW)
        assert rung["offer"]["activity"]["id"] == waiting.pk
        await first_socket.disconnect()
        await second_socket.disconnect()
        return missed

    missed = run(scenario)
    # then: all of it within 2 s of the deadline
    missed.refresh_from_db()
    assert missed.outcome == OfferOutcome.EXPIRED
    assert missed.deadline <= missed.decided_at <= missed.deadline + WITHIN
    assert missed_pause(missed) is not None
    assert Offer.objects.get(activity=waiting, agent=second).created_at <= (
        missed.deadline + WITHIN
    )


def test_an_offer_whose_deadline_task_was_lost_is_expired_by_the_beat_sweep(worker):
    # given: two agents' pages open, and the first is rung by a notification whose deadline
    # task never ran (it is made here without one, as when a worker dies holding it)
    queue = QueueFactory(accept_timeout=1, unpaid_pause_on_timeout=True)
    first, second = online_agents_of(queue, 2)

    async def scenario():
        first_socket, _ = await connect(first)
        second_socket, _ = await connect(second)
        lost = await call(ringing_without_deadline_task)(queue, first)
        # when: the deadline passes; then beat's sweep expires it and the second agent is rung
        rung = await next_frame(second_socket, events.OFFER_NEW)
        assert rung["offer"]["activity"]["id"] == lost.activity_id
        await first_socket.disconnect()
        await second_socket.disconnect()
        return lost

    lost = run(scenario)
    # then: within 2 s of the deadline, the first agent on the unpaid pause
    lost.refresh_from_db()
    assert lost.outcome == OfferOutcome.EXPIRED
    assert lost.deadline <= lost.decided_at <= lost.deadline + WITHIN
    assert missed_pause(lost) is not None
    next_offer = Offer.objects.get(activity=lost.activity_id, agent=second)
    assert next_offer.created_at <= lost.deadline + WITHIN


def ringing_without_deadline_task(queue, agent) -> Offer:
    """A new activity of `queue` ringing `agent` for a second, with no deadline task. One
    transaction: beat's routing sweep never sees the activity unoffered, so never rings it
    itself (with a deadline task)."""
    with transaction.atomic():
        return OfferFactory(
            activity=ActivityFactory(queue=queue),
            agent=agent,
            deadline=timezone.now() + timedelta(seconds=1),
        )
