"""README's "Running it at scale", run: two daphne processes, two workers and beat on PostgreSQL
and Redis. A webhook posted to one web server rings an agent connected to the other, and with
one worker killed mid-load no message is lost and a notification's deadline still fires."""

import asyncio
import contextlib
import json
import time
from datetime import timedelta

import httpx
import pytest
from django.db import connection
from django.test import Client

from bench.e2e_latency import AgentSocket
from contactcenter import events
from contactcenter.models import Offer, OfferOutcome
from messaging.models import Message, Outcome, WebhookEvent
from messaging.services import webhooks
from tests.contactcenter.test_agent_socket import online_agents_of
from tests.e2e import servers
from tests.factories import ChannelAccountFactory, QueueFactory
from tests.messaging import payloads
from tests.processes import celery, kill_all, worker_ready
from tests.waiting import wait_for

pytestmark = pytest.mark.django_db(transaction=True)

LOAD = 60  # webhooks after the first, half of them after a worker is killed
ACCEPT_TIMEOUT = 3


class Page:
    """An agent's workspace websocket on one daphne process, as the page opens it; every frame
    it receives, in order."""

    def __init__(self, socket: AgentSocket):
        self.socket = socket
        self.frames: list[dict] = []

    async def read(self) -> None:
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            async for payload in self.socket.frames():
                self.frames.append(json.loads(payload))

    async def frame(self, check, timeout: float) -> dict:
        """The first frame so far or to come that `check` accepts."""
        give_up = time.monotonic() + timeout
        while time.monotonic() < give_up:
            found = next((frame for frame in self.frames if check(frame)), None)
            if found:
                return found
            await asyncio.sleep(0.05)
        raise AssertionError(f"no such frame within {timeout} s: {self.frames[-5:]}")


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def webhook(account, n: int) -> tuple[bytes, dict]:
    """A first message from customer `n`: the body and its signed headers."""
    body = payloads.encode(
        payloads.whatsapp_text(
            account.provider_account_id, f"wamid.scale.{n}", "hi", f"4450000{n:04d}", f"C{n}"
        )
    )
    return body, {
        "Content-Type": "application/json",
        "X-Hub-Signature-256": payloads.meta_signature(body),
    }


async def scenario(web: list[str], account, cookie: str, workers) -> tuple[dict, dict, float]:
    """The agent's page on web server B; the first customer posts to A and rings it; the load
    goes to both while one worker is killed. Returns the first offer, its expiry frame, and
    when the worker was killed."""
    port = int(web[1].rsplit(":", 1)[1])
    headers = {"Origin": web[1], "Cookie": f"sessionid={cookie}"}
    page = Page(await AgentSocket.connect(port, "/ws/agent/", headers))
    reader = asyncio.create_task(page.read())
    try:
        await page.frame(lambda f: f["type"] == events.SNAPSHOT, 10)
        path = f"/webhooks/whatsapp/{account.webhook_key}/"
        async with httpx.AsyncClient(timeout=10) as client:
            body, signed = webhook(account, 0)
            assert (await client.post(web[0] + path, content=body, headers=signed)).is_success
            rung = await page.frame(
                lambda f: f["type"] == events.OFFER_NEW and f["offer"]["activity"]["title"] == "C0",
                15,
            )
            for n in range(1, LOAD + 1):
                if n == LOAD // 2:
                    await asyncio.to_thread(kill_all, workers[0])
                    killed_at = time.time()
                body, signed = webhook(account, n)
                response = await client.post(web[n % 2] + path, content=body, headers=signed)
                assert response.is_success
        expired = await page.frame(
            lambda f: f["type"] == events.OFFER_EXPIRED and f["offer_id"] == rung["offer"]["id"],
            ACCEPT_TIMEOUT + 10,
        )
        return rung, expired, killed_at
    finally:
        await page.socket.close()
        reader.cancel()


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="several processes writing at once: PostgreSQL only (SQLite serialises writers)",
)
def test_two_web_servers_two_workers_and_beat_lose_nothing_when_a_worker_dies(
    empty_broker, tmp_path, redis_url, monkeypatch
):
    # given: a queue whose notifications ring for 3 s, an agent in it, a WhatsApp number
    queue = QueueFactory(accept_timeout=ACCEPT_TIMEOUT, unpaid_pause_on_timeout=False)
    [agent] = online_agents_of(queue, 1)
    agent.max_open_chats = 100
    agent.save(update_fields=["max_open_chats"])
    account = ChannelAccountFactory(queue=queue)
    cookie = session_cookie(agent.user)
    with contextlib.ExitStack() as stack:
        workers = [
            stack.enter_context(celery(tmp_path, redis_url, "worker", "-n", f"w{n}@%h",
                                       "--concurrency=1", name=f"worker{n}"))
            for n in (1, 2)
        ]  # fmt: skip
        stack.enter_context(
            celery(tmp_path, redis_url, "beat", f"--schedule={tmp_path / 'beat'}", name="beat")
        )
        web = [
            stack.enter_context(servers.daphne(servers.free_port(), redis_url, tmp_path / name))
            for name in ("a.log", "b.log")
        ]
        for worker in workers:
            worker_ready(worker)
        # when
        rung, expired, killed_at = asyncio.run(scenario(web, account, cookie, workers))
        # the killed worker's tasks: beat's sweep queues them again once a minute old; now
        monkeypatch.setattr(webhooks, "STALE_AFTER", timedelta(0))
        webhooks.webhook_events_requeue_stale()
        wait_for(lambda: not WebhookEvent.objects.filter(outcome=Outcome.PENDING).exists(), 20)
    # then: the agent on B was rung for the message posted to A, and the notification's
    # deadline, due after the worker was killed, fired all the same
    offer = Offer.objects.get(pk=expired["offer_id"])
    assert offer.activity.title == rung["offer"]["activity"]["title"] == "C0"
    assert (offer.outcome, offer.deadline.timestamp() > killed_at) == (OfferOutcome.EXPIRED, True)
    # and every message is stored, once
    ids = list(
        Message.objects.filter(channel_account=account).values_list(
            "provider_message_id", flat=True
        )
    )
    assert sorted(ids) == sorted(f"wamid.scale.{n}" for n in range(LOAD + 1))
