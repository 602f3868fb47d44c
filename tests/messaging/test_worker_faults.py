"""Workers ride out what breaks under them: a Redis restart with a send in flight, and being
killed (offer deadlines, sweeps and sends all stop with a worker that stays down)."""

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest
from celery import Celery
from django.conf import settings

from config.embedded_redis import EmbeddedRedis
from config.environment import BASE_DIR, celery_redis_url
from messaging.models import DeliveryStatus, Message
from messaging.services.outbound import message_send
from tests.e2e import servers
from tests.messaging.helpers import WA_ACCEPTED, customer
from tests.messaging.scripted_server import ScriptedServer
from tests.processes import STRONG_SECRET, product_environ
from tests.waiting import wait_for

pytestmark = pytest.mark.django_db(transaction=True)

DELIVER = "messaging.tasks.message_deliver"


def accepted(wamid: str) -> dict:
    return {**WA_ACCEPTED, "messages": [{"id": wamid}]}


@pytest.fixture
def redis(tmp_path) -> Iterator[EmbeddedRedis]:
    """A Redis of the worker's own, which the test restarts."""
    server = EmbeddedRedis(tmp_path / "redis.sock")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def provider() -> Iterator[ScriptedServer]:
    with ScriptedServer() as server:
        yield server


@pytest.fixture
def worker(tmp_path, redis, provider) -> Iterator[subprocess.Popen]:
    """The Procfile's worker (prefork, kept running), on that Redis, the test database and the
    provider; its log is `worker.log`."""
    log = tmp_path / "worker.log"
    environ = product_environ(
        tmp_path,
        SECRET_KEY=STRONG_SECRET,
        # The keys this process encrypted the channel account's token with.
        FIELD_ENCRYPTION_KEYS=",".join(settings.FIELD_ENCRYPTION_KEYS),
        REDIS_URL=redis.url,
        DATABASE_URL=servers.test_database_url(),
        WHATSAPP_API_URL=provider.url,
    )
    with log.open("a") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "config.keep_running", sys.executable, "-m", "celery", "-A",
             "config", "worker", "--concurrency=1", "--loglevel=INFO"],
            cwd=BASE_DIR, env=environ, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
    process.log = log
    try:
        ready(process, times=1)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def ready(worker: subprocess.Popen, *, times: int) -> None:
    """Wait until the worker has come up `times` times in all."""
    wait_for(
        lambda: worker.log.read_text().count(" ready.") >= times or worker.poll() is not None, 30
    )
    assert worker.poll() is None, worker.log.read_text()


def worker_pids(worker: subprocess.Popen) -> list[int]:
    """The pids its keeper started the worker as, in order."""
    return [int(pid) for pid in re.findall(r"started \S+ as pid (\d+)", worker.log.read_text())]


def deliver(redis: EmbeddedRedis, message: Message) -> None:
    """Queue the message's send on the worker's broker, as the product does after a commit."""
    with Celery(broker=celery_redis_url(redis.url), set_as_current=False) as broker:
        broker.send_task(DELIVER, args=[message.pk])


def test_a_worker_rides_out_a_redis_restart_during_a_send(redis, provider, worker):
    # given: a reply in flight at the provider
    activity = customer()
    held = threading.Event()
    provider.answer(200, accepted("wamid.FIRST"), held=held)
    provider.answer(200, accepted("wamid.SECOND"))
    [first] = message_send(activity=activity, author=activity.owner, text="first")
    deliver(redis, first)
    wait_for(lambda: provider.posts(), 30)
    # when: Redis goes down, the provider answers (the send ends while Redis is away), and
    # Redis comes back
    redis.stop()
    held.set()
    wait_for(lambda: Message.objects.get(pk=first.pk).status == DeliveryStatus.SENT, 30)
    time.sleep(2)  # the worker finishes the task and tries to acknowledge it meanwhile
    redis.start()
    # then: the worker still takes the next send
    [second] = message_send(activity=activity, author=activity.owner, text="second")
    deliver(redis, second)
    wait_for(lambda: Message.objects.get(pk=second.pk).status == DeliveryStatus.SENT, 30)
    assert worker.poll() is None, worker.log.read_text()


def test_a_killed_worker_is_started_again_and_takes_the_next_send(redis, provider, worker):
    # given
    activity = customer()
    provider.answer(200, accepted("wamid.AFTER"))
    [first_pid] = worker_pids(worker)
    # when: the worker is killed outright
    os.kill(first_pid, signal.SIGKILL)
    ready(worker, times=2)
    [message] = message_send(activity=activity, author=activity.owner, text="after")
    deliver(redis, message)
    # then
    wait_for(lambda: Message.objects.get(pk=message.pk).status == DeliveryStatus.SENT, 30)
    assert len(worker_pids(worker)) == 2


def test_a_kept_worker_stops_when_told(worker):
    worker.terminate()
    assert worker.wait(timeout=20) is not None
    [pid] = worker_pids(worker)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
