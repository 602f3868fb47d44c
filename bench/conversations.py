"""Whole conversations: what one costs the machine, and how many agents' traffic it carries.

Why: a contact center's load is conversations, not first messages. Each conversation here goes
as a chat does: a new customer writes on WhatsApp; the agent rung accepts the offer; nine more
customer messages and ten agent replies alternate, each reply sent to the provider (a local
fake Graph API) and followed by its receipts (sent, delivered, read) as signed webhooks; the
agent closes. Conversations start at `--rate` a second and run side by side, on real agent
websockets, through daphne and a Celery worker as the Procfile starts them, DEBUG off.

It prints the CPU one conversation costs (by process), the latencies agents and customers
feel (a customer's message to the agent's screen, an agent's reply to the provider, a receipt
to the screen, the accept and close answered), lost (0), and from the CPU how many agents one
machine like this carries, at about twelve conversations an hour each.

    .venv/bin/python bench/e2e_latency.py --mix conversation --rate 1 -n 60
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/contactcenter_bench \\
      REDIS_URL=redis://127.0.0.1:6379/13 .venv/bin/python bench/e2e_latency.py --mix conversation
"""

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

from bench.e2e_latency import (
    Account,
    agent_sockets,
    celery_worker,
    cpu_sample,
    cpu_shares,
    daphne,
    percentile,
    reset_redis,
    seed,
    sign,
    stage,
)

REPLIES = 10  # agent replies per conversation; the customer writes as often, the first included
RECEIPTS = ("sent", "delivered", "read")
CONVERSATIONS_PER_AGENT_HOUR = 12  # a chat agent's usual pace
STEP_TIMEOUT = 30.0  # seconds one step may take before its conversation counts as lost
SENT = "sent"  # provider send recorded: text -> (wamid, when)


class FakeGraphApi:
    """The WhatsApp Cloud API's send endpoint, on loopback: every POST .../messages is
    answered as Meta answers it, with a new wamid, recorded by the reply's text."""

    def __init__(self):
        self.sent: dict[str, tuple[str, float]] = {}
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self._server.server_port}"

    def _handler(self):
        sent = self.sent

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                wamid = f"wamid.bench.{secrets.token_hex(12)}"
                sent[body.get("text", {}).get("body", "")] = (wamid, time.time())
                answer = json.dumps({
                    "messaging_product": "whatsapp",
                    "contacts": [{"input": body.get("to"), "wa_id": body.get("to")}],
                    "messages": [{"id": wamid}],
                }).encode()  # fmt: skip
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        return Handler

    def __enter__(self):
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()


@dataclass
class Screens:
    """What the agents' sockets showed: offers by the customer's name, and each message's
    arrival and latest status by its text."""

    offers: dict[str, tuple[int, int, int]] = field(default_factory=dict)  # offer, activity, agent
    messages: dict[str, float] = field(default_factory=dict)
    statuses: dict[tuple[str, str], float] = field(default_factory=dict)
    offered_at: dict[str, float] = field(default_factory=dict)
    snapshots: int = 0
    closing: bool = False
    closed: list[str] = field(default_factory=list)

    async def wait_for(self, done, timeout: float) -> None:
        await until(done, timeout)

    def on_frame(self, agent_index: int, now: float, payload: bytes) -> None:
        event = json.loads(payload)
        kind = event.get("type")
        if kind == "snapshot":
            self.snapshots += 1
        elif kind == "offer.new":
            offer = event["offer"]
            title = offer["activity"]["title"]
            self.offers.setdefault(title, (offer["id"], offer["activity"]["id"], agent_index))
            self.offered_at.setdefault(title, now)
        elif kind == "message.new":
            self.messages.setdefault(event["message"]["text"], now)
        elif kind == "message.updated":
            message = event["message"]
            self.statuses.setdefault((message["text"], message["status"]), now)


@dataclass
class Timings:
    """Seconds per step of every conversation, by step; and the conversations that finished."""

    steps: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    finished: int = 0
    lost: list[str] = field(default_factory=list)


async def until(check, timeout: float = STEP_TIMEOUT):
    """`check()`'s first true value, polled; None after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        await asyncio.sleep(0.01)
    return None


def whatsapp_delivery(account: Account, value: dict) -> tuple[bytes, str]:
    payload = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "WABA_ID", "changes": [{"field": "messages", "value": value}]}],
    }
    body = json.dumps(payload, separators=(",", ":")).encode()
    return body, sign(account.app_secret, body)


def customer_text(account: Account, wa_id: str, text: str) -> tuple[bytes, str]:
    return whatsapp_delivery(account, {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881",
                     "phone_number_id": account.phone_number_id},
        "contacts": [{"profile": {"name": f"Customer {wa_id}"}, "wa_id": wa_id}],
        "messages": [{"from": wa_id, "id": f"wamid.bench.in.{secrets.token_hex(12)}",
                      "timestamp": str(int(time.time())), "type": "text", "text": {"body": text}}],
    })  # fmt: skip


def receipt(account: Account, wa_id: str, wamid: str, status: str) -> tuple[bytes, str]:
    return whatsapp_delivery(account, {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881",
                     "phone_number_id": account.phone_number_id},
        "statuses": [{"id": wamid, "status": status, "timestamp": str(int(time.time())),
                      "recipient_id": wa_id}],
    })  # fmt: skip


class Conversation:
    """One customer and the agent who takes them, step by step, each step timed."""

    def __init__(self, n: int, run: "Run"):
        self.run, self.wa_id = run, str(38_000_000_000 + n)
        self.title = f"Customer {self.wa_id}"

    async def timed(self, step: str, started: float, check) -> object:
        value = await until(check)
        if value is None:
            raise TimeoutError(step)
        self.run.timings.steps[step].append(time.time() - started)
        return value

    async def customer_writes(self, text: str) -> float:
        body, signature = customer_text(self.run.account, self.wa_id, text)
        started = time.time()
        response = await self.run.http.post(
            self.run.webhook_url, content=body,
            headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature},
        )  # fmt: skip
        response.raise_for_status()
        return started

    async def agent_calls(self, step: str, path: str, agent: int, data: dict) -> None:
        started = time.time()
        response = await self.run.http.post(
            f"{self.run.base}/api/v1/{path}", json=data,
            headers={"Authorization": f"Token {self.run.tokens[agent]}"},
        )  # fmt: skip
        response.raise_for_status()
        self.run.timings.steps[step].append(time.time() - started)

    async def agent_replies(self, activity: int, agent: int, text: str) -> None:
        started = time.time()
        await self.agent_calls(
            "agent reply answered", f"activities/{activity}/messages/", agent, {"text": text}
        )
        sent, shown = self.run.provider.sent, self.run.screens.statuses.__contains__
        wamid, _ = await self.timed("agent reply -> provider", started, lambda: sent.get(text))
        for status in RECEIPTS:
            body, signature = receipt(self.run.account, self.wa_id, wamid, status)
            posted = time.time()
            await self.run.http.post(
                self.run.webhook_url, content=body,
                headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature},
            )  # fmt: skip
            await self.timed("receipt -> screen", posted, lambda key=(text, status): shown(key))

    async def __call__(self) -> None:
        screens = self.run.screens
        first = f"Hello from {self.wa_id}, message 0"
        started = await self.customer_writes(first)
        offer, activity, agent = await self.timed(
            "first message -> offer on screen", started, lambda: screens.offers.get(self.title)
        )
        # The first message reaches the screen with the accepted chat, not as an event.
        await self.agent_calls("accept answered", f"offers/{offer}/accept/", agent, {})
        for k in range(REPLIES):
            await self.agent_replies(activity, agent, f"Reply {k} to {self.wa_id}")
            if k + 1 < REPLIES:
                text = f"Hello from {self.wa_id}, message {k + 1}"
                started = await self.customer_writes(text)
                await self.timed(
                    "message -> screen", started, lambda t=text: screens.messages.get(t)
                )
        await self.agent_calls("close answered", f"activities/{activity}/close/", agent, {})
        self.run.timings.finished += 1


@dataclass
class Run:
    base: str
    webhook_url: str
    account: Account
    tokens: list[str]
    provider: FakeGraphApi
    screens: Screens
    http: httpx.AsyncClient
    timings: Timings = field(default_factory=Timings)


async def converse(run: Run, count: int, rate: float) -> None:
    """`count` conversations, one starting every 1/rate seconds, each on its own."""

    async def one(n: int) -> None:
        conversation = Conversation(n, run)
        try:
            await conversation()
        except (TimeoutError, httpx.HTTPError) as exc:
            run.timings.lost.append(f"{conversation.title}: {type(exc).__name__} {exc}")

    tasks = []
    for n in range(count):
        tasks.append(asyncio.create_task(one(n)))
        await asyncio.sleep(1 / rate)
    await asyncio.gather(*tasks)


def agent_tokens(agent_ids: list[int]) -> list[str]:
    """An API token per agent: the bench calls the REST API as the workspace's pages do."""
    from rest_framework.authtoken.models import Token

    from contactcenter.models import Agent

    users = dict(Agent.objects.filter(pk__in=agent_ids).values_list("pk", "user_id"))
    return [Token.objects.create(user_id=users[pk]).key for pk in agent_ids]


async def client(port: int, seeded, tokens: list[str], provider, args, servers: dict):
    screens = Screens()
    base = f"http://127.0.0.1:{port}"
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with (
        agent_sockets(port, seeded.cookies, screens),
        httpx.AsyncClient(limits=limits, timeout=STEP_TIMEOUT) as http,
    ):
        webhook_url = f"{base}/webhooks/whatsapp/{seeded.account.webhook_key}/"
        run = Run(base, webhook_url, seeded.account, tokens, provider, screens, http)
        before, start = cpu_sample(), time.monotonic()
        await converse(run, args.messages, args.rate)
        seconds = time.monotonic() - start
        cpu = cpu_shares(before, cpu_sample(), seconds, servers)
    return run.timings, cpu, seconds


def report(timings: Timings, cpu: dict[str, float], seconds: float, args) -> int:
    done = max(timings.finished, 1)
    print(f"\n{timings.finished} of {args.messages} conversations finished, {len(timings.lost)} "
          f"lost, started at {args.rate:g}/s over {seconds:.0f} s")  # fmt: skip
    print(f"  {'step':<36} {'N':>5} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for step, values in timings.steps.items():
        ms = [1000 * v for v in values]
        print(f"  {step:<36} {len(ms):>5} {percentile(ms, 50):>8.1f} {percentile(ms, 95):>8.1f} "
              f"{percentile(ms, 99):>8.1f}")  # fmt: skip
    per_conversation = {name: 1000 * used * seconds / done for name, used in cpu.items()}
    ours = ["daphne", "worker", "postgres", "redis-server", "bench client"]
    servers = sum(per_conversation.get(name, 0.0) for name in ours[:4])
    print(f"  CPU per conversation: {servers:.0f} ms in the servers ("
          + ", ".join(f"{name} {per_conversation.get(name, 0.0):.0f}" for name in ours[:4])
          + f"); this client {per_conversation.get('bench client', 0.0):.0f}; machine "
          f"{per_conversation['machine']:.0f} ({cpu['machine']:.2f} of {os.cpu_count()} "
          "cores busy)")  # fmt: skip
    worst = max(percentile([1000 * v for v in values], 99) for values in timings.steps.values())
    cores = os.cpu_count() or 1
    conversations_per_hour = 0.7 * cores * 3600 * 1000 / servers if servers else 0
    print(f"  one {cores}-core machine, its servers 70% busy: {conversations_per_hour:.0f} "
          f"conversations an hour, the traffic of "
          f"{conversations_per_hour / CONVERSATIONS_PER_AGENT_HOUR:.0f} agents at "
          f"{CONVERSATIONS_PER_AGENT_HOUR} an hour each (goal: 500); the worst step's p99 in "
          f"this run: {worst:.0f} ms (goal: under 1000)")  # fmt: skip
    for line in timings.lost[:5]:
        print(f"  lost: {line}")
    return 1 if timings.lost else 0


def main(args: argparse.Namespace) -> int:
    with contextlib.ExitStack() as stack:
        provider = stack.enter_context(FakeGraphApi())
        ready = stage(stack, "conversations", WHATSAPP_API_URL=provider.url)
        scratch, env = ready.scratch, ready.env
        database_url, redis_url = ready.database_url, ready.redis_url
        seeded = seed(args.agents)
        tokens = agent_tokens(seeded.agent_ids)
        reset_redis(redis_url)
        stack.callback(reset_redis, redis_url)
        print(f"conversations: {args.messages} at {args.rate:g}/s, {REPLIES} customer messages "
              f"and {REPLIES} replies with {len(RECEIPTS)} receipts each, {args.agents} agents; "
              f"{'PostgreSQL' if database_url.startswith('postgres') else 'SQLite'}, "
              f"worker --concurrency={args.workers}, DEBUG off")  # fmt: skip
        with (
            daphne(env, scratch) as (port, daphne_pid),
            celery_worker(env, scratch, args) as worker_pid,
        ):
            servers = {"daphne": daphne_pid, "worker": worker_pid}
            timings, cpu, seconds = asyncio.run(
                client(port, seeded, tokens, provider, args, servers)
            )
    return report(timings, cpu, seconds, args)
