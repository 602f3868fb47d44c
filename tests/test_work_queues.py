"""Time-critical work waits in a queue of its own: a backlog of webhooks cannot delay a
deadline, and a worker lost during a burst loses and duplicates no customer's message."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client

from config.celery import app as celery_app
from config.environment import BASE_DIR
from config.queues import QUEUES
from contactcenter.models import Activity, OfferOutcome
from contactcenter.services.routing import activity_route
from messaging.models import Message, Outcome, WebhookEvent
from messaging.services import webhooks
from tests.contactcenter.test_agent_socket import online_agents_of
from tests.factories import ActivityFactory, ChannelAccountFactory, QueueFactory
from tests.messaging import payloads
from tests.messaging.helpers import post_webhook
from tests.processes import celery, kill_all, worker_ready
from tests.waiting import wait_for
from tests.workers import celery_worker

# The Procfile's main worker: everything but the deadlines.
MAIN_WORKER = ("worker", "-Q", "inbound,outbound,webhooks,celery", "--concurrency=2")

QUEUE_OF = {
    "contactcenter.tasks.offer_expire": "deadlines",
    "contactcenter.tasks.offers_expire_overdue": "deadlines",
    "contactcenter.tasks.activities_route_waiting": "deadlines",
    "contactcenter.tasks.activity_resume_due": "deadlines",
    "contactcenter.tasks.activities_resume_due": "deadlines",
    "contactcenter.tasks.reminder_due": "deadlines",
    "contactcenter.tasks.presence_settle": "deadlines",
    "contactcenter.tasks.presence_sweep": "deadlines",
    "messaging.tasks.messages_requeue_stale": "deadlines",
    "messaging.tasks.webhook_events_requeue_stale": "deadlines",
    "messaging.tasks.webhook_event_process": "inbound",
    "messaging.tasks.message_deliver": "outbound",
    "messaging.tasks.attachment_download": "outbound",
    "messaging.tasks.identity_profile_fetch": "outbound",
    "integrations.tasks.webhooks_sweep": "deadlines",
    "integrations.tasks.webhooks_prune": "deadlines",
    "schedule.tasks.event_remind": "deadlines",
    "schedule.tasks.events_remind_due": "deadlines",
    "integrations.tasks.outbox_dispatch": "webhooks",
    "integrations.tasks.delivery_attempt": "webhooks",
    "contactcenter.tasks.agent_route": "celery",
    "simulator.tasks.webhook_deliver": "celery",
}


def queue_of(task: str) -> str:
    return celery_app.amqp.router.route({}, task)["queue"].name


@pytest.mark.parametrize("task", QUEUE_OF)
def test_each_task_waits_in_its_queue(task):
    assert queue_of(task) == QUEUE_OF[task]


def test_every_task_of_the_product_has_its_queue_chosen():
    """A new task is a decision: which queue it waits in, written above."""
    celery_app.loader.import_default_modules()
    ours = {name for name in celery_app.tasks if name.split(".")[0] in settings.INSTALLED_APPS}
    assert ours == set(QUEUE_OF)


def test_every_beat_sweep_goes_to_the_deadlines_queue():
    tasks = [entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()]
    assert {task: queue_of(task) for task in tasks} == dict.fromkeys(tasks, "deadlines")


def test_the_procfile_workers_consume_every_queue_and_the_deadlines_one_nothing_else():
    consumed = {
        name: set(queues.split(","))
        for name, queues in re.findall(
            r"^(\w+): .* worker .*-Q (\S+)", (BASE_DIR / "Procfile").read_text(), re.M
        )
    }
    assert consumed["deadlines"] == {"deadlines"}
    assert set().union(*consumed.values()) == set(QUEUES)


@pytest.mark.django_db(transaction=True)
def test_a_deadlines_worker_expires_an_offer_behind_a_backlog_of_webhooks(
    empty_broker, redis_client
):
    # given: a hundred webhooks kept and queued, with no worker to apply them
    account = ChannelAccountFactory()
    client = Client()
    for n in range(100):
        body = payloads.whatsapp_text(
            account.provider_account_id, f"wamid.backlog.{n}", "hi", wa_id=f"4420000{n:04d}"
        )
        assert post_webhook(client, account, body, process=False).status_code == 200
    # and an agent rung with one second to answer
    queue = QueueFactory(accept_timeout=1, unpaid_pause_on_timeout=False)
    online_agents_of(queue, 1)
    waiting = ActivityFactory(queue=queue)
    activity_route(activity_id=waiting.pk)
    offer = waiting.offers.get()
    # when: only a deadlines worker runs
    with celery_worker(queues=["deadlines"]):
        wait_for(lambda: waiting.offers.filter(outcome=OfferOutcome.EXPIRED).exists(), 15)
    # then: the offer expired on time, and the backlog is still all there
    offer.refresh_from_db()
    assert offer.decided_at - offer.deadline < timedelta(seconds=2)
    assert redis_client.llen("inbound") == 100


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_during_a_burst_loses_and_duplicates_nothing(
    empty_broker, tmp_path, redis_url, monkeypatch
):
    # given: the main worker applying a burst of first messages from new customers
    account = ChannelAccountFactory()
    client = Client()
    count = 150
    with celery(tmp_path, redis_url, *MAIN_WORKER, name="first") as first:
        worker_ready(first)
        for n in range(count):
            body = payloads.whatsapp_text(
                account.provider_account_id, f"wamid.burst.{n}", "hi", wa_id=f"4430000{n:04d}"
            )
            post_webhook(client, account, body, process=False)
        wait_for(lambda: Message.objects.filter(channel_account=account).count() >= 20, 20)
        # when: it is killed outright, pool and all, part way through
        kill_all(first)
    applied_before = Message.objects.filter(channel_account=account).count()
    assert applied_before < count
    # and a fresh worker starts; beat's sweep queues again what the dead worker held once it
    # is STALE_AFTER old (a minute): here at once
    with celery(tmp_path, redis_url, *MAIN_WORKER, name="fresh") as fresh:
        worker_ready(fresh)
        monkeypatch.setattr(webhooks, "STALE_AFTER", timedelta(0))
        webhooks.webhook_events_requeue_stale()
        pending = WebhookEvent.objects.filter(outcome=Outcome.PENDING)
        wait_for(lambda: not pending.exists(), 30)
    # then: every message stored once, each customer with one activity
    stored = Message.objects.filter(channel_account=account)
    ids = list(stored.values_list("provider_message_id", flat=True))
    assert (len(ids), len(set(ids))) == (count, count)
    assert Activity.objects.filter(channel_account=account).count() == count
